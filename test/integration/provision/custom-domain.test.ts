import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateDistributionCommand,
  GetDistributionCommand,
  ListDistributionsCommand,
  ListOriginAccessControlsCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { previewPlan, provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { planCounts } from '../../../src/aws/plan.js';
import { isStsctlError, mintServiceAccountToken, readPrivateKeyPem } from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { createAllOptions } from '../../helpers/provision.js';
import { importSandboxCertificate } from '../../helpers/acm.js';
import { sdkAssume } from '../../helpers/web-identity.js';

/**
 * `--custom-domain` end to end on the sandbox: the ACM certificate is checked before anything is
 * created or written; the issuer is https://<domain>, served by the edge as CloudFront serves an
 * alias (the ACM certificate's names, publicly trusted), and a component assumes its role through it.
 */

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';
const domain = 'oidc.custom.example';

const options = (name: string, extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'cloudfront', extra);

/** Imports a certificate for `names` into the sandbox's ACM (moto) in `certRegion`. */
async function importCertificate(names: string[], certRegion = 'us-east-1'): Promise<string> {
  const arn = await importSandboxCertificate({
    ca: sb.cas.sandbox,
    endpoint: sb.endpoints.aws,
    credentials: sb.credentials,
    names,
    region: certRegion,
  });
  assert.ok(arn.startsWith(`arn:aws:acm:${certRegion}:123456789012:certificate/`), arn);
  return arn;
}

async function assume(roleArn: string, token: string): Promise<string> {
  const a = await sdkAssume(sb, roleArn, token);
  return a.ok ? a.arn : `error:${a.name}: ${a.message}`;
}

/** Everything an account holds that provisioning could create, by name. */
async function inventory(): Promise<Record<string, string[]>> {
  const c = sb.clients();
  const [buckets, roles, providers, distributions, oacs] = await Promise.all([
    c.s3.send(new ListBucketsCommand({})),
    c.iam.send(new ListRolesCommand({ MaxItems: 1000 })),
    c.iam.send(new ListOpenIDConnectProvidersCommand({})),
    c.cloudfront.send(new ListDistributionsCommand({})),
    c.cloudfront.send(new ListOriginAccessControlsCommand({})),
  ]);
  return {
    buckets: (buckets.Buckets ?? []).map((b) => b.Name ?? '').sort(),
    roles: (roles.Roles ?? []).map((r) => r.RoleName ?? '').sort(),
    providers: (providers.OpenIDConnectProviderList ?? []).map((p) => p.Arn ?? '').sort(),
    distributions: (distributions.DistributionList?.Items ?? []).map((d) => d.Id ?? '').sort(),
    originAccessControls: (oacs.OriginAccessControlList?.Items ?? []).map((o) => o.Id ?? '').sort(),
  };
}

/** The certificate the edge presents for `servername`, verified against the sandbox root. */
function presentedCertificate(
  servername: string,
): Promise<{ authorized: boolean; error?: string; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port: sb.endpoints.edgePort,
      servername,
      ca: [sb.cas.sandbox.rootPem],
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      const result = {
        authorized: socket.authorized,
        ...(socket.authorized ? {} : { error: String(socket.authorizationError) }),
        cert: socket.getPeerCertificate(),
      };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-custom-domain-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('create-all behind CloudFront with --custom-domain', () => {
  const name = 'custom';
  let certificateArn: string;
  let distributionDomain: string;

  test('the issuer is https://<domain>, served through the alias, and a component assumes its role through it', async () => {
    certificateArn = await importCertificate([domain]);
    const reporter = new RecordingReporter();
    const result = await provision(
      options(name, { customDomain: domain, acmCertificateArn: certificateArn }),
      reporter,
      { clients: sb.clients(), fetcher: sb.issuerFetcher },
    );
    const issuer = `https://${domain}`;
    assert.equal(result.outcome.issuer, issuer);
    assert.deepEqual(planCounts(result.outcome.final).create + planCounts(result.outcome.final).update, 0);

    // The IAM OIDC provider is the domain, not the distribution's cloudfront.net name.
    assert.equal(result.outcome.providerArn, `arn:aws:iam::123456789012:oidc-provider/${domain}`);
    const provider = await sb
      .clients()
      .iam.send(
        new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: result.outcome.providerArn }),
      );
    assert.equal(provider.Url?.replace(/^https:\/\//, ''), domain);
    assert.deepEqual(provider.ThumbprintList, [sb.cas.sandbox.intermediateSha1]);

    // The distribution carries the alias and the certificate (SNI, modern TLS policy).
    const distributionId = result.outcome.distribution?.id ?? '';
    const dist = (await sb.clients().cloudfront.send(new GetDistributionCommand({ Id: distributionId })))
      .Distribution;
    const config = dist?.DistributionConfig;
    distributionDomain = dist?.DomainName ?? '';
    assert.match(distributionDomain, /^[a-z0-9]+\.cloudfront\.net$/);
    assert.ok(config !== undefined);
    assert.deepEqual(config.Aliases?.Items, [domain]);
    const viewer = config.ViewerCertificate;
    assert.ok(viewer !== undefined);
    assert.equal(viewer.ACMCertificateArn, certificateArn);
    assert.equal(viewer.SSLSupportMethod, 'sni-only');
    assert.equal(viewer.MinimumProtocolVersion, 'TLSv1.2_2021');

    // What the user must do in DNS: the domain → the distribution.
    assert.deepEqual(result.dnsRecord, { name: domain, type: 'CNAME', value: distributionDomain });
    assert.ok(
      reporter.messages.some((m) =>
        m.message.startsWith(
          `Custom domain: ${domain} must resolve to the CloudFront distribution ${distributionDomain}`,
        ),
      ),
    );

    // As STS sees it from the internet: discovery and JWKS at the domain, over a trusted certificate.
    const discovery = await sb.issuerFetcher.fetch(`${issuer}/.well-known/openid-configuration`);
    assert.ok(discovery.ok, JSON.stringify(discovery));
    assert.equal(discovery.status, 200);
    assert.equal(discovery.tls.trustedByCaLibrary, true);
    assert.equal(
      discovery.tls.chain[0]?.subject.includes(domain),
      true,
      JSON.stringify(discovery.tls.chain[0]),
    );
    const doc = JSON.parse(discovery.body) as { issuer: string; jwks_uri: string };
    assert.equal(doc.issuer, issuer);
    assert.equal(doc.jwks_uri, `${issuer}/keys.json`);
    const jwks = await sb.issuerFetcher.fetch(`${issuer}/keys.json`);
    assert.ok(jwks.ok && jwks.status === 200);
    assert.deepEqual(
      (JSON.parse(jwks.body) as { keys: { kid: string }[] }).keys.map((k) => k.kid),
      [result.kid],
    );

    // The cluster's manifests name the domain.
    const out = join(tmp, name);
    assert.match(
      readFileSync(join(out, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      new RegExp(`serviceAccountIssuer: https://${domain.replaceAll('.', '\\.')}$`),
    );

    // A token signed with the generated key for the ingress operator assumes its role.
    const key = readPrivateKeyPem(readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8'));
    const secret = readFileSync(
      join(out, 'manifests', 'openshift-ingress-operator-cloud-credentials-credentials.yaml'),
      'utf8',
    );
    const roleArn = /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
    assert.equal(
      roleArn,
      'arn:aws:iam::123456789012:role/custom-openshift-ingress-operator-cloud-credentials',
    );
    const mint = (iss: string, serviceAccount: string): Promise<string> =>
      mintServiceAccountToken({
        issuer: iss,
        namespace: 'openshift-ingress-operator',
        serviceAccount,
        privateKey: key.key,
        kid: key.publicKey.kid,
      });
    sb.sts.invalidateCaches();
    assert.equal(
      await assume(roleArn, await mint(issuer, 'ingress-operator')),
      'arn:aws:sts::123456789012:assumed-role/custom-openshift-ingress-operator-cloud-credentials/test',
    );
    // Another service account of the namespace is refused by the trust policy.
    assert.match(await assume(roleArn, await mint(issuer, 'intruder')), /^error:AccessDenied/);
    // The distribution's own name is not the issuer: no provider trusts it.
    assert.match(
      await assume(roleArn, await mint(`https://${distributionDomain}`, 'ingress-operator')),
      /^error:InvalidIdentityTokenException: The web identity token provided could not be validated\. See the AssumeRoleWithWebIdentity documentation for requirements\./,
    );
  });

  test('a second run, and plan, report zero changes', async () => {
    const o = options(name, { customDomain: domain, acmCertificateArn: certificateArn });
    const again = await provision(o, new RecordingReporter(), {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    });
    const counts = planCounts(again.outcome.initial);
    assert.equal(
      counts.create + counts.update,
      0,
      JSON.stringify(again.outcome.initial.changes.filter((c) => c.action !== 'unchanged')),
    );
    assert.equal(again.outcome.applied.length, 0);
    assert.equal(again.outcome.issuer, `https://${domain}`);
    assert.deepEqual(again.dnsRecord, { name: domain, type: 'CNAME', value: distributionDomain });
    const p = await previewPlan(o, new RecordingReporter(), {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    });
    assert.equal(planCounts(p).create + planCounts(p).update, 0);
    assert.equal(p.issuer, `https://${domain}`);
  });

  test('the edge presents the ACM certificate names for the alias, issued by the sandbox CA', async () => {
    const seen = await presentedCertificate(domain);
    assert.equal(seen.authorized, true, seen.error);
    assert.equal(seen.cert.subjectaltname, `DNS:${domain}`);
    assert.match(String(seen.cert.issuer.CN), /^stsctl Sandbox Issuing CA/);
    // The distribution's own name keeps CloudFront's wildcard certificate.
    const own = await presentedCertificate(distributionDomain);
    assert.equal(own.authorized, true, own.error);
    assert.match(own.cert.subjectaltname ?? '', /DNS:\*\.cloudfront\.net/);
  });
});

describe('the sandbox refuses aliases as CloudFront does', () => {
  /** A minimal distribution config for a bucket origin, with `aliases` and a viewer certificate. */
  function config(aliases: string[], viewer: DistributionConfig['ViewerCertificate']): DistributionConfig {
    return {
      CallerReference: `ref-${Math.random()}`,
      Comment: '',
      Enabled: true,
      Aliases: { Quantity: aliases.length, Items: aliases },
      Origins: {
        Quantity: 1,
        Items: [
          {
            Id: 'o',
            DomainName: 'any-oidc.s3.us-east-1.amazonaws.com',
            S3OriginConfig: { OriginAccessIdentity: '' },
          },
        ],
      },
      DefaultCacheBehavior: { TargetOriginId: 'o', ViewerProtocolPolicy: 'https-only' },
      ViewerCertificate: viewer,
    };
  }

  async function create(aliases: string[], viewer: DistributionConfig['ViewerCertificate']): Promise<string> {
    try {
      const r = await sb
        .clients()
        .cloudfront.send(new CreateDistributionCommand({ DistributionConfig: config(aliases, viewer) }));
      return r.Distribution?.DomainName ?? '';
    } catch (e) {
      return `error:${(e as Error).name}: ${(e as Error).message}`;
    }
  }

  test('InvalidViewerCertificate without a covering, issued us-east-1 certificate; CNAMEAlreadyExists for a taken alias', async () => {
    const before = await inventory();
    assert.match(
      await create(['a.refused.example'], { CloudFrontDefaultCertificate: true }),
      /^error:InvalidViewerCertificate: To add an alternate domain name \(CNAME\) to a CloudFront distribution, you must attach a trusted certificate/,
    );
    const other = await importCertificate(['other.refused.example']);
    assert.match(
      await create(['a.refused.example'], { ACMCertificateArn: other, SSLSupportMethod: 'sni-only' }),
      /^error:InvalidViewerCertificate: The certificate that is attached to your distribution doesn't cover the alternate domain name/,
    );
    const elsewhere = await importCertificate(['a.refused.example'], 'eu-west-1');
    assert.match(
      await create(['a.refused.example'], { ACMCertificateArn: elsewhere, SSLSupportMethod: 'sni-only' }),
      /^error:InvalidViewerCertificate: The specified SSL certificate doesn't exist, isn't in us-east-1 region/,
    );
    assert.match(
      await create([domain], {
        ACMCertificateArn: await importCertificate([domain]),
        SSLSupportMethod: 'sni-only',
      }),
      /^error:CNAMEAlreadyExists: One or more of the CNAMEs you provided are already associated with a different resource\./,
    );
    assert.deepEqual(await inventory(), before, 'nothing was created');
  });

  test('a wildcard certificate covers one label, and the edge presents it as CloudFront would', async () => {
    const wildcard = await importCertificate(['*.wild.example']);
    assert.match(
      await create(['deep.a.wild.example'], { ACMCertificateArn: wildcard, SSLSupportMethod: 'sni-only' }),
      /^error:InvalidViewerCertificate: The certificate that is attached/,
    );
    assert.match(
      await create(['oidc.wild.example'], { ACMCertificateArn: wildcard, SSLSupportMethod: 'sni-only' }),
      /^[a-z0-9]+\.cloudfront\.net$/,
    );
    assert.equal(await sb.edge.servesFresh('oidc.wild.example'), true);
    const seen = await presentedCertificate('oidc.wild.example');
    assert.equal(seen.authorized, true, seen.error);
    assert.equal(seen.cert.subjectaltname, 'DNS:*.wild.example');
  });
});

describe('certificate problems stop create-all before anything is created or written', () => {
  const cases: {
    readonly title: string;
    readonly arn: () => Promise<string>;
    readonly code: string;
    readonly message: RegExp;
  }[] = [
    {
      title: 'a certificate that does not cover the domain',
      arn: () => importCertificate(['*.elsewhere.example', 'elsewhere.example']),
      code: 'CERTIFICATE_DOES_NOT_COVER_DOMAIN',
      message:
        /^--acm-certificate-arn arn:aws:acm:us-east-1:\S+ is for \*\.elsewhere\.example, elsewhere\.example, which does not cover --custom-domain oidc\.bad\.example$/,
    },
    {
      title: 'a wildcard one label too shallow',
      arn: () => importCertificate(['*.example']),
      code: 'CERTIFICATE_DOES_NOT_COVER_DOMAIN',
      message: /does not cover --custom-domain oidc\.bad\.example$/,
    },
    {
      title: 'a certificate in another region',
      arn: () => importCertificate(['oidc.bad.example'], 'eu-west-1'),
      code: 'INVALID_CERTIFICATE',
      message:
        /^--acm-certificate-arn is in eu-west-1; CloudFront only uses ACM certificates from us-east-1$/,
    },
    {
      title: 'a certificate that does not exist',
      arn: () =>
        Promise.resolve(
          'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
        ),
      code: 'CERTIFICATE_NOT_FOUND',
      message:
        /^--acm-certificate-arn arn:aws:acm:us-east-1:123456789012:certificate\/0{8}-0000-4000-8000-0{12} does not exist in ACM \(us-east-1\) of this account$/,
    },
    {
      title: 'a requested certificate still pending validation',
      arn: async () => {
        const acm = new ACMClient({ region, endpoint: sb.endpoints.aws, credentials: sb.credentials });
        try {
          const r = await acm.send(
            new RequestCertificateCommand({ DomainName: 'oidc.bad.example', ValidationMethod: 'DNS' }),
          );
          return r.CertificateArn ?? '';
        } finally {
          acm.destroy();
        }
      },
      code: 'CERTIFICATE_NOT_ISSUED',
      message: /^--acm-certificate-arn \S+ is PENDING_VALIDATION, not ISSUED/,
    },
  ];

  for (const c of cases) {
    test(c.title, async () => {
      const arn = await c.arn();
      const before = await inventory();
      const name = `bad-${cases.indexOf(c)}`;
      const o = options(name, { customDomain: 'oidc.bad.example', acmCertificateArn: arn });
      for (const run of [provision, previewPlan] as const) {
        await assert.rejects(
          run(o, new RecordingReporter(), { clients: sb.clients(), fetcher: sb.issuerFetcher }),
          (e: unknown) => {
            assert.ok(isStsctlError(e), String(e));
            assert.equal(e.code, c.code);
            assert.equal(e.kind, 'usage', 'bad input: exit code 2');
            assert.match(e.message, c.message);
            return true;
          },
        );
      }
      assert.deepEqual(await inventory(), before, 'nothing was created in AWS');
      assert.equal(existsSync(join(tmp, name)), false, 'nothing was written');
    });
  }

  test('--acm-certificate-arn without --custom-domain is refused (it would never be used)', async () => {
    await assert.rejects(
      provision(
        options('bad-x', { acmCertificateArn: await importCertificate(['x.example']) }),
        new RecordingReporter(),
        {
          clients: sb.clients(),
          fetcher: sb.issuerFetcher,
        },
      ),
      /--acm-certificate-arn is only used with --custom-domain/,
    );
    assert.equal(existsSync(join(tmp, 'bad-x')), false);
  });
});
