import type { Hop } from '../findings/registry.js';
import type { CheckResult, Finding } from '../report.js';

/**
 * Builders for check results. A check that found only warnings or infos still "fails" with those
 * findings (they are shown), but only error findings make the component broken.
 */

/** A passed check. */
export function passed(id: string, title: string, hop: Hop, detail: string): CheckResult {
  return { id, title, hop, outcome: { status: 'pass', detail } };
}

/** A check with findings; no findings is a pass with `detail`. */
export function withFindings(
  id: string,
  title: string,
  hop: Hop,
  findings: readonly Finding[],
  detail: string,
): CheckResult {
  return findings.length === 0
    ? passed(id, title, hop, detail)
    : { id, title, hop, outcome: { status: 'fail', findings } };
}

/** A check that could not run: never a finding (STYLE.md §4). */
export function couldNotCheck(id: string, title: string, hop: Hop, reason: string): CheckResult {
  return { id, title, hop, outcome: { status: 'could-not-check', reason } };
}

/** The message of anything thrown. */
export function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
