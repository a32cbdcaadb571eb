import {
  progressEvent,
  progressLevel,
  progressText,
  type ProgressCode,
  type ProgressEvent,
  type ProgressEvents,
  type ProgressLevel,
} from './progress.js';

/**
 * Where library operations report progress: a port below every layer that reports (aws,
 * commands), implemented by the CLI (stderr) and by callers that want the events as data.
 * Events carry a stable code and data (src/core/progress.ts); words are derived from them there.
 */
export interface Reporter {
  /** One event (e.g. `emit('role.created', { roleName, arn })`). */
  emit<C extends ProgressCode>(code: C, data: ProgressEvents[C]): void;
  /**
   * Runs `work` under a progress indicator for the event `code` (a spinner on a terminal), for
   * steps that take long enough to be watched (key generation, CloudFront deployment).
   */
  task<T, C extends ProgressCode>(code: C, data: ProgressEvents[C], work: () => Promise<T>): Promise<T>;
}

/** A reporter that records the events, for tests and library callers that want them as data. */
export class RecordingReporter implements Reporter {
  readonly events: ProgressEvent[] = [];

  emit<C extends ProgressCode>(code: C, data: ProgressEvents[C]): void {
    this.events.push(progressEvent(code, data));
  }

  async task<T, C extends ProgressCode>(
    code: C,
    data: ProgressEvents[C],
    work: () => Promise<T>,
  ): Promise<T> {
    this.events.push(progressEvent(code, data));
    return work();
  }

  /** The events as a person would read them, with their level. */
  get messages(): { level: ProgressLevel; message: string }[] {
    return this.events.map((e) => ({ level: progressLevel(e), message: progressText(e) }));
  }

  /** The data of every recorded event with `code`, in order. */
  dataOf<C extends ProgressCode>(code: C): ProgressEvents[C][] {
    return this.events.filter((e) => e.code === code).map((e) => e.data as ProgressEvents[C]);
  }
}

/** A reporter that drops everything. */
export const silentReporter: Reporter = {
  emit: () => undefined,
  task: (_code, _data, work) => work(),
};
