import type { Tag } from '../../core/iam-documents.js';
import { jsonDiff, parseJson } from '../json-diff.js';
import type { Change, FieldAttribute, FieldChange, ResourceKind } from './types.js';

/** Building blocks the resource planners share. Pure. */

/** Whether `have` lacks any tag of `want` (extra tags of someone else's are left alone). */
export function missingTags(want: readonly Tag[], have: readonly Tag[]): Tag[] {
  return want.filter((t) => !have.some((h) => h.Key === t.Key && h.Value === t.Value));
}

/** A `tags` change when a wanted tag is missing. */
export function tagField(want: readonly Tag[], have: readonly Tag[]): FieldChange[] {
  if (missingTags(want, have).length === 0) return [];
  return [
    {
      attribute: 'tags',
      field: 'tags',
      from: have.map((t) => `${t.Key}=${t.Value}`).join(', ') || '(none)',
      to: want.map((t) => `${t.Key}=${t.Value}`).join(', '),
    },
  ];
}

/** `create` when the resource does not exist, else `update` when a field differs, else `unchanged`. */
export function change(
  kind: ResourceKind,
  id: string,
  exists: boolean,
  fields: FieldChange[],
  notes: string[] = [],
): Change {
  return { kind, id, action: !exists ? 'create' : fields.length > 0 ? 'update' : 'unchanged', fields, notes };
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One change per differing value of a JSON document, labelled `<label>: <path>`. */
export function jsonFields(
  attribute: FieldAttribute,
  label: string,
  observed: string | undefined,
  desired: unknown,
): FieldChange[] {
  return jsonDiff(parseJson(observed), desired).map((d) => ({
    attribute,
    path: d.path,
    field: `${label}: ${d.path}`,
    from: d.from === undefined ? undefined : show(d.from),
    to: show(d.to),
  }));
}
