import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateRsaKeyPair, mintServiceAccountToken, readPrivateKeyPem } from '../../src/core/index.js';
import { runStsctl } from '../helpers/cli.js';

const run = promisify(execFile);
let dir: string;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stsctl-sbx-'));
});
after(async () => {
  await runStsctl(['sandbox', 'down', '--state-dir', dir]);
  await runStsctl(['sandbox', 'down', '--state-dir', join(dir, 'old-aws')]);
  rmSync(dir, { recursive: true, force: true });
});

test('sandbox up → env → status → a real client → down', async () => {
  const up = await runStsctl(['sandbox', 'up', '--state-dir', dir]);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /sandbox up \(pid \d+\)/);

  const env = await runStsctl(['sandbox', 'env', '--state-dir', dir]);
  assert.equal(env.code, 0, env.stderr);
  const vars = Object.fromEntries(
    env.stdout
      .trim()
      .split('\n')
      .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l))
      .map((m) => [m![1]!, m![2]!]),
  );
  for (const k of [
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_STS',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_REGION',
    'AWS_CA_BUNDLE',
  ]) {
    assert.ok(vars[k] !== undefined, k);
  }
  assert.match(readFileSync(vars['AWS_CA_BUNDLE']!, 'utf8'), /BEGIN CERTIFICATE/);

  const status = await runStsctl(['sandbox', 'status', '--state-dir', dir, '--output', 'json']);
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as {
    running: boolean;
    reachable: { aws: boolean; sts: boolean };
    state: { pid: number };
  };
  assert.deepEqual([s.running, s.reachable.aws, s.reachable.sts], [true, true, true]);

  const { stdout } = await run('aws', ['sts', 'get-caller-identity', '--output', 'json'], {
    env: { PATH: process.env['PATH'], HOME: dir, AWS_CONFIG_FILE: join(dir, 'none'), ...vars },
  });
  assert.match(stdout, /"Account": "123456789012"/);

  const down = await runStsctl(['sandbox', 'down', '--state-dir', dir]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(existsSync(join(dir, 'state.json')), false);
  assert.equal(alive(s.state.pid), false);
  const after = await runStsctl(['sandbox', 'status', '--state-dir', dir]);
  assert.equal(after.code, 1);
  assert.match(after.stdout, /not running/);
});

test('sandbox env without a running sandbox exits non-zero and says how to start one', async () => {
  const r = await runStsctl(['sandbox', 'env', '--state-dir', join(dir, 'none')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /stsctl sandbox up/);
});

test('sandbox up --aws-behaviour: an unknown profile exits 2 naming the flag, before anything starts', async () => {
  const stateDir = join(dir, 'bad-profile');
  const r = await runStsctl(['sandbox', 'up', '--state-dir', stateDir, '--aws-behaviour', '2024-01']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--aws-behaviour must be one of 2026-11, 2025-12 \(got "2024-01"\)/);
  assert.equal(existsSync(stateDir), false, 'no state directory, no sandbox');
});

test('sandbox up --aws-behaviour 2025-12: a missing provider gets the pre-2026 message through the aws CLI', async () => {
  const stateDir = join(dir, 'old-aws');
  const up = await runStsctl(['sandbox', 'up', '--state-dir', stateDir, '--aws-behaviour', '2025-12']);
  assert.equal(up.code, 0, up.stderr);
  // The validating STS names its profile in its start-up line (sandbox.log).
  assert.match(readFileSync(join(stateDir, 'sandbox.log'), 'utf8'), /\(AWS behaviour 2025-12\)/);
  const env = await runStsctl(['sandbox', 'env', '--state-dir', stateDir]);
  const vars = Object.fromEntries(
    [...env.stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const key = readPrivateKeyPem((await generateRsaKeyPair()).privateKeyPem);
  const token = await mintServiceAccountToken({
    issuer: 'https://no-provider.example.com',
    namespace: 'openshift-image-registry',
    serviceAccount: 'registry',
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
  const refused = await run(
    'aws',
    [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      'arn:aws:iam::123456789012:role/image-registry',
      '--role-session-name',
      'old-aws',
      '--web-identity-token',
      token,
    ],
    { env: { PATH: process.env['PATH'], HOME: dir, AWS_CONFIG_FILE: join(dir, 'none'), ...vars } },
  ).then(
    () => assert.fail('the token was accepted'),
    (error: unknown) => (error as { stderr?: string }).stderr ?? '',
  );
  assert.match(
    refused,
    /\(InvalidIdentityToken\) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https:\/\/no-provider\.example\.com/,
  );
  const down = await runStsctl(['sandbox', 'down', '--state-dir', stateDir]);
  assert.equal(down.code, 0, down.stderr);
});
