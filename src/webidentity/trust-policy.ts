import { evaluateCondition, parseOperator, stringLike } from '../core/condition-operators.js';

/**
 * Trust-policy evaluation for web identity (aws-sts-oidc.md §6). A statement applies to an action
 * when its Effect is valid, its Principal covers the caller (`Federated` equal to the provider ARN,
 * or `*`), its Action / NotAction covers the action, and all its conditions hold (keys and
 * operators ANDed, values ORed). Per action: Deny if any applicable Deny, else Allow if any
 * applicable Allow, else implicit deny — trust policies must allow explicitly (§6). Every action
 * the call needs (`sts:AssumeRoleWithWebIdentity`, plus `sts:TagSession` / `sts:SetSourceIdentity`
 * when the token asks for them) must be allowed.
 */

/** The caller and request as the trust policy sees them. */
export interface TrustPolicyContext {
  /** The provider ARN, matched against `Principal.Federated`. */
  readonly federatedPrincipal: string;
  /** Actions that must all be allowed. */
  readonly actions: readonly string[];
  /** Condition keys of the request (names compared case-insensitively); an absent key is missing. */
  readonly conditionKeys: Readonly<Record<string, string | readonly string[]>>;
  /** Values seen by `ForAnyValue:` / `ForAllValues:` where they differ from `conditionKeys` (every `aud`). */
  readonly setConditionKeys?: Readonly<Record<string, readonly string[]>>;
}

export type TrustDecision = 'allow' | 'deny' | 'implicit-deny';

/** One condition of a statement, explained. */
export interface ConditionEvaluation {
  readonly operator: string;
  readonly key: string;
  readonly policyValues: readonly string[];
  /** The request's values; undefined when the key is not in the request. */
  readonly requestValues: readonly string[] | undefined;
  readonly matches: boolean;
  /** Why it cannot match at all (an unknown operator, a value of the wrong type). */
  readonly problem?: string;
}

/** One statement, explained. */
export interface StatementEvaluation {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny' | undefined;
  readonly principalMatches: boolean;
  /** Per requested action: whether Action / NotAction covers it. */
  readonly actionMatches: Readonly<Record<string, boolean>>;
  readonly conditions: readonly ConditionEvaluation[];
  readonly conditionsMatch: boolean;
  /** Structural problems that keep the statement from ever applying. */
  readonly problems: readonly string[];
}

/** The decision for one action. */
export interface ActionDecision {
  readonly action: string;
  readonly decision: TrustDecision;
  /** Indices of the applicable Allow statements. */
  readonly allowedBy: readonly number[];
  /** Indices of the applicable Deny statements. */
  readonly deniedBy: readonly number[];
}

