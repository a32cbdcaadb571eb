import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPrivateKeyPem, type PrivateKeyInfo } from '../../src/core/keys.js';
import { mintServiceAccountToken } from '../../src/core/tokens.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CLI, CREDREQS } from '../helpers/repo.js';
import { sdkAssume } from '../helpers/web-identity.js';

// A self-hosted issuer's key rotated as a user runs it: create-all --hosting self, the documents
// served by `stsctl serve`, then `rotate-keys add|retire --hosting self` — which needs no AWS at
// all — and the served file followed by STS: both keys during the overlap, only the new one after.

const NAME = 'rotself';
const REGION = 'us-east-1';
const HOST = 'oidc.rotate-self.example.test';
const ISSUER = `https://${HOST}/${NAME}`;
let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;
let serve: ChildProcess | undefined;

cliSandbox('stsctl-rotate-self-', { region: REGION, issuerCacheTtlMs: 0 }, (box) => {
  ({ sb, tmp, env } = box);
});
after(() => {
  serve?.kill('SIGTERM');
});

// AWS pointed at a closed port: the rotation of a self-hosted issuer must not call it.
const noAws = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

/** Spawns the built `stsctl serve` and resolves with its port once it listens. */
function startServe(args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  serve = child;
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = / on https:\/\/127\.0\.0\.1:(\d+):/.exec(err);
      if (m !== null) resolve(Number(m[1]));
    });
    child.on('close', (code) => reject(new Error(`stsctl serve exited (${code}) before listening: ${err}`)));
  });
}

