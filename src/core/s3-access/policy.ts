/**
 * Bucket policies: reading the JSON text S3 stores into typed statements (every problem reported
 * with its field path), and the parts of IAM's policy language a statement is matched on —
 * Principal/NotPrincipal, Action/NotAction, Resource/NotResource.
 *
 * Hand-written: no maintained library evaluates IAM policies. The rules come from IAM's
 * `reference_policies_elements_*.md` (iam-user-guide, archived 2023-06; aws-sts-oidc.md §6):
 * - Action: "the action is case insensitive"; `*` and `?` wildcards.
 * - Resource: ARNs are matched case-sensitively with `*` and `?`.
 * - Principal: `"*"` and `{"AWS": "*"}` mean everyone, anonymous users included; an account
 *   (`123456789012` or `arn:…:iam::123456789012:root`) means every principal of that account
 *   (reference_policies_elements_principal.md, "AWS account principals").
 * - Condition: every operator and every key must hold (AND), values of one key are ORed.
 */
import { StsctlAggregateError, StsctlError } from '../errors.js';
import { stringLike } from '../condition-operators.js';
import type { S3Requester } from './types.js';

/** The principal block of a statement: `"*"` or the named principals by type. */
export type BucketPolicyPrincipal =
  | '*'
  | {
      readonly AWS: readonly string[];
      readonly Service: readonly string[];
      readonly CanonicalUser: readonly string[];
      readonly Federated: readonly string[];
    };

/** One `Condition` entry: an operator, a key (as written) and its policy values. */
export interface BucketPolicyCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** One statement of a bucket policy, normalised (single values become lists). */
export interface BucketPolicyStatement {
  /** 0-based position in the policy's `Statement` list. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal?: BucketPolicyPrincipal;
  readonly notPrincipal?: BucketPolicyPrincipal;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly BucketPolicyCondition[];
}

/** A parsed bucket policy. */
export interface BucketPolicy {
  readonly statements: readonly BucketPolicyStatement[];
}

const PRINCIPAL_TYPES = ['AWS', 'Service', 'CanonicalUser', 'Federated'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a bucket policy's JSON text into typed statements, checking what S3's PutBucketPolicy
 * checks about structure: a `Statement` (one object or a non-empty list), each with `Effect`
 * `Allow`/`Deny`, exactly one of `Principal`/`NotPrincipal` (bucket policies must name who),
 * of `Action`/`NotAction` and of `Resource`/`NotResource`, and a `Condition` of operator → key →
 * value(s).
 * @param text the policy as S3 stores it
 * @param source what to name in errors, e.g. `bucket policy of demo-oidc`; default `bucket policy`
 * @throws StsctlError `S3_POLICY_INVALID` naming the field (several problems: an aggregate)
 */
export function parseBucketPolicy(text: string, source = 'bucket policy'): BucketPolicy {
  const problems: StsctlError[] = [];
  const problem = (path: string, message: string): void => {
    problems.push(new StsctlError('S3_POLICY_INVALID', message, { file: source, path }));
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (err) {
    throw new StsctlError('S3_POLICY_INVALID', `not JSON: ${(err as Error).message}`, {
      file: source,
      cause: err,
    });
  }
  if (!isRecord(doc)) {
    throw new StsctlError('S3_POLICY_INVALID', 'expected a JSON object', { file: source, path: '' });
  }
  const raw = doc['Statement'];
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) problem('Statement', 'expected one statement or a non-empty list of statements');
  const statements: BucketPolicyStatement[] = [];
  list.forEach((entry, index) => {
    const at = Array.isArray(raw) ? `Statement[${index}]` : 'Statement';
    if (!isRecord(entry)) {
      problem(at, 'expected an object');
      return;
    }
    const statement = readStatement(entry, index, at, problem);
    if (statement !== undefined) statements.push(statement);
  });
  if (problems.length === 1 && problems[0] !== undefined) throw problems[0];
  if (problems.length > 1) throw new StsctlAggregateError('S3_POLICY_INVALID', problems);
  return { statements };
}

function readStatement(
  entry: Record<string, unknown>,
  index: number,
  at: string,
  problem: (path: string, message: string) => void,
): BucketPolicyStatement | undefined {
  // An object, not a `let`: the closures below set it, which flow analysis does not follow.
  const state = { ok: true };
  const fail = (path: string, message: string): void => {
    state.ok = false;
    problem(`${at}.${path}`, message);
  };
  const effect = entry['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') fail('Effect', 'expected "Allow" or "Deny"');
  const sid = entry['Sid'];
  if (sid !== undefined && typeof sid !== 'string') fail('Sid', 'expected a string');

  const one = (a: string, b: string): void => {
    const count = (entry[a] === undefined ? 0 : 1) + (entry[b] === undefined ? 0 : 1);
    if (count !== 1) fail(a, `expected exactly one of ${a} and ${b}`);
  };
  one('Principal', 'NotPrincipal');
  one('Action', 'NotAction');
  one('Resource', 'NotResource');

  const strings = (field: string): readonly string[] | undefined => {
    const value = entry[field];
    if (value === undefined) return undefined;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
      fail(field, 'expected a string or a non-empty list of strings');
      return undefined;
    }
    return list;
  };
  const principal = (field: string): BucketPolicyPrincipal | undefined => {
    const value = entry[field];
    if (value === undefined) return undefined;
    if (value === '*') return '*';
    if (!isRecord(value)) {
      fail(field, 'expected "*" or an object of AWS/Service/CanonicalUser/Federated');
      return undefined;
    }
    const out = {
      AWS: [] as string[],
      Service: [] as string[],
      CanonicalUser: [] as string[],
      Federated: [] as string[],
    };
    for (const [type, names] of Object.entries(value)) {
      if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
        fail(`${field}.${type}`, 'unknown principal type (AWS, Service, CanonicalUser, Federated)');
        continue;
      }
      const list = typeof names === 'string' ? [names] : names;
      if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
        fail(`${field}.${type}`, 'expected a string or a non-empty list of strings');
        continue;
      }
      out[type as (typeof PRINCIPAL_TYPES)[number]] = list;
    }
    return out;
  };
  const conditions: BucketPolicyCondition[] = [];
  const condition = entry['Condition'];
  if (condition !== undefined) {
    if (!isRecord(condition)) fail('Condition', 'expected an object of operator → { key: value(s) }');
    else {
      for (const [operator, block] of Object.entries(condition)) {
        if (!isRecord(block)) {
          fail(`Condition.${operator}`, 'expected an object of key → value(s)');
          continue;
        }
        for (const [key, raw] of Object.entries(block)) {
          const list: unknown[] = Array.isArray(raw) ? raw : [raw];
          if (!list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
            fail(`Condition.${operator}.${key}`, 'expected a string, number, boolean or a list of them');
            continue;
          }
          conditions.push({ operator, key, values: list.map((v) => String(v)) });
        }
      }
    }
  }
  const statement = {
    index,
    ...(typeof sid === 'string' ? { sid } : {}),
    effect: effect as 'Allow' | 'Deny',
    ...optional('principal', principal('Principal')),
    ...optional('notPrincipal', principal('NotPrincipal')),
    ...optional('action', strings('Action')),
    ...optional('notAction', strings('NotAction')),
    ...optional('resource', strings('Resource')),
    ...optional('notResource', strings('NotResource')),
    conditions,
  };
  return state.ok ? statement : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Whether the requester is among the principals of a `Principal` block. */