/** The result of {@link evaluateTrustPolicy}. */
export interface TrustPolicyEvaluation {
  /** `deny` if any action is explicitly denied, else `implicit-deny` if any is not allowed, else `allow`. */
  readonly decision: TrustDecision;
  readonly actions: readonly ActionDecision[];
  readonly statements: readonly StatementEvaluation[];
  /** Set when the document is not a policy at all (then the decision is `implicit-deny`). */
  readonly error?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a list of strings, as IAM writes single and multiple values. */
function stringOrList(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return value;
  return undefined;
}

/** Condition values: strings, numbers and booleans (IAM reads `true` as "true"), or a list of them. */
function conditionValues(value: unknown): readonly string[] | undefined {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const out = list.map(conditionValue);
  return out.every((v): v is string => v !== undefined) ? out : undefined;
}

function conditionValue(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/**
 * `"*"`, `{"Federated": …}` with the provider ARN or `*`, or `{"AWS": "*"}` (which IAM treats as
 * equivalent to `"*"`). Other principal types never name a web-identity caller.
 */
function principalCovers(principal: unknown, federated: string): boolean {
  if (principal === '*') return true;
  if (!isRecord(principal)) return false;
  const fed = stringOrList(principal['Federated']);
  if (fed?.some((p) => p === '*' || p === federated) === true) return true;
  return stringOrList(principal['AWS'])?.includes('*') === true;
}

/** Action names are case-insensitive and take `*` / `?` wildcards (`sts:*`, `*`, `sts:Assume*`). */
function actionCovers(patterns: readonly string[], action: string): boolean {
  const lower = action.toLowerCase();
  return patterns.some((p) => stringLike(lower, p.toLowerCase()));
}

function lookupKey(
  keys: Readonly<Record<string, string | readonly string[]>> | undefined,
  name: string,
): readonly string[] | undefined {
  if (keys === undefined) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(keys)) {
    if (key.toLowerCase() === wanted) return typeof value === 'string' ? [value] : value;
  }
  return undefined;
}

function evaluateConditions(
  block: unknown,
  context: TrustPolicyContext,
): { readonly conditions: ConditionEvaluation[]; readonly problems: string[] } {
  const conditions: ConditionEvaluation[] = [];
  const problems: string[] = [];
  if (block === undefined) return { conditions, problems };
  if (!isRecord(block)) return { conditions, problems: ['Condition is not an object'] };
  for (const [operator, entries] of Object.entries(block)) {
    if (!isRecord(entries)) {
      problems.push(`Condition.${operator} is not an object`);
      continue;
    }
    const op = parseOperator(operator);
    for (const [key, raw] of Object.entries(entries)) {
      const values = conditionValues(raw);
      const policyValues = values ?? [];
      const setValues = op?.qualifier === undefined ? undefined : lookupKey(context.setConditionKeys, key);
      const requestValues = setValues ?? lookupKey(context.conditionKeys, key);
      const problem =
        op === undefined
          ? `unknown condition operator ${operator}`
          : values === undefined
            ? `values of ${operator} ${key} are not strings`
            : undefined;
      const matches =
        op !== undefined && problem === undefined && evaluateCondition(op, policyValues, requestValues);
      conditions.push({
        operator,
        key,
        policyValues,
        requestValues,
        matches,
        ...(problem === undefined ? {} : { problem }),
      });
    }
  }
  return { conditions, problems };
}

function evaluateStatement(raw: unknown, index: number, context: TrustPolicyContext): StatementEvaluation {
  const problems: string[] = [];
  const statement = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) problems.push('statement is not an object');
  const sidValue = statement['Sid'];
  const sid = typeof sidValue === 'string' ? sidValue : undefined;
  const effectValue = statement['Effect'];
  const effect = effectValue === 'Allow' || effectValue === 'Deny' ? effectValue : undefined;
  if (effect === undefined) problems.push(`Effect ${JSON.stringify(effectValue)} is neither Allow nor Deny`);

  let principalMatches: boolean;
  if (statement['Principal'] !== undefined) {
    principalMatches = principalCovers(statement['Principal'], context.federatedPrincipal);
  } else if (statement['NotPrincipal'] !== undefined) {
    principalMatches = !principalCovers(statement['NotPrincipal'], context.federatedPrincipal);
  } else {
    principalMatches = false;
    problems.push('no Principal');
  }

  const action = stringOrList(statement['Action']);
  const notAction = stringOrList(statement['NotAction']);
  if (action === undefined && notAction === undefined) problems.push('no Action or NotAction');
  const actionMatches: Record<string, boolean> = {};
  for (const a of context.actions) {
    actionMatches[a] =
      action !== undefined
        ? actionCovers(action, a)
        : notAction !== undefined
          ? !actionCovers(notAction, a)
          : false;
  }

  const { conditions, problems: conditionProblems } = evaluateConditions(statement['Condition'], context);
  problems.push(...conditionProblems);
  const conditionsMatch = conditionProblems.length === 0 && conditions.every((c) => c.matches);
  return { index, sid, effect, principalMatches, actionMatches, conditions, conditionsMatch, problems };
}

function applies(s: StatementEvaluation, action: string): boolean {
  return (
    s.effect !== undefined && s.principalMatches && s.actionMatches[action] === true && s.conditionsMatch
  );
}

function denied(error: string, context: TrustPolicyContext): TrustPolicyEvaluation {
  return {
    decision: 'implicit-deny',
    actions: context.actions.map((action) => ({
      action,
      decision: 'implicit-deny',
      allowedBy: [],
      deniedBy: [],
    })),
    statements: [],
    error,
  };
}

