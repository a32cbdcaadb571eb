import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { SignJWT, base64url } from 'jose';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import { ensureOidcProvider, ensureRole, makeBucketPrivate } from '../../../src/aws/operations.js';
import {
  buildJwks,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  trustPolicy,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { runDoctor } from '../../../src/doctor/run.js';
import type { DoctorReport } from '../../../src/doctor/report.js';
import type { DoctorTarget } from '../../../src/doctor/target.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import {
  NS,
  PERMISSIONS,
  REGION,
  SA,
  assume,
  expectHealthy,
  expectNoContradiction,
  expectSameAnswer,
  mint,
  publicIssuer,
  rsaKey,
  sandboxObserver,
  type Issuer,
} from './support.js';
import { oacBucketPolicy, oacIssuer } from '../../helpers/oac-issuer.js';

/**
 * Every fault of the sandbox issue, plus the doctor issue's own list: for each, the doctor's first
 * finding names the fault, and the AWS error it predicts is exactly what the validating STS
 * answers for the same token (same set-ups as test/integration/sandbox-sts/faults.test.ts).
 */

let sb: Sandbox;
let aws: AwsClients;
let observer: IdentityObserver;
let key: PrivateKeyInfo;
let otherKey: PrivateKeyInfo;
let good: Issuer;
/** One clock for the validating STS and the doctor, so "current date/time" agrees to the second. */
let clock = new Date();

function doctor(roleArn: string, token: string, extra: Partial<DoctorTarget> = {}): Promise<DoctorReport> {
  return runDoctor(
    {
      mode: 'token',
      components: [{ name: 'token', serviceAccounts: [], roleArn, tokens: [{ token }] }],
      ...extra,
    },
    { issuer: sb.issuerFetcher, aws: observer, now: () => clock },
  );
}

before(async () => {
  key = rsaKey();
  otherKey = rsaKey();
  sb = await startSandbox({ region: REGION, clock: () => clock });
  aws = sb.clients();
  observer = sandboxObserver(sb);
  good = await publicIssuer(aws, key, 'good');
});

after(async () => {
  observer.destroy();
  await sb.stop();
});

describe('doctor on the sandbox: healthy', () => {
  test('a healthy public-S3 setup has no error findings and the verdict is the STS grant', async () => {
    clock = new Date();
    const token = await mint(key, good.url, { now: clock });
    const [report, sts] = await Promise.all([doctor(good.roleArn, token), assume(sb, good.roleArn, token)]);
    expectHealthy(report, sts);
    const v = report.components.find((c) => c.name === 'token')?.verdicts[0];
    assert.ok(v?.ok === true);
    assert.equal(v.assumedRoleArn, `arn:aws:sts::123456789012:assumed-role/good-role/stsctl-doctor`);
  });

  test('issuer alone: hosting, discovery, JWKS and provider are fine', async () => {
    const report = await runDoctor(
      { mode: 'issuer', issuer: good.url, components: [] },
      { issuer: sb.issuerFetcher, aws: observer, now: () => new Date() },
    );
    assert.equal(report.summary.errors, 0, JSON.stringify(report.components[0]?.findings));
    const checks = report.components[0]?.checks.map((c) => [c.id, c.outcome.status]);
    assert.deepEqual(checks, [
      ['issuer.form', 'pass'],
      ['issuer.documents', 'pass'],
      ['provider', 'pass'],
      ['issuer.hosting', 'pass'],
    ]);
  });
});

