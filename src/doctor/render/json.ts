import type { DoctorReport } from '../report.js';

/**
 * The JSON form: the report as is (it is data, with `schemaVersion`), one document, two-space
 * indentation and a final newline. Tokens are never part of a report, so none can leak here.
 */
export function renderJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
