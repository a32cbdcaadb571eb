import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDREQS } from '../helpers/repo.js';
import { runStsctl } from '../helpers/cli.js';

// `--hosting self` flags through the built CLI: every bad combination is refused with exit 2
// before a key pair is generated, a file written or AWS called (no AWS endpoint is needed).

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-hosting-self-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const base = (out: string): string[] => [
  'create-all',
  '--name',
  'selfhost',
  '--region',
  'us-east-1',
  '--credentials-requests-dir',
  join(CREDREQS, 'aws'),
  '--output-dir',
  out,
];

// Pointing the SDK nowhere: a refusal must come before any AWS call.
const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

test('--hosting self without --issuer-url exits 2 naming the flag, writing nothing', async () => {
  const out = join(tmp, 'missing');
  const r = await runStsctl([...base(out), '--hosting', 'self'], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--hosting self needs --issuer-url/);
  assert.equal(existsSync(out), false);
});

test('an --issuer-url with a port is refused with the rule it breaks', async () => {
  const out = join(tmp, 'port');
  const r = await runStsctl(
    [...base(out), '--hosting', 'self', '--issuer-url', 'https://oidc.example.com:8443/c'],
    {
      env,
    },
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--issuer-url "https:\/\/oidc\.example\.com:8443\/c" is not valid: .*port/);
  assert.equal(existsSync(out), false);
});

test('--issuer-url without --hosting self is refused', async () => {
  const out = join(tmp, 'public');
  const r = await runStsctl([...base(out), '--issuer-url', 'https://oidc.example.com/c'], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--issuer-url is only used with --hosting self/);
  assert.equal(existsSync(out), false);
});

test('--dry-run with --hosting self points to plan', async () => {
  const out = join(tmp, 'dry');
  const r = await runStsctl(
    [...base(out), '--hosting', 'self', '--issuer-url', 'https://oidc.example.com/c', '--dry-run'],
    { env },
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /stsctl plan --hosting self/);
  assert.equal(existsSync(out), false);
});

test('--create-private-s3-bucket with --hosting self is refused, not silently CloudFront', async () => {
  const out = join(tmp, 'private');
  const r = await runStsctl(
    [
      ...base(out),
      '--hosting',
      'self',
      '--issuer-url',
      'https://oidc.example.com/c',
      '--create-private-s3-bucket',
    ],
    { env },
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--create-private-s3-bucket asks for CloudFront hosting/);
  assert.equal(existsSync(out), false);
});
