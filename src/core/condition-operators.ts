/**
 * IAM condition operators (aws-sts-oidc.md §6, from IAM's
 * `reference_policies_elements_condition_operators.md` and `reference_policies_multi-value-conditions.md`):
 * the string operators, `Null`, the `…IfExists` suffix and the `ForAnyValue:` / `ForAllValues:`
 * set qualifiers. Hand-written: no maintained library evaluates IAM conditions.
 *
 * Lives in core because two rule families use it: web-identity trust policies (`src/webidentity`)
 * and S3 bucket policies (`s3-access/`); the key-presence and set semantics are
 * {@link evaluateConditionWith}, shared by every operator either family knows.
 */

/** The operators the model evaluates. */
export const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'Null',
] as const;
export type BaseOperator = (typeof BASE_OPERATORS)[number];

/** A condition operator split into its parts, e.g. `ForAnyValue:StringLikeIfExists`. */
export interface ParsedOperator {
  readonly qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly base: BaseOperator;
  readonly ifExists: boolean;
}

const NEGATED: ReadonlySet<BaseOperator> = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
]);

/**
 * Parses an operator name; undefined when the model does not know it (the condition then never
 * matches, so an unknown operator can only narrow an Allow). Operator names are matched exactly.
 */
export function parseOperator(name: string): ParsedOperator | undefined {
  if (parsedOperators.has(name)) return parsedOperators.get(name);
  const parsed = parseOperatorName(name);
  // Operator names come from trust policies: few distinct ones. Bounded all the same.
  if (parsedOperators.size >= MAX_PARSED_OPERATORS) parsedOperators.clear();
  parsedOperators.set(name, parsed);
  return parsed;
}

/** Parsed operator names (frozen results, shared): a pure memo of {@link parseOperatorName}. */
const parsedOperators = new Map<string, ParsedOperator | undefined>();
const MAX_PARSED_OPERATORS = 256;

function parseOperatorName(name: string): ParsedOperator | undefined {
  const m = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(name);
  if (m === null) return undefined;
  const [, qualifier, base, ifExists] = m;
  if (!(BASE_OPERATORS as readonly string[]).includes(base ?? '')) return undefined;
  // `Null` takes no IfExists: "NullIfExists" is not an operator.
  if (base === 'Null' && ifExists !== undefined) return undefined;
  return Object.freeze({
    qualifier: qualifier === 'ForAnyValue' || qualifier === 'ForAllValues' ? qualifier : undefined,
    base: base as BaseOperator,
    ifExists: ifExists !== undefined,
  });
}

/**
 * `StringLike` matching: `*` is any run of characters (also none), `?` exactly one; IAM's escapes
 * `${*}`, `${?}` and `${$}` stand for the literal character. Case-sensitive (§6).
 */
export function stringLike(value: string, pattern: string): boolean {
  return compiledPattern(pattern).test(value);
}

/**
 * Compiled `StringLike` patterns. Every request matches the same few trust-policy patterns
 * (`sts:AssumeRoleWithWebIdentity` for the action, `system:serviceaccount:…` values), and building
 * the RegExp each time was most of the trust-policy cost (profiled: ~5 µs of ~20 µs per request).
 * A pure memo (no `g` flag, so `test` keeps no state); bounded, cleared when full.
 */
const compiledPatterns = new Map<string, RegExp>();
const MAX_COMPILED_PATTERNS = 1024;

function compiledPattern(pattern: string): RegExp {
  const known = compiledPatterns.get(pattern);
  if (known !== undefined) return known;
  if (compiledPatterns.size >= MAX_COMPILED_PATTERNS) compiledPatterns.clear();
  const re = compilePattern(pattern);
  compiledPatterns.set(pattern, re);
  return re;
}

function compilePattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const escaped = /^\$\{([*?$])\}/.exec(pattern.slice(i));
    if (escaped?.[1] !== undefined) {
      source += escapeRegExp(escaped[1]);
      i += escaped[0].length - 1;
      continue;
    }
    const c = pattern.charAt(i);
    source += c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'su');
}

function escapeRegExp(text: string): string {
  // Only syntax characters: the `u` flag forbids escaping anything else.
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether one request value matches one policy value under the positive form of the operator. */
function matchesOne(base: BaseOperator, value: string, policyValue: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return value === policyValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return value.toLowerCase() === policyValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return stringLike(value, policyValue);
    case 'Null':
      return false;
  }
}

/** How one operator treats a request: whether it is negated, `…IfExists`, and its set qualifier. */
export interface OperatorShape {
  readonly qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly ifExists: boolean;
  /** `StringNotEquals`, `ArnNotLike`, `NotIpAddress`…: true when no policy value matches. */
  readonly negated: boolean;
}

/**
 * Evaluates one condition (one operator, one key, its policy values) against the request's values
 * (`undefined` when the key is not in the request context), given the operator's shape and the
 * positive comparison of one request value with one policy value. Semantics (§6):
 * - several policy values are ORed; a negated operator is true when no value matches (an AND of
 *   the negations);
 * - a missing key makes a positive operator false and a negated one true; `…IfExists` makes it true;
 * - `ForAnyValue:` is true when some request value satisfies the operator, false when the key is
 *   missing or empty; `ForAllValues:` when every request value does, and true when it is missing or empty.
 * - Without a qualifier, a key with several values (e.g. `amr`) matches when any value does.
 * `Null` is not covered here (it looks only at presence): see {@link evaluateCondition}.
 */
export function evaluateConditionWith(
  shape: OperatorShape,
  policyValues: readonly string[],
  requestValues: readonly string[] | undefined,
  matches: (requestValue: string, policyValue: string) => boolean,
): boolean {
  const missing = requestValues === undefined || requestValues.length === 0;
  const satisfies = (value: string): boolean => {
    const any = policyValues.some((p) => matches(value, p));
    return shape.negated ? !any : any;
  };
  if (missing) {
    if (shape.ifExists) return true;
    if (shape.qualifier === 'ForAllValues') return true;
    if (shape.qualifier === 'ForAnyValue') return false;
    return shape.negated;
  }
  if (shape.qualifier === 'ForAllValues') return requestValues.every(satisfies);
  if (shape.qualifier === 'ForAnyValue') return requestValues.some(satisfies);
  return shape.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
}

/**
 * `Null`: a policy value `true` holds when the key is missing (or empty), `false` when it is
 * present; any other value never holds.
 */
export function evaluateNull(
  policyValues: readonly string[],
  requestValues: readonly string[] | undefined,
): boolean {
  const missing = requestValues === undefined || requestValues.length === 0;
  return policyValues.some((p) => {
    const want = p.toLowerCase();
    return want === 'true' ? missing : want === 'false' ? !missing : false;
  });
}

/**
 * Evaluates one string or `Null` condition (operator, one key, its policy values) against the
 * request's values (`undefined` when the key is not in the request context), with the semantics
 * of {@link evaluateConditionWith} and {@link evaluateNull}.
 */
export function evaluateCondition(
  op: ParsedOperator,
  policyValues: readonly string[],
  requestValues: readonly string[] | undefined,
): boolean {
  if (op.base === 'Null') return evaluateNull(policyValues, requestValues);
  return evaluateConditionWith(
    { qualifier: op.qualifier, ifExists: op.ifExists, negated: NEGATED.has(op.base) },
    policyValues,
    requestValues,
    (value, policyValue) => matchesOne(op.base, value, policyValue),
  );
}
