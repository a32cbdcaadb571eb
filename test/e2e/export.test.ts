import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/lifecycle.js';
import { runStsctl, sandboxCliEnv } from '../helpers/cli.js';
import { CREDREQS } from '../helpers/repo.js';

/** The manual-mode flags of the built CLI: `plan --export` and `create-all --plan`. */

let sb: Sandbox;
let tmp: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-e2e-export-'));
  sb = await startSandbox({ issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const flags = (name: string): string[] => [
  '--name',
  name,
  '--region',
  'us-east-1',
  '--credentials-requests-dir',
  join(CREDREQS, 'aws'),
  '--output-dir',
  join(tmp, name),
];

test('plan --export aws-cli prints the script, writes the key pair and manifests, and says so', async () => {
  const r = await runStsctl(['plan', ...flags('e2e'), '--export', 'aws-cli'], {
    env: sandboxCliEnv(sb.env(), tmp),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^#!\/bin\/sh\n# stsctl plan --export aws-cli/);
  assert.match(r.stdout, /# Plan sha256:[0-9a-f]{64} /);
  assert.ok(!r.stdout.includes('PRIVATE KEY'));
  assert.match(r.stderr, /plan --export aws-cli: wrote 11 files to .* as create-all would/);
  assert.ok(existsSync(join(tmp, 'e2e', 'serviceaccount-signer.private')));
  assert.match(
    readFileSync(join(tmp, 'e2e', 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
    /serviceAccountIssuer: https:\/\/e2e-oidc\.s3\.us-east-1\.amazonaws\.com/,
  );
});

test('create-all --plan with a file that is not a plan exits 2 naming it, and writes nothing', async () => {
  const file = join(tmp, 'not-a-plan.json');
  writeFileSync(file, '{"schemaVersion":1,"command":"create-all","changes":[]}');
  const r = await runStsctl(['create-all', ...flags('refused'), '--plan', file], {
    env: sandboxCliEnv(sb.env(), tmp),
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /not-a-plan\.json: command must be "plan"/);
  assert.ok(!existsSync(join(tmp, 'refused')), 'nothing was written');
});

test('plan --export for a member of a fleet issuer exits 2 naming --export, before any AWS call or write', async () => {
  // The endpoints lead nowhere: a call to AWS would fail with another error than the refusal.
  const r = await runStsctl(
    [
      'plan',
      ...flags('member'),
      '--hosting',
      'cloudfront',
      '--shared-issuer',
      'fleet',
      '--export',
      'aws-cli',
    ],
    { env: sandboxCliEnv({ ...sb.env(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, tmp) },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^error: --export: plan --export renders the hosting of one cluster, not a member of a fleet issuer/,
  );
  assert.equal(r.stdout, '');
  assert.ok(!existsSync(join(tmp, 'member')), 'nothing was written');
});
