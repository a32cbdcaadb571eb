import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';

/** `stsctl plan --detailed-exitcode` for CI: 0 nothing to change, 2 changes, 1 any error. */

let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox('stsctl-e2e-plan-exit-', { region: 'us-east-1' }, (box) => {
  ({ tmp, env } = box);
});

const flags = (region = 'us-east-1'): string[] => [
  '--name',
  'exitc',
  '--region',
  region,
  '--credentials-requests-dir',
  join(CREDREQS, 'aws'),
  '--output-dir',
  join(tmp, 'out'),
];

test('2 while there is something to create, 0 once applied; without the flag both are 0', async () => {
  const before = await runStsctl(['plan', ...flags(), '--detailed-exitcode'], { env });
  assert.equal(before.code, 2, before.stderr);
  assert.match(before.stdout, /create/);
  const plain = await runStsctl(['plan', ...flags()], { env });
  assert.equal(plain.code, 0, plain.stderr);

  const created = await runStsctl(['create-all', ...flags()], { env });
  assert.equal(created.code, 0, created.stderr);
  const after = await runStsctl(['plan', ...flags(), '--detailed-exitcode'], { env });
  assert.equal(after.code, 0, after.stderr);
  assert.match(after.stdout, /No changes/);
});

test('an error is 1 with the flag, even bad usage (which is 2 without it)', async () => {
  const bad = await runStsctl(['plan', ...flags('mars-north-1'), '--detailed-exitcode'], { env });
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /error:/);
  const withoutFlag = await runStsctl(['plan', ...flags('mars-north-1')], { env });
  assert.equal(withoutFlag.code, 2, withoutFlag.stderr);
});