describe("doctor on the sandbox: each fault, with STS's exact answer", () => {
  const same = async (
    code: string,
    roleArn: string,
    token: string,
    stsExtra: Record<string, string> = {},
    target: Partial<DoctorTarget> = {},
  ): Promise<DoctorReport> => {
    const sts = await assume(sb, roleArn, token, stsExtra);
    const report = await doctor(roleArn, token, target);
    expectSameAnswer(report, 'token', code, sts);
    expectNoContradiction(report);
    return report;
  };

  test('kid missing from the JWKS', async () => {
    clock = new Date();
    await same('TOKEN_KID_NOT_IN_JWKS', good.roleArn, await mint(otherKey, good.url, { now: clock }));
  });

  test('discovery document missing a required field', async () => {
    clock = new Date();
    const url = `https://nofield-oidc.s3.${REGION}.amazonaws.com`;
    const doc = JSON.parse(renderDiscoveryDocument(url)) as Record<string, unknown>;
    delete doc['id_token_signing_alg_values_supported'];
    const issuer = await publicIssuer(aws, key, 'nofield', { discovery: JSON.stringify(doc) });
    await same('DISCOVERY_MISSING_FIELDS', issuer.roleArn, await mint(key, issuer.url, { now: clock }));
  });

  test("no IAM provider for the token's iss", async () => {
    clock = new Date();
    const report = await same(
      'PROVIDER_MISSING',
      good.roleArn,
      await mint(key, `https://unknown-oidc.s3.${REGION}.amazonaws.com`, { now: clock }),
    );
    assert.match(
      report.components.find((c) => c.name === 'token')?.findings[0]?.fix[0] ?? '',
      /create-open-id-connect-provider --url https:\/\/unknown-oidc/,
    );
  });

  test('path-style issuer in the token, virtual-hosted provider', async () => {
    clock = new Date();
    await same(
      'ISSUER_S3_FORM_MISMATCH',
      good.roleArn,
      await mint(key, `https://s3.${REGION}.amazonaws.com/good-oidc`, { now: clock }),
    );
  });

  test("audience not among the provider's client IDs", async () => {
    clock = new Date();
    await same(
      'AUDIENCE_NOT_ALLOWED',
      good.roleArn,
      await mint(key, good.url, { now: clock, audiences: ['sts.amazon.com'] }),
    );
  });

  test('no aud claim', async () => {
    clock = new Date();
    await same(
      'TOKEN_MISSING_AUD',
      good.roleArn,
      await mint(key, good.url, { now: clock, extra: { aud: undefined } }),
    );
  });

  test('expired beyond the leeway', async () => {
    clock = new Date();
    await same(
      'TOKEN_EXPIRED',
      good.roleArn,
      await mint(key, good.url, { now: new Date(clock.getTime() - 2 * 3600 * 1000) }),
    );
  });

  test('trust policy sub mismatch', async () => {
    clock = new Date();
    await same(
      'TRUST_POLICY_DENIES',
      good.roleArn,
      await mint(key, good.url, { now: clock, serviceAccount: 'intruder' }),
    );
  });

  test('bad session name', async () => {
    clock = new Date();
    await same(
      'REQUEST_INVALID',
      good.roleArn,
      await mint(key, good.url, { now: clock }),
      { RoleSessionName: 'has space' },
      { sessionName: 'has space' },
    );
  });

  test("DurationSeconds above the role's MaxSessionDuration", async () => {
    clock = new Date();
    await same(
      'SESSION_DURATION_EXCEEDS_MAX',
      good.roleArn,
      await mint(key, good.url, { now: clock }),
      { DurationSeconds: '7200' },
      { durationSeconds: '7200' },
    );
  });

  test('bad signature', async () => {
    clock = new Date();
    const [h, p, s] = (await mint(key, good.url, { now: clock })).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    claims['sub'] = `system:serviceaccount:${NS}:${SA}x`;
    await same(
      'TOKEN_SIGNATURE_INVALID',
      good.roleArn,
      `${h}.${base64url.encode(JSON.stringify(claims))}.${s}`,
    );
  });

  test('alg: none and HS256 with the public key as secret', async () => {
    clock = new Date();
    const payload = JSON.parse(
      Buffer.from((await mint(key, good.url, { now: clock })).split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid: key.publicKey.kid }))}.${base64url.encode(JSON.stringify(payload))}.`;
    await same('TOKEN_ALG_UNSUPPORTED', good.roleArn, none);
    const secret = new TextEncoder().encode(
      key.publicKey.key.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const hs = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: key.publicKey.kid })
      .sign(secret);
    await same('TOKEN_ALG_UNSUPPORTED', good.roleArn, hs);
  });

  test('self-hosted issuer on a private CA: wrong thumbprint, then the right one', async () => {
    clock = new Date();
    const host = 'oidc.selfhosted.example';
    const url = `https://${host}`;
    const json = { 'content-type': 'application/json' };
    sb.edge.setStaticSite({
      host,
      ca: 'private',
      routes: {
        '/.well-known/openid-configuration': { body: renderDiscoveryDocument(url), headers: json },
        '/keys.json': { body: renderJwks(buildJwks([key.publicKey])), headers: json },
      },
    });
    const wrong = await aws.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: url,
        ClientIDList: ['openshift'],
        ThumbprintList: ['0'.repeat(40)],
      }),
    );
    const role = await ensureRole(aws, {
      roleName: 'selfhosted-role',
      description: 'test',
      trustPolicy: renderPolicy(trustPolicy(wrong.OpenIDConnectProviderArn!, host, NS, [SA])),
      permissionsPolicy: PERMISSIONS,
      tags: [],
    });
    const report = await same('THUMBPRINT_MISMATCH', role.arn, await mint(key, url, { now: clock }));
    const fix = report.components.find((c) => c.name === 'token')?.findings[0]?.fix[0] ?? '';
    assert.ok(fix.includes(sb.cas.private.intermediateSha1), fix);
    await aws.iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: wrong.OpenIDConnectProviderArn,
        ThumbprintList: [sb.cas.private.intermediateSha1],
      }),
    );
    const token = await mint(key, url, { now: clock });
    const healthy = await doctor(role.arn, token);
    expectHealthy(healthy, await assume(sb, role.arn, token));
    assert.ok(healthy.components.some((c) => c.findings.some((f) => f.code === 'ISSUER_TLS_UNTRUSTED')));
  });

  test('expired certificate on a self-hosted issuer', async () => {
    clock = new Date();
    const host = 'oidc.expired.example';
    const url = `https://${host}`;
    sb.edge.setStaticSite({
      host,
      ca: 'sandbox',
      expiredCertificate: true,
      routes: {
        '/.well-known/openid-configuration': { body: renderDiscoveryDocument(url) },
        '/keys.json': { body: renderJwks(buildJwks([key.publicKey])) },
      },
    });
    const provider = await ensureOidcProvider(aws, url);
    const role = await ensureRole(aws, {
      roleName: 'expired-role',
      description: 'test',
      trustPolicy: renderPolicy(trustPolicy(provider.arn, host, NS, [SA])),
      permissionsPolicy: PERMISSIONS,
      tags: [],
    });
    await same('ISSUER_TLS_CERT_EXPIRED', role.arn, await mint(key, url, { now: clock }));
  });

  test('issuer mismatch between the Authentication CR and the provider', async () => {
    clock = new Date();
    // The cluster signs with issuer A (its Authentication CR); the role trusts the provider of B.
    const clusterIssuer = 'https://cluster-a.example';
    const token = await mint(key, clusterIssuer, { now: clock });
    const sts = await assume(sb, good.roleArn, token);
    const report = await runDoctor(
      {
        mode: 'cluster',
        issuer: clusterIssuer,
        cluster: { authenticationIssuer: clusterIssuer, credentialsMode: 'Manual' },
        components: [
          {
            name: `${NS}/app-credentials`,
            namespace: NS,
            serviceAccounts: [SA],
            roleArn: good.roleArn,
            tokens: [{ serviceAccount: SA, token }],
          },
        ],
      },
      { issuer: sb.issuerFetcher, aws: observer, now: () => clock },
    );
    expectSameAnswer(report, `${NS}/app-credentials`, 'ISSUER_MISMATCH', sts);
    expectNoContradiction(report);
    assert.equal(report.components[0]?.name, 'cluster');
    assert.equal(report.components[0].findings[0]?.code, 'ISSUER_MISMATCH');
  });

  test('account-level public-access block (bucket settings allow the policy; the account does not)', async () => {
    clock = new Date();
    // S3 Control prefixes the account id to the endpoint's host; against the gateway's IP, use it as is.
    const control = new S3ControlClient({
      region: REGION,
      endpointProvider: () => ({ url: new URL(sb.endpoints.aws) }),
      credentials: sb.credentials,
    });
    const block = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    };
    await control.send(
      new PutPublicAccessBlockCommand({ AccountId: '123456789012', PublicAccessBlockConfiguration: block }),
    );
    try {
      sb.sts.invalidateCaches();
      const report = await same(
        'S3_ACCOUNT_PUBLIC_ACCESS_BLOCK',
        good.roleArn,
        await mint(key, good.url, { now: clock }),
      );
      const issuerGroup = report.components.find((c) => c.name === good.url);
      const first = issuerGroup?.findings[0];
      assert.equal(first?.code, 'S3_ACCOUNT_PUBLIC_ACCESS_BLOCK', JSON.stringify(issuerGroup?.findings));
      assert.match(first.predictedError?.message ?? '', /^Couldn't retrieve verification key/);
      assert.match(first.fix[0] ?? '', /s3control put-public-access-block --account-id 123456789012/);
    } finally {
      await control.send(new DeletePublicAccessBlockCommand({ AccountId: '123456789012' }));
      control.destroy();
      sb.sts.invalidateCaches();
    }
    // With the account block gone the same issuer answers again: nothing else was changed.
    const sts = await assume(sb, good.roleArn, await mint(key, good.url, { now: clock }));
    assert.equal(sts.status, 200, sts.body);
  });

  test('private bucket (run last among the public-S3 faults: it closes the healthy issuer)', async () => {
    clock = new Date();
    await makeBucketPrivate(aws, 'good-oidc');
    await same('ISSUER_PRIVATE_BUCKET', good.roleArn, await mint(key, good.url, { now: clock }));
  });
});

