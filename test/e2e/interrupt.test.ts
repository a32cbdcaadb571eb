import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CLI, CREDREQS } from '../helpers/repo.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';

/**
 * Ctrl-C (SIGINT) and SIGTERM stop a real run at once, with exit 130 / 143 and a line saying what
 * had completed and that a re-run resumes; the re-run then converges. The run is stopped while it
 * waits for CloudFront to deploy (the sandbox keeps the distribution `InProgress`).
 */

let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox(
  'stsctl-e2e-interrupt-',
  {
    region: 'us-east-1',
    inProgressMs: 10 * 60_000,
    issuerCacheTtlMs: 0,
  },
  (box) => {
    ({ sb, tmp, env } = box);
  },
);

const flags = (name: string): string[] => [
  '--name',
  name,
  '--region',
  'us-east-1',
  '--hosting',
  'cloudfront',
  '--credentials-requests-dir',
  join(CREDREQS, 'aws'),
  '--output-dir',
  join(tmp, name),
];

/** Starts create-all, waits until it reports the distribution created, then sends `signal`. */
function interruptWhileDeploying(
  name: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'create-all', ...flags(name)], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sentAt = 0;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no distribution within 60 s; stderr:\n${stderr}`));
    }, 60_000);
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (sentAt === 0 && /CloudFront distribution created with ID/.test(stderr)) {
        sentAt = Date.now();
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(deadline);
      resolve({ code, signal: sig, stderr, ms: Date.now() - sentAt });
    });
  });
}

test('SIGINT stops a waiting create-all with exit 130 and says what had completed', async () => {
  const run = await interruptWhileDeploying('intr', 'SIGINT');
  assert.equal(run.signal, null, 'the CLI exits by itself, not killed by the signal');
  assert.equal(run.code, 130, run.stderr);
  assert.match(
    run.stderr,
    /stsctl: stopped by SIGINT\. \d+ steps? had completed, the last: .+\. Run the same command again to resume/,
  );
  // The step named last is one the run printed before the stop (the distribution was created).
  const last = /the last: (.+)\. Run the same command/.exec(run.stderr)?.[1];
  assert.ok(last !== undefined);
  const printed = run.stderr.slice(0, run.stderr.indexOf('stsctl: stopped')).split('\n');
  assert.ok(printed.includes(last), `"${last}" was printed before the stop`);
  assert.ok(printed.some((l) => /^CloudFront distribution created with ID \w+$/.test(l)));
  assert.ok(run.ms < 5000, `stopped ${run.ms} ms after the signal`);
});

test('SIGTERM exits 143; the same command run again converges on what exists', async () => {
  const run = await interruptWhileDeploying('term', 'SIGTERM');
  assert.equal(run.code, 143, run.stderr);
  assert.match(run.stderr, /stsctl: stopped by SIGTERM\./);
  // Let the distribution finish deploying, then re-run: it finds what the stopped run made.
  sb.gateway.setInProgressMs(0);
  const again = await runStsctl(['create-all', ...flags('term')], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Found existing CloudFront distribution/);
  const plan = await runStsctl(['plan', ...flags('term')], { env });
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /No changes/);
});
