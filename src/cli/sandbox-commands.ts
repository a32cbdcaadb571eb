import { Command, Option } from 'commander';
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { StsctlError } from '../core/errors.js';
import {
  AWS_BEHAVIOURS,
  DEFAULT_AWS_BEHAVIOUR,
  isAwsBehaviour,
  type AwsBehaviour,
} from '../webidentity/behaviour.js';
import {
  defaultSandboxDir,
  processAlive,
  readSandboxState,
  removeSandboxState,
  writeSandboxState,
  type SandboxState,
} from '../sandbox/state.js';
import { handOverSignals } from './interrupt.js';
import { SCHEMA_VERSION, type CliIo } from './io.js';

/** `stsctl sandbox up|env|status|down` (and the hidden `run` that `up` starts in the background). */

/** The sandbox itself (moto, gateway, STS, edge: the AWS SDK among them), loaded when a command needs it. */
const lifecycle = () => import('../sandbox/lifecycle.js');

function stateDirOf(io: CliIo, flag: string | undefined): string {
  return resolve(io.cwd, flag ?? defaultSandboxDir(io.env));
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function runningState(dir: string): Promise<SandboxState | undefined> {
  const state = await readSandboxState(dir);
  return state !== undefined && processAlive(state.pid) ? state : undefined;
}

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** `--aws-behaviour`: which AWS the validating STS answers as (src/webidentity/behaviour.ts). */
function awsBehaviourOption(): Option {
  return new Option(
    '--aws-behaviour <profile>',
    `which AWS the validating STS answers as: ${AWS_BEHAVIOURS.join(' (today) or ')} (before the 2026 changes)`,
  ).default(DEFAULT_AWS_BEHAVIOUR);
}

/** The flag's value as a profile; a usage error (exit 2) naming the flag otherwise. */
function awsBehaviourOf(value: string): AwsBehaviour {
  if (isAwsBehaviour(value)) return value;
  throw new StsctlError(
    'INVALID_FLAG',
    `--aws-behaviour must be one of ${AWS_BEHAVIOURS.join(', ')} (got "${value}")`,
  );
}

/** `--iam-propagation-ms`: a whole number of milliseconds, 0 or more. */
function propagationMs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new StsctlError(
      'SANDBOX_OPTION_INVALID',
      `--iam-propagation-ms ${value}: expected a whole number of milliseconds, 0 or more`,
    );
  }
  return n;
}

/** Repeatable option values, collected in order. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The options `up` hands to `run`, which shapes the sandbox. */
interface ShapeOptions {
  readonly awsBehaviour: string;
  readonly iamPropagationMs: string;
  readonly issuerSite: string[];
}

const shapeOptions = (command: Command): Command =>
  command
    .addOption(awsBehaviourOption())
    .option(
      '--iam-propagation-ms <ms>',
      'rehearse IAM eventual consistency: an IAM write becomes visible to STS only after this long',
      '0',
    )
    .option(
      '--issuer-site <host=dir>',
      'serve an issuer host from a directory: <host>[/<path>]=<dir>[,ca=sandbox|private] (repeatable)',
      collect,
      [],
    );

