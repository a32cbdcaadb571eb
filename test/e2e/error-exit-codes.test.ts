import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES, KIND_EXIT_CODES } from '../../src/core/errors.js';
import { runStsctl } from '../helpers/cli.js';

// The built CLI exits with the code its error's registry entry gives (docs/errors.md), and shows
// the registry's hint when the place that raised the error gave none.

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-exit-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a usage error exits 2 (TOKEN_MALFORMED: the input is not a JWT)', async () => {
  const file = join(tmp, 'garbage.jwt');
  writeFileSync(file, 'not-a-token\n');
  const r = await runStsctl(['token', 'inspect', file]);
  assert.equal(ERROR_CODES.TOKEN_MALFORMED.kind, 'usage');
  assert.equal(r.code, KIND_EXIT_CODES.usage);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: .*garbage\.jwt: not a JWT/);
});

test('a failure exits 1 (SANDBOX_DOWN: sandbox status finds no sandbox)', async () => {
  const r = await runStsctl(['sandbox', 'status', '--state-dir', join(tmp, 'no-sandbox')]);
  assert.equal(ERROR_CODES.SANDBOX_DOWN.kind, 'failure');
  assert.equal(r.code, KIND_EXIT_CODES.failure);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /sandbox: not running/);
  assert.match(r.stderr, /^error: no sandbox is running; start one with `stsctl sandbox up`\n$/);
});

test("an error raised without a hint shows the registry's (KEY_TOO_SHORT, exit 2)", async () => {
  const key = join(tmp, 'short.key');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const r = await runStsctl([
    'token',
    'mint',
    '--private-key-file',
    key,
    '--issuer',
    'https://c1-oidc.s3.us-east-1.amazonaws.com',
    '--namespace',
    'n',
    '--service-account',
    's',
  ]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: .*short\.key.*RSA key is 1024 bits; at least 2048 are required/);
  assert.ok(
    r.stderr.endsWith(`\nhint: ${ERROR_CODES.KEY_TOO_SHORT.hint}\n`),
    `no registry hint in: ${r.stderr}`,
  );
});
