import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { previewPlan, provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { deleteResources } from '../../../src/commands/delete.js';
import { selfHostedThumbprints } from '../../../src/commands/self-hosting.js';
import { findChange, planCounts } from '../../../src/aws/plan.js';
import {
  mintServiceAccountToken,
  readPrivateKeyPem,
  renderDiscoveryDocument,
} from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { startIssuerServer, type IssuerServer } from '../../../src/serve/index.js';
import { AWS_CREDENTIALS_REQUESTS as requests, createAllOptions } from '../../helpers/provision.js';
import { sdkAssume } from '../../helpers/web-identity.js';

/**
 * `--hosting self` end to end in the sandbox: create-all writes the documents for the operator's
 * server, `stsctl serve` serves them with a certificate from the sandbox's private CA (a chain
 * outside "AWS's CA library"), the sandbox resolver routes the issuer's host to that server, and
 * the validating STS fetches it as AWS would — so the provider's thumbprint decides
 * (aws-sts-oidc.md §4).
 */

const HOST = 'oidc.self.example.test';
const ISSUER = `https://${HOST}/cluster-a`;
const region = 'us-east-1';
const name = 'selfhost';

let sb: Sandbox;
let tmp: string;
let server: IssuerServer | undefined;

const options = (extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'self', { issuerUrl: ISSUER, ...extra });

const deps = () => ({ clients: sb.clients(), fetcher: sb.issuerFetcher });

async function startServe(ca: 'private' | 'sandbox', host: string, dir: string): Promise<IssuerServer> {
  const leaf = await sb.cas[ca].issueLeaf({ dnsNames: [host] });
  const tls = mkdtempSync(join(tmp, 'tls-'));
  writeFileSync(join(tls, 'tls.crt'), leaf.chainPem);
  writeFileSync(join(tls, 'tls.key'), leaf.keyPem);
  const s = await startIssuerServer({
    issuerDir: dir,
    certFile: join(tls, 'tls.crt'),
    keyFile: join(tls, 'tls.key'),
    port: 0,
    pollIntervalMs: 100,
    accessLog: 'none',
  });
  sb.hostRoutes.set(host, { host: '127.0.0.1', port: s.port });
  return s;
}

async function token(serviceAccount: string, namespace: string): Promise<string> {
  const key = readPrivateKeyPem(readFileSync(join(tmp, name, 'serviceaccount-signer.private'), 'utf8'));
  return mintServiceAccountToken({
    issuer: ISSUER,
    namespace,
    serviceAccount,
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
}

async function assume(roleArn: string, jwt: string): Promise<string> {
  sb.sts.invalidateCaches();
  const a = await sdkAssume(sb, roleArn, jwt);
  return a.ok ? a.arn : `error:${a.name}: ${a.message}`;
}

async function providerThumbprints(arn: string): Promise<string[]> {
  const got = await sb
    .clients()
    .iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  return got.ThumbprintList ?? [];
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-self-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await server?.shutdown(1000);
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('--hosting self with stsctl serve and a private CA', () => {
  let providerArn: string;
  let roleArns: ReadonlyMap<string, string>;

  test('a first run before the server is up writes the documents and says the thumbprint is unknown', async () => {
    const reporter = new RecordingReporter();
    const result = await provision(options(), reporter, deps());
    assert.equal(result.outcome.issuer, ISSUER);
    providerArn = result.outcome.providerArn ?? '';
    assert.equal(providerArn, `arn:aws:iam::123456789012:oidc-provider/${HOST}/cluster-a`);
    const dir = join(tmp, name, 'issuer');
    const discovery = JSON.parse(readFileSync(join(dir, '.well-known/openid-configuration'), 'utf8')) as {
      issuer: string;
      jwks_uri: string;
    };
    assert.equal(discovery.issuer, ISSUER);
    assert.equal(discovery.jwks_uri, `${ISSUER}/keys.json`);
    assert.ok(readFileSync(join(dir, 'keys.json'), 'utf8').includes('"kid"'));
    assert.ok(reporter.events.some((e) => e.code === 'thumbprint.unavailable'));
    assert.ok(reporter.events.some((e) => e.code === 'issuer-documents.written'));
    // No bucket and no CloudFront: AWS holds only the provider and the roles.
    assert.deepEqual([...new Set(result.outcome.applied.map((c) => c.kind))].sort(), [
      'discovery-document',
      'jwks',
      'oidc-provider',
      'role',
    ]);
    assert.deepEqual(await providerThumbprints(providerArn), []);
    roleArns = result.outcome.roleArns;
    assert.equal(roleArns.size, 7);
    assert.match(
      readFileSync(join(tmp, name, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      new RegExp(`serviceAccountIssuer: ${ISSUER}`),
    );
  });

  test('once stsctl serve answers, plan shows the thumbprint and a re-run pins the top CA certificate', async () => {
    server = await startServe('private', HOST, join(tmp, name, 'issuer'));
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    const provider = findChange(p, 'oidc-provider');
    assert.equal(provider?.action, 'update');
    assert.deepEqual(
      provider.fields.map((f) => f.attribute),
      ['thumbprints'],
    );
    const reporter = new RecordingReporter();
    await provision(options(), reporter, deps());
    const selected = reporter.events.find((e) => e.code === 'thumbprint.selected');
    assert.equal(selected?.code === 'thumbprint.selected' ? selected.data.via : undefined, 'pinned');
    // The server sends leaf + intermediate: the intermediate is the top CA certificate it sends.
    assert.deepEqual(await providerThumbprints(providerArn), [sb.cas.private.intermediateSha1]);
  });

  test('every component assumes its role; another service account is refused', async () => {
    for (const r of requests) {
      const secret = readFileSync(
        join(tmp, name, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
        'utf8',
      );
      const roleArn = /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
      assert.ok([...roleArns.values()].includes(roleArn));
      for (const sa of r.serviceAccountNames) {
        assert.match(
          await assume(roleArn, await token(sa, r.secretRef.namespace)),
          /^arn:aws:sts::123456789012:assumed-role\//,
          `${r.name}/${sa}`,
        );
      }
      assert.match(
        await assume(roleArn, await token('intruder', r.secretRef.namespace)),
        /^error:AccessDenied/,
      );
    }
  });

  test('a re-run is a no-op', async () => {
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    assert.deepEqual(planCounts(p), { create: 0, update: 0, unchanged: p.changes.length });
    const result = await provision(options(), new RecordingReporter(), deps());
    assert.deepEqual(result.outcome.applied, []);
  });

  test('with the leaf pinned instead, STS answers the thumbprint error; plan shows it and a re-run repairs', async () => {
    const leafSha1 = await servedLeafSha1();
    await sb.clients().iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: providerArn,
        ThumbprintList: [leafSha1],
      }),
    );
    const sa = requests[0];
    assert.ok(sa !== undefined);
    const secretRole = /role_arn = (\S+)/.exec(
      readFileSync(
        join(tmp, name, 'manifests', `${sa.secretRef.namespace}-${sa.secretRef.name}-credentials.yaml`),
        'utf8',
      ),
    )?.[1];
    assert.equal(
      await assume(secretRole ?? '', await token(sa.serviceAccountNames[0] ?? '', sa.secretRef.namespace)),
      "error:InvalidIdentityTokenException: OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    );
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    const provider = findChange(p, 'oidc-provider');
    assert.equal(provider?.action, 'update');
    assert.equal(provider.fields[0]?.from, leafSha1);
    await provision(options(), new RecordingReporter(), deps());
    assert.match(
      await assume(secretRole ?? '', await token(sa.serviceAccountNames[0] ?? '', sa.secretRef.namespace)),
      /^arn:aws:sts::/,
    );
  });

  test('a removed document is shown by plan and rewritten by a re-run', async () => {
    const jwksFile = join(tmp, name, 'issuer', 'keys.json');
    const before = readFileSync(jwksFile, 'utf8');
    unlinkSync(jwksFile);
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    assert.equal(findChange(p, 'jwks')?.action, 'create');
    assert.equal(findChange(p, 'jwks')?.id, `${join(tmp, name, 'issuer')}/keys.json`);
    await provision(options(), new RecordingReporter(), deps());
    assert.equal(readFileSync(jwksFile, 'utf8'), before);
  });

  test('delete removes the provider and the roles, and nothing else', async () => {
    const result = await deleteResources({ name, region, dryRun: false }, new RecordingReporter(), {
      clients: sb.clients(),
    });
    assert.deepEqual(
      result.deleted.map((d) => d.kind).sort(),
      [...Array<string>(7).fill('role'), 'oidc-provider'].sort(),
    );
    assert.deepEqual(result.remaining, []);
    // The documents are the operator's files: left where they are.
    assert.ok(readFileSync(join(tmp, name, 'issuer', 'keys.json'), 'utf8').length > 0);
  });
});

describe('the thumbprint a self-hosted issuer needs', () => {
  test('a chain from the trusted CA library needs none', async () => {
    const host = 'public-ca.self.example.test';
    const dir = join(tmp, 'public-ca');
    mkdirSync(join(dir, '.well-known'), { recursive: true });
    writeFileSync(join(dir, '.well-known/openid-configuration'), renderDiscoveryDocument(`https://${host}`));
    writeFileSync(join(dir, 'keys.json'), readFileSync(join(tmp, name, 'issuer', 'keys.json')));
    const s = await startServe('sandbox', host, dir);
    try {
      const t = await selfHostedThumbprints(sb.issuerFetcher, `https://${host}`);
      assert.deepEqual(t, { via: 'ca-library', thumbprints: [] });
    } finally {
      await s.shutdown(1000);
      sb.hostRoutes.delete(host);
    }
  });

  test('an issuer nobody serves yet gives the reason', async () => {
    const t = await selfHostedThumbprints(sb.issuerFetcher, 'https://nowhere.self.example.test');
    assert.ok('problem' in t);
    assert.match(t.problem, /^dns/);
  });
});

/** The SHA-1 of the leaf the server presents (what a careless operator might pin). */
async function servedLeafSha1(): Promise<string> {
  const seen = await sb.issuerFetcher.fetch(`${ISSUER}/.well-known/openid-configuration`);
  const leaf = seen.tls?.chain[0];
  assert.ok(leaf !== undefined);
  return leaf.sha1.toUpperCase();
}
