import { StsctlError } from '../../core/errors.js';
import type { Observed } from '../model.js';
import type { Plan } from '../plan/types.js';
import { observedDigest } from './digest.js';

/**
 * `create-all --plan plan.json`: the reviewed plan (`stsctl plan --output json`) is applied only
 * while the account is as it was when the plan was made. The plan records an `observed` digest per
 * resource; before the first change the run observes again and refuses (exit 2, nothing changed)
 * a plan made for other flags, another account, or an account that has drifted since. Pure.
 */

export interface ReviewedChange {
  readonly kind: string;
  readonly id: string;
  readonly action: string;
  readonly attributes: readonly string[];
  readonly observed: string;
}

export interface ReviewedPlan {
  readonly file: string;
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly changes: readonly ReviewedChange[];
}

function invalid(file: string, field: string, problem: string): StsctlError {
  return new StsctlError('INVALID_PLAN_FILE', `${file}: ${field} ${problem}`, { file, path: field });
}

function str(o: Record<string, unknown>, key: string, file: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw invalid(file, `${at}${key}`, 'must be a non-empty string');
  return v;
}

/** Parses and checks the plan file's shape; `file` names it in errors. */
export function parseReviewedPlan(text: string, file: string): ReviewedPlan {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw invalid(file, '(document)', `is not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw invalid(file, '(document)', 'must be a JSON object');
  const o = doc as Record<string, unknown>;
  if (o['schemaVersion'] !== 1) throw invalid(file, 'schemaVersion', 'must be 1');
  if (o['command'] !== 'plan')
    throw invalid(file, 'command', 'must be "plan" (the output of `stsctl plan --output json`)');
  if (!Array.isArray(o['changes'])) throw invalid(file, 'changes', 'must be a list');
  const changes = (o['changes'] as unknown[]).map((c, i): ReviewedChange => {
    const at = `changes[${i}].`;
    if (typeof c !== 'object' || c === null) throw invalid(file, `changes[${i}]`, 'must be an object');
    const r = c as Record<string, unknown>;
    const observed = r['observed'];
    if (typeof observed !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(observed))
      throw invalid(
        file,
        `${at}observed`,
        'must be a sha256 digest (plans from stsctl before manual mode lack it: make a new plan)',
      );
    const fields = Array.isArray(r['fields']) ? (r['fields'] as unknown[]) : [];
    return {
      kind: str(r, 'kind', file, at),
      id: str(r, 'id', file, at),
      action: str(r, 'action', file, at),
      attributes: [
        ...new Set(
          fields.map((f) =>
            typeof f === 'object' &&
            f !== null &&
            typeof (f as { attribute?: unknown }).attribute === 'string'
              ? (f as { attribute: string }).attribute
              : '',
          ),
        ),
      ].sort(),
      observed,
    };
  });
  return {
    file,
    name: str(o, 'name', file, ''),
    region: str(o, 'region', file, ''),
    accountId: str(o, 'accountId', file, ''),
    changes,
  };
}

const key = (c: { kind: string; id: string }): string => `${c.kind} ${c.id}`;

/**
 * Throws PLAN_MISMATCH when the plan was made for another cluster, region, account or set of
 * resources than `current` (this run's plan), and PLAN_STALE, naming each resource, when what
 * the account holds differs from what the plan observed.
 */
export function checkReviewedPlan(reviewed: ReviewedPlan, current: Plan, observed: Observed): void {
  const f = reviewed.file;
  for (const [what, want, have] of [
    ['cluster name', reviewed.name, current.name],
    ['region', reviewed.region, current.region],
    ['account', reviewed.accountId, current.accountId],
  ] as const) {
    if (want !== have)
      throw new StsctlError('PLAN_MISMATCH', `${f} was made for ${what} ${want}; this run is for ${have}`, {
        file: f,
      });
  }
  const planned = new Set(reviewed.changes.map(key));
  const now = new Set(current.changes.map(key));
  const missing = [...planned].filter((k) => !now.has(k));
  const extra = [...now].filter((k) => !planned.has(k));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`the plan names ${missing.join(', ')}, which this run does not`] : []),
      ...(extra.length > 0
        ? [`this run also manages ${extra.join(', ')}, which the plan does not name`]
        : []),
    ];
    throw new StsctlError('PLAN_MISMATCH', `${f} was made for other flags: ${parts.join('; ')}`, { file: f });
  }
  const drifted: string[] = [];
  for (const r of reviewed.changes) {
    if (observedDigest(observed, r as { kind: Plan['changes'][number]['kind']; id: string }) === r.observed)
      continue;
    const c = current.changes.find((x) => key(x) === key(r));
    const attrs = [...new Set((c?.fields ?? []).map((x) => x.attribute))].sort();
    const how =
      c === undefined || (c.action === r.action && attrs.join(',') === r.attributes.join(','))
        ? 'differs from what the plan observed'
        : `was planned as ${r.action}${r.attributes.length > 0 ? ` (${r.attributes.join(', ')})` : ''}, is now ${c.action}${attrs.length > 0 ? ` (${attrs.join(', ')})` : ''}`;
    drifted.push(`${key(r)} ${how}`);
  }
  if (drifted.length > 0)
    throw new StsctlError(
      'PLAN_STALE',
      `the account changed since ${f} was made, nothing was changed: ${drifted.join('; ')}`,
      { file: f },
    );
}
