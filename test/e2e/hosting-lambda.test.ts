import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';

/** `--hosting lambda` through the built CLI: the refusals, then create-all → plan → delete in the sandbox. */

let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox(
  'stsctl-e2e-lambda-',
  {
    region: 'us-east-1',
    issuerCacheTtlMs: 0,
    fetchBudgetMs: 30_000,
  },
  (box) => {
    ({ sb, tmp, env } = box);
  },
);

const flags = (name: string, out: string): string[] => [
  '--name',
  name,
  '--region',
  'us-east-1',
  '--credentials-requests-dir',
  join(CREDREQS, 'aws'),
  '--output-dir',
  out,
  '--hosting',
  'lambda',
];

test('--dry-run with --hosting lambda points to plan; --custom-domain is refused; nothing is written', async () => {
  const dry = await runStsctl(['create-all', ...flags('dry', join(tmp, 'dry')), '--dry-run'], { env });
  assert.equal(dry.code, 2);
  assert.match(dry.stderr, /stsctl plan --hosting lambda/);
  const domain = await runStsctl(
    ['create-all', ...flags('dom', join(tmp, 'dom')), '--custom-domain', 'oidc.example.com'],
    { env },
  );
  assert.equal(domain.code, 2);
  assert.match(domain.stderr, /--custom-domain needs --hosting cloudfront/);
  assert.equal(existsSync(join(tmp, 'dry')), false);
  assert.equal(existsSync(join(tmp, 'dom')), false);
});

test('create-all --hosting lambda → plan shows no changes → delete --yes removes the function too', async () => {
  const out = join(tmp, 'lam');
  const created = await runStsctl(['create-all', ...flags('lam', out), '--output', 'json'], { env });
  assert.equal(created.code, 0, created.stderr);
  const result = JSON.parse(created.stdout) as { issuer: string; roles: unknown[] };
  assert.match(result.issuer, /^https:\/\/[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws$/);
  assert.equal(result.roles.length, 7);
  assert.match(
    readFileSync(join(out, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
    new RegExp(`serviceAccountIssuer: ${result.issuer}`),
  );
  const plan = await runStsctl(['plan', ...flags('lam', out)], { env });
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /No changes: \d+ resources up to date\./);
  const deleted = await runStsctl(['delete', '--name', 'lam', '--region', 'us-east-1', '--yes'], { env });
  assert.equal(deleted.code, 0, deleted.stderr);
  await assert.rejects(sb.clients().lambda.send(new GetFunctionCommand({ FunctionName: 'lam-oidc' })), {
    name: 'ResourceNotFoundException',
  });
});
