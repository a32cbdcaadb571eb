import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStsctl } from '../helpers/cli.js';

let tmp: string;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-token-'));
  assert.equal((await runStsctl(['create-key-pair', '--output-dir', tmp])).code, 0);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('mint then inspect: claims, kid of the key, not expired', async () => {
  const minted = await runStsctl([
    'token',
    'mint',
    '--private-key-file',
    join(tmp, 'serviceaccount-signer.private'),
    '--issuer',
    'https://c1-oidc.s3.us-east-1.amazonaws.com',
    '--namespace',
    'openshift-ingress-operator',
    '--service-account',
    'ingress-operator',
    '--audience',
    'openshift',
    '--audience',
    'sts.amazonaws.com',
  ]);
  assert.equal(minted.code, 0, minted.stderr);
  const jwt = minted.stdout.trim();
  const inspected = await runStsctl(['token', 'inspect', '-', '--output', 'json'], { input: jwt });
  assert.equal(inspected.code, 0, inspected.stderr);
  const result = JSON.parse(inspected.stdout) as {
    header: { kid: string; alg: string };
    claims: { sub: string; iss: string };
    expired: boolean;
    audiences: string[];
  };
  const created = await runStsctl(['create-key-pair', '--output-dir', tmp, '--output', 'json']);
  assert.equal(result.header.kid, (JSON.parse(created.stdout) as { kid: string }).kid);
  assert.equal(result.header.alg, 'RS256');
  assert.equal(result.claims.sub, 'system:serviceaccount:openshift-ingress-operator:ingress-operator');
  assert.deepEqual(result.audiences, ['openshift', 'sts.amazonaws.com']);
  assert.equal(result.expired, false);
});

test('inspect text output shows human times and status', async () => {
  const file = join(tmp, 'tok');
  const minted = await runStsctl([
    'token',
    'mint',
    '--private-key-file',
    join(tmp, 'serviceaccount-signer.private'),
    '--issuer',
    'https://i.example.com',
    '--namespace',
    'n',
    '--service-account',
    's',
    '--expiration-seconds',
    '600',
    '--output-file',
    file,
  ]);
  assert.equal(minted.code, 0);
  assert.equal(minted.stdout, '');
  assert.equal((statSync(file).mode & 0o777).toString(8), '600');
  const r = await runStsctl(['token', 'inspect', file]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /exp\s+\S+Z\s+\(in (9m \d+s|10m 0s)\)/);
  assert.match(r.stdout, /Service account: n\/s/);
  assert.match(r.stdout, /Status: valid for now/);
  assert.ok(readFileSync(file, 'utf8').split('.').length === 3);
});

test('inspect rejects garbage with exit 2 naming the file', async () => {
  const r = await runStsctl(['token', 'inspect', '/etc/hostname']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/etc\/hostname: not a JWT/);
});

test('mint refuses an issuer AWS would refuse', async () => {
  const r = await runStsctl([
    'token',
    'mint',
    '--private-key-file',
    join(tmp, 'serviceaccount-signer.private'),
    '--issuer',
    'https://i.example.com/',
    '--namespace',
    'n',
    '--service-account',
    's',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /must not end with "\/"/);
});