export function principalMatches(principal: BucketPolicyPrincipal, requester: S3Requester): boolean {
  if (principal === '*') return true;
  // {"AWS": "*"} is everyone, anonymous users included (reference_policies_elements_principal.md).
  if (principal.AWS.includes('*')) return true;
  switch (requester.kind) {
    case 'anonymous':
      return false;
    case 'service':
      return principal.Service.includes(requester.service);
    case 'oai': {
      const arn = oaiArn(requester.id, requester.partition ?? 'aws');
      if (principal.AWS.includes(arn)) return true;
      return (
        requester.canonicalUserId !== undefined && principal.CanonicalUser.includes(requester.canonicalUserId)
      );
    }
    case 'iam': {
      const partition = /^arn:([^:]+):/.exec(requester.arn)?.[1] ?? 'aws';
      const accountRoot = `arn:${partition}:iam::${requester.accountId}:root`;
      return principal.AWS.some((p) => p === requester.arn || p === requester.accountId || p === accountRoot);
    }
  }
}

/** The ARN a bucket policy names a legacy origin access identity by (aws-sts-oidc.md §8). */
export function oaiArn(id: string, partition = 'aws'): string {
  return `arn:${partition}:iam::cloudfront:user/CloudFront Origin Access Identity ${id}`;
}

/** Whether the statement's Principal (or NotPrincipal, inverted) covers the requester. */
export function statementCoversPrincipal(statement: BucketPolicyStatement, requester: S3Requester): boolean {
  if (statement.principal !== undefined) return principalMatches(statement.principal, requester);
  if (statement.notPrincipal !== undefined) return !principalMatches(statement.notPrincipal, requester);
  return false;
}

/** Whether Action/NotAction covers the action; actions compare case-insensitively. */
export function statementCoversAction(statement: BucketPolicyStatement, action: string): boolean {
  const lower = action.toLowerCase();
  const hit = (patterns: readonly string[]): boolean =>
    patterns.some((p) => stringLike(lower, p.toLowerCase()));
  if (statement.action !== undefined) return hit(statement.action);
  if (statement.notAction !== undefined) return !hit(statement.notAction);
  return false;
}

/** Whether Resource/NotResource covers the ARN; ARNs compare case-sensitively. */
export function statementCoversResource(statement: BucketPolicyStatement, resourceArn: string): boolean {
  const hit = (patterns: readonly string[]): boolean => patterns.some((p) => stringLike(resourceArn, p));
  if (statement.resource !== undefined) return hit(statement.resource);
  if (statement.notResource !== undefined) return !hit(statement.notResource);
  return false;
}
