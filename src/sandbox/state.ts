import { readFile, rm, writeFile, mkdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SandboxEndpoints } from './lifecycle.js';

/**
 * The state file of a sandbox started by `stsctl sandbox up`: where its endpoints are, which process
 * runs it, and its CA bundle. `sandbox env`, `status` and `down` read it.
 */
export interface SandboxState {
  readonly schemaVersion: 1;
  readonly pid: number;
  readonly region: string;
  readonly startedAt: string;
  readonly endpoints: SandboxEndpoints;
  readonly caBundlePath: string | undefined;
  readonly logFile: string;
}

/** `--state-dir`, else `STSCTL_SANDBOX_DIR`, else `$XDG_STATE_HOME/stsctl/sandbox` (`~/.local/state/...`). */
export function defaultSandboxDir(env: NodeJS.ProcessEnv): string {
  const explicit = env['STSCTL_SANDBOX_DIR'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const stateHome = env['XDG_STATE_HOME'];
  return join(
    stateHome !== undefined && stateHome !== '' ? stateHome : join(homedir(), '.local', 'state'),
    'stsctl',
    'sandbox',
  );
}

export const STATE_FILE = 'state.json';

export async function writeSandboxState(dir: string, state: SandboxState): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `${STATE_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, join(dir, STATE_FILE));
}

export async function readSandboxState(dir: string): Promise<SandboxState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { schemaVersion?: unknown };
    // A state file from another stsctl version is treated as absent.
    return parsed.schemaVersion === 1 ? (parsed as SandboxState) : undefined;
  } catch {
    return undefined;
  }
}

export async function removeSandboxState(dir: string): Promise<void> {
  await rm(join(dir, STATE_FILE), { force: true });
}

/** Whether a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
