import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CLI, CREDREQS } from '../helpers/repo.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';

/** The built CLI against the sandbox, configured only through the environment `sandbox env` prints. */

let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox(
  'stsctl-e2e-provision-',
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
];

test('create-all (real) → plan shows no changes → delete --yes leaves nothing owned', async () => {
  const out = join(tmp, 'e2e');
  const created = await runStsctl(['create-all', ...flags('e2e', out), '--output', 'json', '--trace'], {
    env,
  });
  assert.equal(created.code, 0, created.stderr);
  const result = JSON.parse(created.stdout) as {
    issuer: string;
    roles: { roleArn: string }[];
    trace: { summary: { calls: number } };
  };
  assert.equal(result.issuer, 'https://e2e-oidc.s3.us-east-1.amazonaws.com');
  assert.equal(result.roles.length, 7);
  assert.ok(result.trace.summary.calls > 20);
  assert.match(created.stderr, /trace: IAM\.CreateRole \d+ ms/);
  const secret = readFileSync(
    join(out, 'manifests', 'openshift-ingress-operator-cloud-credentials-credentials.yaml'),
    'utf8',
  );
  assert.match(
    secret,
    /role_arn = arn:aws:iam::123456789012:role\/e2e-openshift-ingress-operator-cloud-credentials\n/,
  );
  assert.ok(!secret.includes('POPULATE'));

  const plan = await runStsctl(['plan', ...flags('e2e', out)], { env });
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /No changes: \d+ resources up to date\./);

  const refused = await runStsctl(['delete', '--name', 'e2e', '--region', 'us-east-1'], { env });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /run it again with --yes/);

  const deleted = await runStsctl(['aws', 'delete', '--name', 'e2e', '--region', 'us-east-1', '--yes'], {
    env,
  });
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /Deleted 11 of 11/);
  const again = await runStsctl(['delete', '--name', 'e2e', '--region', 'us-east-1', '--yes'], { env });
  assert.match(again.stdout, /nothing to delete/);
});

test('a run killed half-way converges on the next run, without duplicates', async () => {
  const out = join(tmp, 'killed');
  const args = [CLI, 'create-all', ...flags('killed', out), '--hosting', 'cloudfront', '--trace'];
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let calls = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      calls += (d.match(/^trace: /gm) ?? []).length;
      // Kill once CloudFront exists but before every role does.
      if (calls >= 30 && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('close', () => resolve());
  });
  assert.equal(existsSync(join(out, 'manifests')), false, 'killed before it finished');
  const rerun = await runStsctl(
    ['create-all', ...flags('killed', out), '--hosting', 'cloudfront', '--output', 'json'],
    { env },
  );
  assert.equal(rerun.code, 0, rerun.stderr);
  const r = JSON.parse(rerun.stdout) as {
    planAfter: { counts: { create: number; update: number } };
    issuer: string;
  };
  assert.deepEqual([r.planAfter.counts.create, r.planAfter.counts.update], [0, 0]);
  const cf = await import('@aws-sdk/client-cloudfront');
  const clients = sb.clients();
  const list = await clients.cloudfront.send(new cf.ListDistributionsCommand({}));
  const ours = [];
  for (const d of list.DistributionList?.Items ?? []) {
    // moto's list summaries omit the Comment: read each distribution in full.
    const full = await clients.cloudfront.send(new cf.GetDistributionCommand({ Id: d.Id }));
    if (full.Distribution?.DistributionConfig?.Comment === 'openshift.io/cloud-credential-operator/killed') {
      ours.push(full.Distribution);
    }
  }
  assert.equal(ours.length, 1, 'one distribution');
  assert.equal(r.issuer, `https://${ours[0]?.DomainName ?? ''}`);
});

test('step by step (real): create-key-pair, create-identity-provider, create-iam-roles with its provider ARN', async () => {
  const out = join(tmp, 'steps');
  const keys = await runStsctl(['create-key-pair', '--output-dir', out], { env });
  assert.equal(keys.code, 0, keys.stderr);
  const idp = await runStsctl(
    [
      'create-identity-provider',
      '--name',
      'steps',
      '--region',
      'us-east-1',
      '--output-dir',
      out,
      '--output',
      'json',
    ],
    { env },
  );
  assert.equal(idp.code, 0, idp.stderr);
  const provider = JSON.parse(idp.stdout) as { issuer: string; providerArn: string };
  assert.equal(provider.issuer, 'https://steps-oidc.s3.us-east-1.amazonaws.com');
  assert.equal(
    provider.providerArn,
    'arn:aws:iam::123456789012:oidc-provider/steps-oidc.s3.us-east-1.amazonaws.com',
  );
  assert.ok(existsSync(join(out, 'manifests', 'cluster-authentication-02-config.yaml')));

  const roles = await runStsctl(
    [
      'create-iam-roles',
      '--name',
      'steps',
      '--region',
      'us-east-1',
      '--credentials-requests-dir',
      join(CREDREQS, 'aws'),
      '--identity-provider-arn',
      provider.providerArn,
      '--output-dir',
      out,
      '--output',
      'json',
    ],
    { env },
  );
  assert.equal(roles.code, 0, roles.stderr);
  assert.equal((JSON.parse(roles.stdout) as { roles: unknown[] }).roles.length, 7);
  assert.match(
    readFileSync(
      join(out, 'manifests', 'openshift-ingress-operator-cloud-credentials-credentials.yaml'),
      'utf8',
    ),
    /role_arn = arn:aws:iam::123456789012:role\/steps-openshift-ingress-operator-cloud-credentials\n/,
  );
});
