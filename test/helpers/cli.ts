import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI } from './repo.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the built `stsctl` with `args`; resolves when it exits. */
export function runStsctl(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return runNodeScript(CLI, args, options);
}

/** Spawns `node script args` (NO_COLOR set); resolves when it exits. */
export function runNodeScript(
  script: string,
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The environment of a CLI run against a sandbox: what `stsctl sandbox env` prints, with HOME and
 * the shared AWS config files pointed at an empty place so nothing of the machine's leaks in.
 */
export function sandboxCliEnv(sandboxEnv: Record<string, string>, home: string): NodeJS.ProcessEnv {
  return {
    ...sandboxEnv,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
  };
}
