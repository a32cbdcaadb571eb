import pc from 'picocolors';
import { recordCompleted } from './interrupt.js';
import { progressEvent, progressLevel, progressText } from '../core/progress.js';
import type { Reporter } from '../core/reporter.js';

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

/**
 * A spinner redraws its line in place, which needs a terminal that reports its width: on a
 * terminal that says it has 0 columns (some CI pseudo-terminals, `stty cols 0`) ora's line
 * arithmetic never settles and it writes escape codes without end.
 */
export function spinnerUsable(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY && Number.isFinite(stream.columns) && stream.columns > 0;
}

/** The CLI's reporter: each event's text (src/core/progress.ts) at its level. */
export function createConsoleReporter(options: ConsoleReporterOptions): Reporter {
  const colour = useColour(options.stream);
  const c = pc.createColors(colour);
  const write = (line: string): void => {
    options.stream.write(`${line}\n`);
  };
  return {
    emit(code, data) {
      const event = progressEvent(code, data);
      const message = progressText(event);
      const level = progressLevel(event);
      if (level === 'warn') write(`${c.yellow('warning:')} ${message}`);
      else if (level === 'debug') {
        if (options.verbose) write(c.dim(message));
      } else {
        recordCompleted(message);
        if (!options.quiet) write(message);
      }
    },
    async task(code, data, work) {
      if (options.quiet) return work();
      const text = progressText(progressEvent(code, data));
      // Without a spinner (not a terminal, or one without a usable width) a long step is one plain
      // line, so a log shows what the run was waiting for.
      if (!spinnerUsable(options.stream)) {
        write(`${text}…`);
        return work();
      }
      // ora (and its terminal helpers) load only when a spinner is shown.
      const { default: ora } = await import('ora');
      const spinner = ora({
        text,
        stream: options.stream,
        color: 'cyan',
        isEnabled: true,
        // Raw-mode stdin would swallow Ctrl-C (interrupt.ts handles SIGINT).
        discardStdin: false,
      }).start();
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
