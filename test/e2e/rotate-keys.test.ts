import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { readPrivateKeyPem, readPublicKeyPem, type PrivateKeyInfo } from '../../src/core/keys.js';
import { mintServiceAccountToken } from '../../src/core/tokens.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';
import { sdkAssume } from '../helpers/web-identity.js';

// The signing key rotated with an overlap, as a user runs it: add a key (both verify), retire the
// old one (only the new verifies), and the output directory keeps up so create-all stays a no-op.

const NAME = 'rot';
const REGION = 'us-east-1';
let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox('stsctl-rotate-', { region: REGION, issuerCacheTtlMs: 0 }, (box) => {
  ({ sb, tmp, env } = box);
});

const ISSUER = `https://${NAME}-oidc.s3.${REGION}.amazonaws.com`;

async function assume(
  roleArn: string,
  key: PrivateKeyInfo,
): Promise<{ ok: boolean; code?: string; message?: string }> {
  const token = await mintServiceAccountToken({
    issuer: ISSUER,
    namespace: 'openshift-ingress-operator',
    serviceAccount: 'ingress-operator',
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
  const a = await sdkAssume(sb, roleArn, token, 'rotate');
  return a.ok ? { ok: true } : { ok: false, code: a.code, message: a.message };
}

async function publishedKids(): Promise<string[]> {
  const got = await sb
    .clients(REGION)
    .s3.send(new GetObjectCommand({ Bucket: `${NAME}-oidc`, Key: 'keys.json' }));
  const body = JSON.parse((await got.Body?.transformToString()) ?? '{}') as { keys: { kid: string }[] };
  assert.equal(got.ContentType, 'application/json');
  return body.keys.map((k) => k.kid);
}

test('rotate-keys: add (both keys verify), retire the old one (only the new), create-all stays a no-op', async () => {
  const out = join(tmp, 'out');
  const base = ['--name', NAME, '--region', REGION, '--output-dir', out];
  const created = await runStsctl(
    ['create-all', ...base, '--credentials-requests-dir', join(CREDREQS, 'aws'), '--output', 'json'],
    { env },
  );
  assert.equal(created.code, 0, created.stderr);
  const roleArn = (
    JSON.parse(created.stdout) as { roles: { roleName: string; roleArn: string }[] }
  ).roles.find((r) => r.roleName.includes('ingress-operator'))?.roleArn;
  assert.ok(roleArn !== undefined);
  const oldKey = readPrivateKeyPem(readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8'));
  const oldKid = oldKey.publicKey.kid;

  // Dry run: nothing generated, written or published.
  const dry = await runStsctl(['rotate-keys', 'add', ...base, '--dry-run', '--output', 'json'], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual((JSON.parse(dry.stdout) as { after: string[] }).after, [oldKid, '(new key)']);
  assert.equal(existsSync(join(out, 'next')), false);
  assert.deepEqual(await publishedKids(), [oldKid]);

  const added = await runStsctl(['rotate-keys', 'add', ...base], { env });
  assert.equal(added.code, 0, added.stderr);
  const newKey = readPrivateKeyPem(readFileSync(join(out, 'next', 'serviceaccount-signer.private'), 'utf8'));
  const newKid = newKey.publicKey.kid;
  assert.notEqual(newKid, oldKid);
  assert.deepEqual(await publishedKids(), [oldKid, newKid]);
  assert.equal(statSync(join(out, 'next', 'serviceaccount-signer.private')).mode & 0o777, 0o600);
  assert.match(
    added.stdout,
    new RegExp(`oc apply -f ${out}/next/manifests/next-bound-service-account-signing-key\\.yaml`),
  );
  assert.match(
    added.stdout,
    new RegExp(`stsctl rotate-keys retire --name rot --region us-east-1 --output-dir ${out} --kid ${oldKid}`),
  );
  assert.doesNotMatch(added.stdout + added.stderr, /PRIVATE KEY/);
  // The Secret hands OpenShift's kube-apiserver-operator the new pair.
  const secret = readFileSync(
    join(out, 'next', 'manifests', 'next-bound-service-account-signing-key.yaml'),
    'utf8',
  );
  assert.match(
    secret,
    /name: next-bound-service-account-signing-key\n {2}namespace: openshift-kube-apiserver-operator\n/,
  );
  const data = (field: string): string =>
    Buffer.from(new RegExp(`${field}: (\\S+)`).exec(secret)?.[1] ?? '', 'base64').toString('utf8');
  assert.equal(readPrivateKeyPem(data('service-account.key')).publicKey.kid, newKid);
  assert.equal(readPublicKeyPem(data('service-account.pub')).kid, newKid);

  // A second add reuses next/ and changes nothing.
  const again = await runStsctl(['rotate-keys', 'add', ...base, '--output', 'json'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { changed: boolean }).changed, false);

  // The overlap: tokens of either key are accepted.
  assert.deepEqual(await assume(roleArn, oldKey), { ok: true });
  assert.deepEqual(await assume(roleArn, newKey), { ok: true });

  // Retire refuses without --yes when nobody can be asked, and for kids that are not published.
  const unconfirmed = await runStsctl(['rotate-keys', 'retire', ...base, '--kid', oldKid], { env });
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.stderr, /refusing to retire keys without confirmation: run it again with --yes/);
  const unknown = await runStsctl(['rotate-keys', 'retire', ...base, '--kid', 'nope', '--yes'], { env });
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    new RegExp(`nope is not in s3://rot-oidc/keys\\.json \\(published: ${oldKid}, ${newKid}\\)`),
  );
  assert.deepEqual(await publishedKids(), [oldKid, newKid]);

  const retired = await runStsctl(
    ['rotate-keys', 'retire', ...base, '--kid', oldKid, '--yes', '--output', 'json'],
    { env },
  );
  assert.equal(retired.code, 0, retired.stderr);
  assert.deepEqual(await publishedKids(), [newKid]);
  // The output directory now holds the new key; the old one is kept aside; next/ is gone.
  assert.equal(readPublicKeyPem(readFileSync(join(out, 'serviceaccount-signer.public'), 'utf8')).kid, newKid);
  assert.equal(
    readFileSync(join(out, 'tls', 'bound-service-account-signing-key.key'), 'utf8'),
    readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8'),
  );
  assert.equal(
    readPublicKeyPem(readFileSync(join(out, 'retired', oldKid, 'serviceaccount-signer.public'), 'utf8')).kid,
    oldKid,
  );
  assert.equal(existsSync(join(out, 'next')), false);

  // Old tokens are refused the AWS way; new ones still work.
  const refused = await assume(roleArn, oldKey);
  assert.equal(refused.ok, false);
  assert.equal(refused.code, 'InvalidIdentityToken');
  assert.match(refused.message ?? '', /^Couldn't retrieve verification key from your identity provider/);
  assert.deepEqual(await assume(roleArn, newKey), { ok: true });

  // create-all from the same directory changes nothing (it would have re-published the old key).
  const plan = await runStsctl(['plan', ...base, '--credentials-requests-dir', join(CREDREQS, 'aws')], {
    env,
  });
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /No changes: \d+ resources up to date\./);

  // The last key is never retired.
  const last = await runStsctl(['rotate-keys', 'retire', ...base, '--kid', newKid, '--yes'], { env });
  assert.equal(last.code, 2);
  assert.match(last.stderr, /is the one being retired, and there is no next key/);
  assert.deepEqual(await publishedKids(), [newKid]);
});