/**
 * Parsed trust policies by their JSON text. The validating STS hands the model the same role, so
 * the same policy text, on every request; parsing it again each time cost ~3 µs per request
 * (profiled). A pure memo: the parsed document is frozen (evaluation only reads it) and shared.
 * Texts that do not parse are not kept. Bounded, least recently used first out.
 */
const parsedPolicies = new Map<string, unknown>();
const MAX_PARSED_POLICIES = 256;

function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** `JSON.parse`, memoized by text; throws as `JSON.parse` does. */
function parsePolicy(text: string): unknown {
  if (parsedPolicies.has(text)) {
    const document = parsedPolicies.get(text);
    parsedPolicies.delete(text);
    parsedPolicies.set(text, document);
    return document;
  }
  const document = deepFreeze(JSON.parse(text) as unknown);
  parsedPolicies.set(text, document);
  if (parsedPolicies.size > MAX_PARSED_POLICIES) {
    const oldest = parsedPolicies.keys().next();
    if (oldest.done !== true) parsedPolicies.delete(oldest.value);
  }
  return document;
}

/**
 * Evaluates a role trust policy (JSON text, or an already parsed document) for a web-identity call.
 * A document that is not JSON or has no `Statement` allows nothing (`error` says why).
 * @see aws-sts-oidc.md §6
 */
export function evaluateTrustPolicy(policy: unknown, context: TrustPolicyContext): TrustPolicyEvaluation {
  let document: unknown = policy;
  if (typeof policy === 'string') {
    try {
      document = parsePolicy(policy);
    } catch (cause) {
      return denied(
        `trust policy is not JSON: ${cause instanceof Error ? cause.message : 'parse error'}`,
        context,
      );
    }
  }
  if (!isRecord(document) || document['Statement'] === undefined) {
    return denied('trust policy has no Statement', context);
  }
  const rawStatements: unknown[] = Array.isArray(document['Statement'])
    ? (document['Statement'] as unknown[])
    : [document['Statement']];
  const statements = rawStatements.map((s, i) => evaluateStatement(s, i, context));

  const actions = context.actions.map((action): ActionDecision => {
    const allowedBy = statements
      .filter((s) => s.effect === 'Allow' && applies(s, action))
      .map((s) => s.index);
    const deniedBy = statements.filter((s) => s.effect === 'Deny' && applies(s, action)).map((s) => s.index);
    // "An explicit deny in any policy overrides any allows" (§6).
    const decision: TrustDecision =
      deniedBy.length > 0 ? 'deny' : allowedBy.length > 0 ? 'allow' : 'implicit-deny';
    return { action, decision, allowedBy, deniedBy };
  });
  const decision: TrustDecision = actions.some((a) => a.decision === 'deny')
    ? 'deny'
    : actions.some((a) => a.decision === 'implicit-deny')
      ? 'implicit-deny'
      : 'allow';
  return { decision, actions, statements };
}

/** A one-line explanation of why an action was not allowed, for steps and findings. */
export function explainActionDecision(evaluation: TrustPolicyEvaluation, action: string): string {
  if (evaluation.error !== undefined) return evaluation.error;
  const decided = evaluation.actions.find((a) => a.action === action);
  if (decided === undefined) return `${action} was not evaluated`;
  if (decided.decision === 'allow') return `${action} allowed by statement ${decided.allowedBy.join(', ')}`;
  if (decided.decision === 'deny')
    return `${action} explicitly denied by statement ${decided.deniedBy.join(', ')}`;
  const reasons = evaluation.statements
    .filter((s) => s.effect === 'Allow')
    .map((s) => {
      const why: string[] = [...s.problems];
      if (!s.principalMatches) why.push('principal does not match');
      if (s.actionMatches[action] !== true) why.push(`action does not cover ${action}`);
      for (const c of s.conditions.filter((x) => !x.matches)) {
        why.push(
          `${c.operator} ${c.key} ${JSON.stringify(c.policyValues)} vs ${c.requestValues === undefined ? 'missing' : JSON.stringify(c.requestValues)}`,
        );
      }
      return `statement ${s.index}${s.sid === undefined ? '' : ` (${s.sid})`}: ${why.join('; ')}`;
    });
  return `${action} not allowed: ${reasons.length === 0 ? 'no Allow statement' : reasons.join(' | ')}`;
}
