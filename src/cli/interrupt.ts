/**
 * SIGINT and SIGTERM stop a command at once and say so: what had completed, and that running the
 * same command again resumes (every step of stsctl is safe to repeat: a re-run observes what
 * exists and continues from there). Exit 130 (SIGINT) or 143 (SIGTERM), the shells' 128 + signal
 * number, so scripts can tell an interrupted run from a failed one.
 *
 * Node's default for these signals is to die silently with that status; a spinner that puts the
 * terminal's input in raw mode can swallow Ctrl-C altogether (ora's `discardStdin`, off in
 * console-reporter.ts), so the CLI installs its own handlers.
 */

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT;

/** What the run has completed so far (progress lines, oldest first), for the stop message. */
const completed: string[] = [];
let installed: { readonly handlers: Map<HandledSignal, () => void> } | undefined;

/** Records a completed step (the console reporter calls this for every progress line). */
export function recordCompleted(step: string): void {
  completed.push(step);
}

/** The line printed when a signal stops the run. */
export function interruptMessage(signal: HandledSignal, steps: readonly string[]): string {
  const done =
    steps.length === 0
      ? 'Nothing had completed.'
      : `${steps.length} step${steps.length === 1 ? '' : 's'} had completed, the last: ${steps[steps.length - 1] ?? ''}.`;
  return `stsctl: stopped by ${signal}. ${done} Run the same command again to resume: it continues from what exists.`;
}

/** Installs the handlers (once per process); `exit` is injectable for tests. */
export function installInterruptHandlers(
  stderr: NodeJS.WritableStream,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (installed !== undefined) return;
  const handlers = new Map<HandledSignal, () => void>();
  for (const signal of Object.keys(SIGNAL_EXIT) as HandledSignal[]) {
    const handler = (): void => {
      stderr.write(`\n${interruptMessage(signal, completed)}\n`);
      exit(SIGNAL_EXIT[signal]);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  installed = { handlers };
}

/**
 * For commands that run until stopped and shut down by themselves on a signal (`sandbox run`,
 * `serve`): removes the handlers above so the command's own graceful shutdown decides the exit.
 */
export function handOverSignals(): void {
  if (installed === undefined) return;
  for (const [signal, handler] of installed.handlers) process.off(signal, handler);
  installed = undefined;
}
