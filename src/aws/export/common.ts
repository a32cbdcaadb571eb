import { StsctlError } from '../../core/errors.js';
import type { Change } from '../plan/types.js';

/** What every exporter shares. Pure. */

export interface ExportOptions {
  /** `sha256:<hex>` of the plan document (src/aws/export/digest.ts). */
  readonly planHash: string;
  /** stsctl's version, for the header. */
  readonly version: string;
}

export type ExportFormat = 'aws-cli' | 'cloudformation';

/** `+ create role demo-…` / `~ update role … (trustPolicy, tags)`: one line per pending change. */
export function describeChange(c: Change): string {
  const attributes = [...new Set(c.fields.map((f) => f.attribute))];
  const sign = c.action === 'create' ? '+' : c.action === 'update' ? '~' : '=';
  return `  ${sign} ${c.action} ${c.kind} ${c.id}${attributes.length > 0 ? ` (${attributes.join(', ')})` : ''}`;
}

/**
 * The renderer of a change's kind. A kind the exporter has no renderer for (a hosting added to the
 * planner but not yet here) is an error: an export never silently leaves a change out.
 */
export function changeRenderer<F>(
  renderers: Readonly<Record<string, F>>,
  c: Change,
  format: ExportFormat,
): F {
  if (!Object.hasOwn(renderers, c.kind)) {
    throw new StsctlError(
      'EXPORT_UNKNOWN_KIND',
      `the plan holds a ${c.action} of a resource of kind "${c.kind}" (${c.id}) that --export ${format} cannot render`,
      { kind: 'failure', hint: 'apply this plan with create-all, or use a stsctl version that exports it' },
    );
  }
  return renderers[c.kind] as F;
}
