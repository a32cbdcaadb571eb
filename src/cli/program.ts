import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { StsctlError } from '../core/errors.js';
import { createConsoleReporter, useColour } from './console-reporter.js';
import { addCreateCommands, addPlanAndDeleteCommands } from './create-commands.js';
import { CliExit, EXIT, type CliIo } from './io.js';
import { addTokenCommands } from './token-commands.js';
import { addSandboxCommands } from './sandbox-commands.js';
import { addDoctorCommands } from './doctor-commands.js';
import { addRotateCommands } from './rotate-commands.js';
import { addServeCommands } from './serve-commands.js';
import { addFleetCommands } from './fleet-commands.js';
import pc from 'picocolors';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export interface RunOptions {
  readonly io: CliIo;
  /** Injected clock (tests freeze it). */
  readonly now?: () => Date;
}

/** Builds the command tree. */
export function buildProgram(options: RunOptions): Command {
  const { io } = options;
  const program = new Command('stsctl');
  program
    .description(
      'Set up, prove offline and diagnose AWS STS web-identity credentials for OpenShift and Kubernetes (a drop-in, better `ccoctl aws`).',
    )
    .version(pkg.version, '--version', 'print the version')
    .option('-v, --verbose', 'log every file written and every skipped document', false)
    .option('-q, --quiet', 'log warnings and errors only', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const ctx = {
    io,
    reporter: () => {
      const o = program.opts<{ verbose: boolean; quiet: boolean }>();
      return createConsoleReporter({ stream: io.stderr, verbose: o.verbose, quiet: o.quiet });
    },
  };
  addCreateCommands(program, ctx);
  const aws = program
    .command('aws')
    .summary('ccoctl-compatible spelling: `stsctl aws create-all …` works like `ccoctl aws create-all …`');
  addCreateCommands(aws, ctx);
  addPlanAndDeleteCommands(program, ctx);
  addPlanAndDeleteCommands(aws, ctx);
  addTokenCommands(program, io, options.now ?? (() => new Date()));
  addSandboxCommands(program, io);
  addDoctorCommands(program, io, options.now ?? (() => new Date()));
  addRotateCommands(program, ctx);
  addServeCommands(program, io);
  addFleetCommands(program, io);
  // Sub-commands inherit the parent's output routing and exit override.
  for (const cmd of [...program.commands, ...aws.commands]) {
    cmd
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
      .exitOverride();
    for (const sub of cmd.commands) {
      sub
        .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
        .exitOverride();
    }
  }
  return program;
}

/** Runs the CLI with `argv` (without the node and script entries); returns the exit code. */
export async function runCli(argv: readonly string[], options: RunOptions): Promise<number> {
  const { code, requested } = await run(argv, options);
  // `plan --detailed-exitcode` reserves 2 for "changes to make" (as CI systems expect from
  // terraform's flag of the same name): every error, bad usage included, is then 1.
  if (!requested && code === EXIT.usage && argv.includes('--detailed-exitcode')) return EXIT.failure;
  return code;
}

/** Runs the program: the exit code, and whether the command itself asked for it (`CliExit`). */
async function run(
  argv: readonly string[],
  options: RunOptions,
): Promise<{ readonly code: number; readonly requested: boolean }> {
  const exit = (code: number): { code: number; requested: boolean } => ({ code, requested: false });
  const program = buildProgram(options);
  const c = pc.createColors(useColour(options.io.stderr, options.io.env));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit(EXIT.ok);
  } catch (e) {
    if (e instanceof CliExit) return { code: e.code, requested: true };
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      ) {
        return exit(EXIT.ok);
      }
      // Commander has already printed the message.
      return exit(EXIT.usage);
    }
    if (e instanceof StsctlError) {
      options.io.stderr.write(`${c.red('error:')} ${e.describe()}\n`);
      if (e.hint !== undefined) options.io.stderr.write(`${c.dim('hint:')} ${e.hint}\n`);
      return exit(e.kind === 'usage' ? EXIT.usage : EXIT.failure);
    }
    const message = e instanceof Error ? e.message : String(e);
    options.io.stderr.write(`${c.red('error:')} ${message}\n`);
    if (options.io.env['STSCTL_DEBUG'] !== undefined && e instanceof Error && e.stack !== undefined) {
      options.io.stderr.write(`${e.stack}\n`);
    }
    return exit(EXIT.failure);
  }
}
