/**
 * Where library operations report progress. The CLI renders it on stderr; tests collect it.
 * Messages never contain secrets.
 */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** Runs `work` under a progress indicator labelled `label` (a spinner on a terminal). */
  task<T>(label: string, work: () => Promise<T>): Promise<T>;
}

/** A reporter that records messages, for tests and library callers that want them as data. */
export class RecordingReporter implements Reporter {
  readonly messages: { level: 'info' | 'warn' | 'debug'; message: string }[] = [];
  info(message: string): void {
    this.messages.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.messages.push({ level: 'warn', message });
  }
  debug(message: string): void {
    this.messages.push({ level: 'debug', message });
  }
  async task<T>(label: string, work: () => Promise<T>): Promise<T> {
    this.messages.push({ level: 'debug', message: label });
    return work();
  }
}

/** A reporter that drops everything. */
export const silentReporter: Reporter = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  task: (_label, work) => work(),
};
