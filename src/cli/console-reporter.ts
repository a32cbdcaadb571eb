import ora from 'ora';
import pc from 'picocolors';
import type { Reporter } from '../commands/reporter.js';

/**
 * The CLI's reporter: progress and logs on stderr (stdout is for results), colour only on a
 * terminal and never with NO_COLOR, a spinner only on a terminal.
 */
export interface ConsoleReporterOptions {
  readonly stream: NodeJS.WriteStream;
  readonly verbose: boolean;
  readonly quiet: boolean;
}

export function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');
}

export function createConsoleReporter(options: ConsoleReporterOptions): Reporter {
  const colour = useColour(options.stream);
  const c = pc.createColors(colour);
  const write = (line: string): void => {
    options.stream.write(`${line}\n`);
  };
  return {
    info(message) {
      if (!options.quiet) write(message);
    },
    warn(message) {
      write(`${c.yellow('warning:')} ${message}`);
    },
    debug(message) {
      if (options.verbose) write(c.dim(message));
    },
    async task(label, work) {
      if (!options.stream.isTTY || options.quiet) return work();
      const spinner = ora({ text: label, stream: options.stream, color: 'cyan', isEnabled: true }).start();
      try {
        const result = await work();
        spinner.succeed();
        return result;
      } catch (e) {
        spinner.fail();
        throw e;
      }
    },
  };
}
