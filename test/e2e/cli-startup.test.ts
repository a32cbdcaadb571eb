import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, REPO_ROOT } from '../helpers/repo.js';

/**
 * The CLI loads a command's modules only when that command runs: `--version` loads nothing but
 * its entry point, and `--help` (of any command) loads no AWS SDK module. Each run is traced by a
 * loader hook (test/helpers/module-trace-*.mjs) that records every module URL the process resolves.
 */

const REGISTER = pathToFileURL(join(REPO_ROOT, 'test', 'helpers', 'module-trace-register.mjs')).href;

interface TracedRun {
  readonly code: number;
  readonly stdout: string;
  readonly modules: readonly string[];
}

function runTraced(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<TracedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'stsctl-trace-'));
  const trace = join(dir, 'modules.txt');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REGISTER, CLI, ...args], {
      env: { ...process.env, NO_COLOR: '1', STSCTL_MODULE_TRACE: trace, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      const modules = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, stdout, modules: [...new Set(modules)] });
    });
  });
}

const isAwsSdk = (url: string): boolean => /\/node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//.test(url);
const ours = (modules: readonly string[]): string[] =>
  modules.filter((m) => m.startsWith('file:') && !m.includes('/node_modules/'));

test('--version prints the package version and loads nothing but the entry point', async () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const run = await runTraced(['--version']);
  assert.equal(run.code, 0);
  assert.equal(run.stdout, `${pkg.version}\n`);
  assert.deepEqual(
    run.modules.filter((m) => m.startsWith('file:')),
    [pathToFileURL(CLI).href],
    'only dist/cli/main.js is loaded',
  );
});

for (const args of [
  ['--help'],
  ['create-all', '--help'],
  ['aws', 'create-all', '--help'],
  ['plan', '--help'],
  ['delete', '--help'],
  ['doctor', '--help'],
  ['sandbox', '--help'],
  ['rotate-keys', 'add', '--help'],
  ['token', 'mint', '--help'],
  ['serve', '--help'],
  ['fleet', 'list', '--help'],
]) {
  test(`stsctl ${args.join(' ')} loads no AWS SDK module and no command implementation`, async () => {
    const run = await runTraced(args);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Usage: stsctl/);
    assert.deepEqual(run.modules.filter(isAwsSdk), []);
    // Only the command definitions (dist/cli) and the light modules they use for flag checks are
    // loaded (core, and the sandbox's state file reader: node:fs and node:path only); the
    // provisioning engine, doctor, sandbox servers, STS and issuer server are not.
    const heavy = ours(run.modules).filter(
      (m) =>
        /\/dist\/(aws|commands|doctor|sandbox|sts|net|serve)\//.test(m) &&
        !m.endsWith('/dist/sandbox/state.js'),
    );
    assert.deepEqual(heavy, []);
  });
}

test('the trace sees lazily loaded modules: a real command loads its implementation', async () => {
  // Without this, the assertions above would also hold for a tracer that saw nothing. The "AWS"
  // here refuses every call with a non-retryable AccessDenied, so the command fails at once.
  const denied = createServer((_req, res) => {
    res.writeHead(403, { 'content-type': 'text/xml' });
    res.end(
      '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error><RequestId>1</RequestId></ErrorResponse>',
    );
  });
  await new Promise<void>((r) => denied.listen(0, '127.0.0.1', r));
  const home = mkdtempSync(join(tmpdir(), 'stsctl-trace-home-'));
  try {
    const run = await runTraced(['delete', '--name', 'c1', '--region', 'us-east-1', '--dry-run'], {
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(denied.address() as AddressInfo).port}`,
    });
    assert.notEqual(run.code, 0, 'every AWS call is denied');
    assert.ok(run.modules.some(isAwsSdk), 'the AWS SDK was loaded for a real command');
    assert.ok(ours(run.modules).some((m) => m.endsWith('/dist/commands/delete.js')));
  } finally {
    denied.close();
    rmSync(home, { recursive: true, force: true });
  }
});
