/**
 * The Reporter port lives in src/core/reporter.ts (below src/aws, which reports through it); this
 * module keeps the path library callers have imported it from.
 */
export { RecordingReporter, silentReporter, type Reporter } from '../core/reporter.js';
export {
  progressLevel,
  progressText,
  type ProgressCode,
  type ProgressEvent,
  type ProgressEvents,
  type ProgressLevel,
} from '../core/progress.js';
