/**
 * What an IAM principal's identity-based policies (its inline and attached managed policies) say
 * about one action on one resource: IAM's first two steps of policy evaluation, written once for
 * the sandbox (which runs the issuer function with its role's view) and the doctor (which explains
 * why that role cannot read the bucket). S3's own rules (bucket policy, blocks) are the S3 access
 * evaluator's (src/core/s3-access.ts), which takes this outcome as `identityPolicy`.
 *
 * The rules (IAM `reference_policies_evaluation-logic.md`, aws-sts-oidc.md §6): an explicit Deny in
 * any policy overrides any Allow; else any Allow allows; else the implicit deny. Statements match on
 * Action/NotAction (case-insensitive, `*` and `?`) and Resource/NotResource (case-sensitive), the
 * same matchers bucket policies use. Not evaluated: `Condition` blocks (a statement with
 * conditions counts as if they held; stsctl's function role policy has none), permissions
 * boundaries, session policies and organizations' SCPs. Pure.
 */
import {
  statementCoversAction,
  statementCoversResource,
  type BucketPolicyStatement,
} from './s3-access/policy.js';

/** One identity-based policy document of a principal, by the name IAM lists it under. */
export interface IdentityPolicy {
  /** The inline policy's name, or the managed policy's ARN. */
  readonly name: string;
  /** The document's JSON text (already URL-decoded, as IAM's API returns it encoded). */
  readonly document: string;
}

/** The outcome for one action on one resource, and the statement that decided it. */
export type IdentityDecision =
  | {
      readonly effect: 'allow' | 'deny';
      /** The policy ({@link IdentityPolicy.name}) holding the deciding statement. */
      readonly policy: string;
      /** 0-based index of the statement in the policy's `Statement` list. */
      readonly statement: number;
      readonly sid?: string;
    }
  | { readonly effect: 'none' };

function asList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function statementsOf(text: string): BucketPolicyStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // IAM refuses a document that is not JSON (MalformedPolicyDocument): none is ever stored.
    return [];
  }
  if (typeof doc !== 'object' || doc === null) return [];
  const raw = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? [] : [raw];
  const out: BucketPolicyStatement[] = [];
  for (const [index, s] of list.entries()) {
    if (typeof s !== 'object' || s === null) continue;
    const st = s as Record<string, unknown>;
    const field = (k: string): readonly string[] | undefined => asList(st[k]);
    const sid = st['Sid'];
    // IAM stores only `Allow` and `Deny`; anything else grants nothing (never read as an Allow).
    if (st['Effect'] !== 'Allow' && st['Effect'] !== 'Deny') continue;
    out.push({
      index,
      ...(typeof sid === 'string' ? { sid } : {}),
      effect: st['Effect'],
      conditions: [],
      ...(field('Action') === undefined ? {} : { action: field('Action') ?? [] }),
      ...(field('NotAction') === undefined ? {} : { notAction: field('NotAction') ?? [] }),
      ...(field('Resource') === undefined ? {} : { resource: field('Resource') ?? [] }),
      ...(field('NotResource') === undefined ? {} : { notResource: field('NotResource') ?? [] }),
    });
  }
  return out;
}

/**
 * Decides `action` on `resourceArn` from a principal's identity policies: the first explicit Deny
 * found (in policy order) wins, else the first Allow, else `none` (IAM's implicit deny).
 * @param policies the principal's inline and attached managed policies
 * @param action e.g. `s3:GetObject`
 * @param resourceArn e.g. `arn:aws:s3:::demo-oidc/keys.json`
 */
export function evaluateIdentityPolicies(
  policies: readonly IdentityPolicy[],
  action: string,
  resourceArn: string,
): IdentityDecision {
  let allow: IdentityDecision | undefined;
  for (const policy of policies) {
    for (const s of statementsOf(policy.document)) {
      if (!statementCoversAction(s, action) || !statementCoversResource(s, resourceArn)) continue;
      const decided = {
        policy: policy.name,
        statement: s.index,
        ...(s.sid === undefined ? {} : { sid: s.sid }),
      };
      if (s.effect === 'Deny') return { effect: 'deny', ...decided };
      allow ??= { effect: 'allow', ...decided };
    }
  }
  return allow ?? { effect: 'none' };
}

/** The decision in words, e.g. `statement 0 (ReadIssuerDocuments) of policy demo-oidc allows`. */
export function describeIdentityDecision(d: IdentityDecision): string {
  if (d.effect === 'none') return 'no statement of any identity policy allows it (implicit deny)';
  const sid = d.sid === undefined ? '' : ` (${d.sid})`;
  return `statement ${d.statement}${sid} of policy ${d.policy} ${d.effect === 'deny' ? 'explicitly denies' : 'allows'} it`;
}
