import { CLIENT_IDS } from '../operations.js';
import { change, tagField } from './fields.js';
import { KNOWN_AFTER_APPLY, type Change, type FieldChange, type PlanContext } from './types.js';

/**
 * The IAM OIDC provider (attributes `clientIds`, `thumbprints`, `tags`). Client IDs and
 * thumbprints are only ever added to: one someone else registered may be in use. Pure.
 */
export function planProvider(ctx: PlanContext): Change {
  const { desired } = ctx;
  const p = ctx.observed.provider;
  const fields: FieldChange[] = [];
  if (p !== undefined) {
    const missingIds = CLIENT_IDS.filter((id) => !p.clientIds.includes(id));
    if (missingIds.length > 0)
      fields.push({
        attribute: 'clientIds',
        field: 'client IDs',
        from: p.clientIds.join(', '),
        to: [...p.clientIds, ...missingIds].join(', '),
      });
    const thumbs = desired.thumbprints ?? [];
    // IAM compares thumbprints case-insensitively (40 hex digits, either case; IAM API reference).
    const upper = p.thumbprints.map((t) => t.toUpperCase());
    if (thumbs.length > 0 && !thumbs.every((t) => upper.includes(t.toUpperCase()))) {
      fields.push({
        attribute: 'thumbprints',
        field: 'thumbprints',
        from: p.thumbprints.join(', ') || '(none)',
        to: thumbs.join(', '),
      });
    }
    fields.push(...tagField(desired.tags, p.tags));
  }
  return change('oidc-provider', ctx.hostPath ?? KNOWN_AFTER_APPLY, p !== undefined, fields);
}