describe('doctor on the sandbox: private bucket behind CloudFront with origin access control', () => {
  let distributionArn: string;
  let issuerUrl: string;
  let roleArn: string;
  const bucket = 'cf-oidc';

  before(async () => {
    ({ distributionArn, issuerUrl, roleArn } = await oacIssuer(aws, {
      bucket,
      region: REGION,
      key,
      namespace: NS,
      serviceAccount: SA,
      comment: 'doctor',
    }));
  });

  const policyFor = (sourceArn: string): string => oacBucketPolicy(bucket, sourceArn);

  test('healthy when the bucket policy grants the distribution', async () => {
    clock = new Date();
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyFor(distributionArn) }));
    const token = await mint(key, issuerUrl, { now: clock });
    expectHealthy(await doctor(roleArn, token), await assume(sb, roleArn, token));
  });

  test('CLOUDFRONT_ORIGIN_ACCESS_DENIED when the policy grants another distribution', async () => {
    clock = new Date();
    await aws.s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: policyFor('arn:aws:cloudfront::123456789012:distribution/EOTHER'),
      }),
    );
    const token = await mint(key, issuerUrl, { now: clock });
    const sts = await assume(sb, roleArn, token);
    const report = await doctor(roleArn, token);
    expectSameAnswer(report, 'token', 'CLOUDFRONT_ORIGIN_ACCESS_DENIED', sts);
    assert.ok(
      report.components.find((c) => c.name === 'token')?.findings[0]?.fix[0]?.includes(distributionArn),
    );
  });
});
