import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';

/** The built CLI refuses a silent issuer change (exit 2, nothing changed) and makes it with --migrate-issuer. */

let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox(
  'stsctl-e2e-identity-',
  {
    region: 'us-east-1',
    issuerCacheTtlMs: 0,
    fetchBudgetMs: 30_000,
  },
  (box) => {
    ({ tmp, env } = box);
  },
);

test('create-all on a public cluster with --hosting cloudfront: plan shows the migration, the run exits 2, --migrate-issuer moves it', async () => {
  const out = join(tmp, 'mig');
  const flags = [
    '--name',
    'mig',
    '--region',
    'us-east-1',
    '--credentials-requests-dir',
    join(CREDREQS, 'aws'),
    '--output-dir',
    out,
  ];
  const created = await runStsctl(['create-all', ...flags], { env });
  assert.equal(created.code, 0, created.stderr);
  const manifest = join(out, 'manifests', 'cluster-authentication-02-config.yaml');
  const publicManifest = readFileSync(manifest, 'utf8');
  assert.match(publicManifest, /serviceAccountIssuer: https:\/\/mig-oidc\.s3\.us-east-1\.amazonaws\.com/);

  const planned = await runStsctl(['plan', ...flags, '--hosting', 'cloudfront'], { env });
  assert.equal(planned.code, 0, planned.stderr);
  assert.match(
    planned.stdout,
    /Migration: the issuer changes from https:\/\/mig-oidc\.s3\.us-east-1\.amazonaws\.com to \(known after apply\)/,
  );
  const planJson = await runStsctl(['plan', ...flags, '--hosting', 'cloudfront', '--output', 'json'], {
    env,
  });
  assert.equal(
    (JSON.parse(planJson.stdout) as { migration: { from: string } }).migration.from,
    'https://mig-oidc.s3.us-east-1.amazonaws.com',
  );

  const refused = await runStsctl(['create-all', ...flags, '--hosting', 'cloudfront'], { env });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /would change the issuer of "mig" from https:\/\/mig-oidc\.s3\.us-east-1\.amazonaws\.com/,
  );
  assert.match(refused.stderr, /--migrate-issuer/);
  assert.equal(readFileSync(manifest, 'utf8'), publicManifest, 'nothing rewritten on disk');
  const unchanged = await runStsctl(['plan', ...flags], { env });
  assert.match(unchanged.stdout, /No changes: \d+ resources up to date\./);

  const moved = await runStsctl(
    ['create-all', ...flags, '--hosting', 'cloudfront', '--migrate-issuer', '--output', 'json'],
    { env },
  );
  assert.equal(moved.code, 0, moved.stderr);
  const issuer = (JSON.parse(moved.stdout) as { issuer: string }).issuer;
  assert.match(issuer, /^https:\/\/[a-z0-9]+\.cloudfront\.net$/);
  assert.ok(readFileSync(manifest, 'utf8').includes(`serviceAccountIssuer: ${issuer}`));
});