const kidsOf = (body: string): string[] =>
  (JSON.parse(body) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

/** Waits until the issuer serves exactly `kids` (serve re-reads its files every 200 ms here). */
async function served(kids: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    const seen = await sb.issuerFetcher.fetch(`${ISSUER}/keys.json`);
    last = seen.ok ? kidsOf(seen.body).join(', ') : seen.message;
    if (last === kids.join(', ')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the issuer serves ${last}, not ${kids.join(', ')}`);
}

async function assume(roleArn: string, key: PrivateKeyInfo): Promise<string> {
  sb.sts.invalidateCaches();
  const token = await mintServiceAccountToken({
    issuer: ISSUER,
    namespace: 'openshift-ingress-operator',
    serviceAccount: 'ingress-operator',
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
  const a = await sdkAssume(sb, roleArn, token, 'rotate');
  return a.ok ? 'assumed' : `${a.code}: ${a.message}`;
}

test('rotate-keys --hosting self: add (both keys verify once served), retire (only the new), no AWS call', async () => {
  const out = join(tmp, 'out');
  const jwksFile = join(out, 'issuer', 'keys.json');
  const created = await runStsctl(
    [
      'create-all',
      '--name',
      NAME,
      '--region',
      REGION,
      '--hosting',
      'self',
      '--issuer-url',
      ISSUER,
      '--credentials-requests-dir',
      join(CREDREQS, 'aws'),
      '--output-dir',
      out,
      '--output',
      'json',
    ],
    { env },
  );
  assert.equal(created.code, 0, created.stderr);
  const roleArn = (
    JSON.parse(created.stdout) as { roles: { roleName: string; roleArn: string }[] }
  ).roles.find((r) => r.roleName.includes('ingress-operator'))?.roleArn;
  assert.ok(roleArn !== undefined);

  // Served with a certificate of the sandbox's CA, which its STS trusts as AWS trusts its CA library.
  const leaf = await sb.cas.sandbox.issueLeaf({ dnsNames: [HOST] });
  writeFileSync(join(tmp, 'tls.crt'), leaf.chainPem);
  writeFileSync(join(tmp, 'tls.key'), leaf.keyPem, { mode: 0o600 });
  const port = await startServe([
    '--issuer-dir',
    join(out, 'issuer'),
    '--cert-file',
    join(tmp, 'tls.crt'),
    '--key-file',
    join(tmp, 'tls.key'),
    '--port',
    '0',
    '--issuer-url',
    ISSUER,
    '--poll-interval',
    '0.2',
    '--access-log',
    'none',
  ]);
  sb.hostRoutes.set(HOST, { host: '127.0.0.1', port });
  const oldKey = readPrivateKeyPem(readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8'));
  const oldKid = oldKey.publicKey.kid;
  assert.equal(await assume(roleArn, oldKey), 'assumed');

  const base = ['--name', NAME, '--hosting', 'self', '--output-dir', out];
  const before = readFileSync(jwksFile, 'utf8');

  // Dry run: nothing generated or written.
  const dry = await runStsctl(['rotate-keys', 'add', ...base, '--dry-run', '--output', 'json'], {
    env: noAws,
  });
  assert.equal(dry.code, 0, dry.stderr);
  const dryResult = JSON.parse(dry.stdout) as { location: string; after: string[]; bucket?: string };
  assert.equal(dryResult.location, jwksFile);
  assert.equal(dryResult.bucket, undefined);
  assert.deepEqual(dryResult.after, [oldKid, '(new key)']);
  assert.equal(readFileSync(jwksFile, 'utf8'), before);
  assert.equal(existsSync(join(out, 'next')), false);

  const added = await runStsctl(['rotate-keys', 'add', ...base], { env: noAws });
  assert.equal(added.code, 0, added.stderr);
  const newKey = readPrivateKeyPem(readFileSync(join(out, 'next', 'serviceaccount-signer.private'), 'utf8'));
  const newKid = newKey.publicKey.kid;
  assert.deepEqual(kidsOf(readFileSync(jwksFile, 'utf8')), [oldKid, newKid]);
  assert.equal(statSync(jwksFile).mode & 0o777, 0o644);
  assert.match(
    added.stdout,
    new RegExp(
      `1\\. Publish ${jwksFile} at ${ISSUER}/keys\\.json: stsctl serve --issuer-dir ${join(out, 'issuer')} serves the new file`,
    ),
  );
  assert.match(
    added.stdout,
    new RegExp(
      `4\\. stsctl rotate-keys retire --name ${NAME} --hosting self --output-dir ${out} --kid ${oldKid}`,
    ),
  );
  assert.doesNotMatch(added.stdout + added.stderr, /PRIVATE KEY/);

  await served([oldKid, newKid]);
  assert.equal(await assume(roleArn, oldKey), 'assumed');
  assert.equal(await assume(roleArn, newKey), 'assumed');

  // Flags that do not go together are refused, changing nothing.
  const during = readFileSync(jwksFile, 'utf8');
  const fleet = await runStsctl(['rotate-keys', 'add', ...base, '--shared-issuer', 'fleet'], { env: noAws });
  assert.equal(fleet.code, 2);
  assert.match(fleet.stderr, /--shared-issuer needs --hosting cloudfront .*got --hosting self/);
  const noRegion = await runStsctl(['rotate-keys', 'add', '--name', NAME, '--output-dir', out], {
    env: noAws,
  });
  assert.equal(noRegion.code, 2);
  assert.match(noRegion.stderr, /--region is required \(the region of the issuer bucket\)/);
  assert.equal(readFileSync(jwksFile, 'utf8'), during);

  const retired = await runStsctl(['rotate-keys', 'retire', ...base, '--kid', oldKid, '--yes'], {
    env: noAws,
  });
  assert.equal(retired.code, 0, retired.stderr);
  assert.match(retired.stdout, new RegExp(`Once it is served, tokens signed by ${oldKid} are refused`));
  assert.deepEqual(kidsOf(readFileSync(jwksFile, 'utf8')), [newKid]);
  assert.equal(
    readPrivateKeyPem(readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8')).publicKey.kid,
    newKid,
  );
  await served([newKid]);
  assert.equal(
    await assume(roleArn, oldKey),
    "InvalidIdentityToken: Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  );
  assert.equal(await assume(roleArn, newKey), 'assumed');
});
