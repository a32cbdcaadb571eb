import { createHash } from 'node:crypto';
import { StsctlError } from '../../core/errors.js';
import type { Observed, ObservedRole } from '../model.js';
import type { Change, Plan } from '../plan/types.js';

/**
 * Digests that tie a reviewed plan to the account it was made from: the plan's own hash (printed
 * in exported scripts and templates) and one `observed` digest per resource (what observe read,
 * canonicalised), which `create-all --plan` compares with a fresh observation before changing
 * anything. Pure (node:crypto hashes only).
 */

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** `sha256:<hex>` of the canonical JSON of a plan document (as `stsctl plan --output json` prints it). */
export function planHash(planDocument: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(planDocument)).digest('hex')}`;
}

/** A policy or document text as a value, so formatting alone is no drift; invalid JSON stays text. */
function jsonValue(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

type ObservedState = (observed: Observed, id: string) => unknown;

/**
 * What each resource kind's digest covers: the observed state the plan's decision rests on.
 * A distribution's `status` is left out: it moves from InProgress to Deployed by itself.
 * One function per kind; a kind without one is an error, never a silently missing digest.
 */
const OBSERVED_STATE: Readonly<Record<Change['kind'], ObservedState>> = {
  'function-role': (o) => roleState(o.issuerFunction?.role),
  function: (o) => o.issuerFunction?.function ?? null,
  'function-url': (o) => o.issuerFunction?.url ?? null,
  'function-permission': (o) => jsonValue(o.issuerFunction?.policy),
  bucket: (o) =>
    o.bucket.exists ? { region: o.bucket.region ?? null, tags: sortedTags(o.bucket.tags) } : null,
  'public-access-block': (o) => o.bucket.publicAccessBlock ?? null,
  'origin-access-control': (o) => o.originAccessControl ?? null,
  distribution: (o) => {
    if (o.distribution === undefined) return null;
    const { status: _status, tags, ...rest } = o.distribution;
    return { ...rest, tags: sortedTags(tags) };
  },
  'bucket-policy': (o) => jsonValue(o.bucket.policy),
  'discovery-document': (o) => o.bucket.discovery ?? null,
  jwks: (o) => o.bucket.jwks ?? null,
  'oidc-provider': (o) =>
    o.provider === undefined
      ? null
      : {
          ...o.provider,
          clientIds: [...o.provider.clientIds].sort(),
          thumbprints: o.provider.thumbprints.map((t) => t.toUpperCase()).sort(),
          tags: sortedTags(o.provider.tags),
        },
  role: (o, id) => roleState(o.roles.get(id)),
};

function roleState(r: ObservedRole | undefined): unknown {
  if (r === undefined) return null;
  return {
    ...r,
    trustPolicy: jsonValue(r.trustPolicy),
    inlinePolicy: jsonValue(r.inlinePolicy),
    tags: sortedTags(r.tags),
  };
}

function sortedTags(tags: readonly { Key: string; Value: string }[]): string[] {
  return tags.map((t) => `${t.Key}=${t.Value}`).sort();
}

/** The `observed` digest of one planned resource. */
export function observedDigest(observed: Observed, change: Pick<Change, 'kind' | 'id'>): string {
  const state = Object.hasOwn(OBSERVED_STATE, change.kind)
    ? OBSERVED_STATE[change.kind](observed, change.id)
    : undefined;
  if (state === undefined)
    throw new StsctlError(
      'EXPORT_UNKNOWN_KIND',
      `the plan holds a resource of kind "${change.kind}" (${change.id}) that stsctl cannot record the observed state of`,
      { kind: 'failure' },
    );
  return `sha256:${createHash('sha256')
    .update(canonicalJson({ kind: change.kind, id: change.id, state }))
    .digest('hex')}`;
}

/** The plan with each change's `observed` digest (additive to the plan JSON; schemaVersion stays 1). */
export function withObservedDigests(p: Plan, observed: Observed): Plan {
  return { ...p, changes: p.changes.map((c) => ({ ...c, observed: observedDigest(observed, c) })) };
}
