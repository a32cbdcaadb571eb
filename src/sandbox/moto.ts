/**
 * moto_server as a child process on a free loopback port.
 *
 * moto is the third-party AWS emulator the sandbox builds on (S3, IAM, CloudFront). It runs in the
 * machine's Python; we start it through a tiny Python wrapper that exits as soon as its stdin pipe
 * closes, so the server dies with its parent even when the parent is killed with SIGKILL and no
 * `exit` handler runs. An `exit` handler kills it too, for the ordinary case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { StsctlError } from '../core/errors.js';

/** Options for {@link startMoto}. */
export interface StartMotoOptions {
  /** Python interpreter with moto installed. Default `STSCTL_PYTHON` or `python3`. */
  readonly python?: string;
  /** Port to bind; default 0 = a free port chosen by the OS. */
  readonly port?: number;
  /** How long to wait for moto to answer, ms. Default 20000. */
  readonly startTimeoutMs?: number;
  /** Extra environment for the child (e.g. `MOTO_ALLOW_NONEXISTENT_REGION`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running moto_server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Forgets every resource in every backend (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 3000). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs `moto.server.main` and exits when stdin reaches EOF (the parent died or closed the pipe).
 * `os._exit` skips Python's shutdown, which can hang on werkzeug's serving thread.
 */
const WRAPPER = [
  'import os, sys, threading',
  'def _watch():',
  '    try:',
  '        while sys.stdin.buffer.read(65536):',
  '            pass',
  '    finally:',
  '        os._exit(0)',
  'threading.Thread(target=_watch, daemon=True).start()',
  'from moto.server import main',
  'main(sys.argv[1:])',
].join('\n');

/** Finds a free TCP port on 127.0.0.1 (bind port 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new StsctlError('MOTO_START_FAILED', 'could not allocate a port for moto_server'));
      });
    });
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous; kill() is.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function startOnce(options: StartMotoOptions, port: number): Promise<MotoServer> {
  const python = options.python ?? process.env['STSCTL_PYTHON'] ?? 'python3';
  const child = spawn(python, ['-c', WRAPPER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  live.add(child);
  installExitHook();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    // Keep a bounded tail for error messages; moto logs one line per request.
    stderr = (stderr + chunk).slice(-8192);
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve();
    });
  });
  child.on('error', (err) => {
    spawnError = err;
  });
  // The stdin pipe is the lifeline; don't let it keep our event loop alive.
  child.stdin.on('error', () => undefined);
  const endpoint = `http://127.0.0.1:${port}`;

  const stop = async (graceMs = 3000): Promise<void> => {
    if (exited !== undefined || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20000);
  for (;;) {
    if (spawnError !== undefined) {
      live.delete(child);
      throw new StsctlError(
        'MOTO_START_FAILED',
        `could not start moto_server with ${python}: ${spawnError.message}`,
        {
          cause: spawnError,
        },
      );
    }
    if (exited !== undefined) {
      throw new StsctlError(
        'MOTO_START_FAILED',
        `moto_server exited (code ${String(exited.code)}, signal ${String(exited.signal)}) before answering on ${endpoint}\n${tail(stderr)}`,
      );
    }
    if (await answers(endpoint)) break;
    if (Date.now() > deadline) {
      await stop(500);
      throw new StsctlError(
        'MOTO_START_FAILED',
        `moto_server did not answer on ${endpoint} within ${options.startTimeoutMs ?? 20000} ms\n${tail(stderr)}`,
      );
    }
    await sleep(100);
  }
  const pid = child.pid;
  if (pid === undefined) throw new StsctlError('MOTO_START_FAILED', 'moto_server has no pid');
  return {
    endpoint,
    port,
    pid,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, {
        method: 'POST',
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new StsctlError('MOTO_RESET_FAILED', `moto reset failed: HTTP ${res.status}`);
    },
    stop,
  };
}

/**
 * Starts `moto_server` on 127.0.0.1 and waits until it answers.
 *
 * With port 0 a free port is picked first; since another process could take it before moto binds,
 * a start that fails that way is retried twice on a new port.
 * @throws Error with the tail of moto's stderr when it exits or does not answer in time.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const attempts = options.port !== undefined && options.port !== 0 ? 1 : 3;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
    try {
      return await startOnce(options, port);
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error) || !/Address already in use/.test(err.message)) throw err;
    }
  }
  throw lastError instanceof Error
    ? lastError
    : new StsctlError('MOTO_START_FAILED', 'moto_server did not start');
}
