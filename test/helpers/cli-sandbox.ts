import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/lifecycle.js';
import { sandboxCliEnv } from './cli.js';

/** What an end-to-end file needs to run the built CLI against its own sandbox. */
export interface CliSandbox {
  readonly sb: Sandbox;
  /** A fresh temporary folder (the sandbox's state is in `sandbox/` below it), removed after. */
  readonly tmp: string;
  /** The environment `stsctl sandbox env` prints, with HOME and the AWS config files in `tmp`. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Starts a sandbox before the file's tests and stops it after, in a temporary folder named after
 * `prefix`; `ready` receives it once started (assign its parts to the file's own variables).
 */
export function cliSandbox(
  prefix: string,
  options: Omit<SandboxOptions, 'stateDir'>,
  ready: (box: CliSandbox) => void,
): void {
  let box: CliSandbox | undefined;
  before(async () => {
    const tmp = mkdtempSync(join(tmpdir(), prefix));
    const sb = await startSandbox({ ...options, stateDir: join(tmp, 'sandbox') });
    box = { sb, tmp, env: sandboxCliEnv(sb.env(), tmp) };
    ready(box);
  });
  after(async () => {
    if (box === undefined) return;
    await box.sb.stop();
    rmSync(box.tmp, { recursive: true, force: true });
  });
}