export function addSandboxCommands(program: Command, io: CliIo): void {
  const sandbox = program
    .command('sandbox')
    .summary('Run AWS (moto), a validating STS and "the public internet" on this machine');

  const stateDirOption = (): Option =>
    new Option(
      '--state-dir <dir>',
      'where the sandbox keeps its state (default: $STSCTL_SANDBOX_DIR or ~/.local/state/stsctl/sandbox)',
    );

  shapeOptions(
    sandbox
      .command('run', { hidden: true })
      .description('run the sandbox in the foreground until SIGINT/SIGTERM')
      .addOption(stateDirOption())
      .option('--region <region>', 'default region', 'us-east-1'),
  ).action(async (opts: { stateDir?: string; region: string } & ShapeOptions) => {
    const dir = stateDirOf(io, opts.stateDir);
    const behaviour = awsBehaviourOf(opts.awsBehaviour);
    const iamPropagationMs = propagationMs(opts.iamPropagationMs);
    const { loadIssuerSites } = await import('../sandbox/issuer-site.js');
    const staticSites = await loadIssuerSites(opts.issuerSite, io.cwd);
    const { startSandbox } = await lifecycle();
    const sb = await startSandbox({
      region: opts.region,
      stateDir: dir,
      behaviour,
      iamPropagationMs,
      staticSites,
      stsLogger: {
        info: (m) => io.stderr.write(`${m}\n`),
        warn: (m) => io.stderr.write(`warning: ${m}\n`),
      },
    });
    await writeSandboxState(dir, {
      schemaVersion: 1,
      pid: process.pid,
      region: sb.region,
      startedAt: new Date().toISOString(),
      endpoints: sb.endpoints,
      caBundlePath: sb.caBundlePath,
      logFile: join(dir, 'sandbox.log'),
    });
    io.stderr.write(
      `sandbox ready: AWS ${sb.endpoints.aws}, STS ${sb.endpoints.sts}, edge 127.0.0.1:${sb.endpoints.edgePort}\n`,
    );
    handOverSignals();
    await new Promise<void>((done) => {
      const stop = (): void => {
        done();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await sb.stop();
    await removeSandboxState(dir);
  });

  shapeOptions(
    sandbox
      .command('up')
      .summary('Start the sandbox in the background and wait until it is ready')
      .addOption(stateDirOption())
      .option('--region <region>', 'default region', 'us-east-1')
      .option('--timeout <seconds>', 'how long to wait for it to be ready', '60'),
  ).action(async (opts: { stateDir?: string; region: string; timeout: string } & ShapeOptions) => {
    const dir = stateDirOf(io, opts.stateDir);
    // Checked here, before anything starts: a bad value is the user's to fix (exit 2) and must not
    // leave a half-started sandbox.
    const behaviour = awsBehaviourOf(opts.awsBehaviour);
    const iamPropagationMs = propagationMs(opts.iamPropagationMs);
    const { loadIssuerSites, parseIssuerSiteSpec } = await import('../sandbox/issuer-site.js');
    await loadIssuerSites(opts.issuerSite, io.cwd);
    // `run` starts in the same working directory, but gets absolute directories all the same.
    const siteArgs = opts.issuerSite.flatMap((value) => {
      const spec = parseIssuerSiteSpec(value, io.cwd);
      return [
        '--issuer-site',
        `${spec.host}${spec.pathPrefix}=${spec.dir}${spec.ca === 'private' ? ',ca=private' : ''}`,
      ];
    });
    const existing = await runningState(dir);
    if (existing !== undefined) {
      io.stdout.write(`sandbox already running (pid ${existing.pid}); run: eval "$(stsctl sandbox env)"\n`);
      return;
    }
    await removeSandboxState(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const logFile = join(dir, 'sandbox.log');
    const log = openSync(logFile, 'a', 0o600);
    const main = fileURLToPath(new URL('./main.js', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        main,
        'sandbox',
        'run',
        '--state-dir',
        dir,
        '--region',
        opts.region,
        '--aws-behaviour',
        behaviour,
        '--iam-propagation-ms',
        String(iamPropagationMs),
        ...siteArgs,
      ],
      {
        detached: true,
        stdio: ['ignore', log, log],
        env: io.env,
      },
    );
    closeSync(log);
    child.unref();
    const deadline = Date.now() + Number(opts.timeout) * 1000;
    while (Date.now() < deadline) {
      const state = await readSandboxState(dir);
      if (state !== undefined && state.pid === child.pid) {
        io.stdout.write(
          `sandbox up (pid ${state.pid}): AWS ${state.endpoints.aws}, STS ${state.endpoints.sts}\nrun: eval "$(stsctl sandbox env${opts.stateDir === undefined ? '' : ` --state-dir ${shellQuote(dir)}`})"\n`,
        );
        return;
      }
      if (child.pid === undefined || !processAlive(child.pid)) break;
      await sleep(200);
    }
    if (child.pid !== undefined && processAlive(child.pid)) process.kill(child.pid, 'SIGTERM');
    throw new StsctlError('SANDBOX_START_FAILED', `the sandbox did not become ready; see ${logFile}`, {
      kind: 'failure',
    });
  });

  sandbox
    .command('env')
    .summary('Print the export lines that point AWS clients at the sandbox')
    .addOption(stateDirOption())
    .action(async (opts: { stateDir?: string }) => {
      const state = await runningState(stateDirOf(io, opts.stateDir));
      if (state === undefined)
        throw new StsctlError(
          'SANDBOX_NOT_RUNNING',
          'no sandbox is running; start one with `stsctl sandbox up`',
        );
      const { sandboxEnvironment } = await lifecycle();
      const env = sandboxEnvironment(state.endpoints, state.region, state.caBundlePath);
      io.stdout.write(
        Object.entries(env)
          .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
          .join('\n') + '\n',
      );
    });

  sandbox
    .command('status')
    .summary('Say whether the sandbox runs and its endpoints answer')
    .addOption(stateDirOption())
    .addOption(
      new Option('--output <format>', 'Result format on stdout').choices(['text', 'json']).default('text'),
    )
    .action(async (opts: { stateDir?: string; output: string }) => {
      const state = await runningState(stateDirOf(io, opts.stateDir));
      const checks =
        state === undefined
          ? undefined
          : {
              aws: await reachable(`${state.endpoints.aws}/moto-api/`),
              sts: await reachable(`${state.endpoints.sts}/?Action=GetCallerIdentity&Version=2011-06-15`),
            };
      if (opts.output === 'json') {
        io.stdout.write(
          `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, running: state !== undefined, state: state ?? null, reachable: checks ?? null }, null, 2)}\n`,
        );
      } else if (state === undefined || checks === undefined) {
        io.stdout.write('sandbox: not running\n');
      } else {
        io.stdout.write(
          [
            `sandbox: running (pid ${state.pid}, since ${state.startedAt}, region ${state.region})`,
            `  AWS (gateway → moto)  ${state.endpoints.aws}  ${checks.aws ? 'ok' : 'NOT ANSWERING'}`,
            `  validating STS        ${state.endpoints.sts}  ${checks.sts ? 'ok' : 'NOT ANSWERING'}`,
            `  HTTPS edge            127.0.0.1:${state.endpoints.edgePort}`,
            `  log                   ${state.logFile}`,
          ].join('\n') + '\n',
        );
      }
      if (state === undefined) {
        throw new StsctlError('SANDBOX_DOWN', 'no sandbox is running; start one with `stsctl sandbox up`', {
          kind: 'failure',
        });
      }
    });

  sandbox
    .command('down')
    .summary('Stop the sandbox')
    .addOption(stateDirOption())
    .action(async (opts: { stateDir?: string }) => {
      const dir = stateDirOf(io, opts.stateDir);
      const state = await runningState(dir);
      if (state === undefined) {
        await removeSandboxState(dir);
        io.stdout.write('sandbox: not running\n');
        return;
      }
      process.kill(state.pid, 'SIGTERM');
      const deadline = Date.now() + 15000;
      while (processAlive(state.pid) && Date.now() < deadline) await sleep(100);
      if (processAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
      await removeSandboxState(dir);
      io.stdout.write(`sandbox stopped (pid ${state.pid})\n`);
    });
}
