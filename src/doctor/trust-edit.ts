import { parseArn } from '../core/partitions.js';
import { stringLike } from '../core/condition-operators.js';
import {
  evaluateTrustPolicy,
  type ConditionEvaluation,
  type TrustPolicyContext,
} from '../webidentity/trust-policy.js';
import { compact, isRecord, list, policyStatements, type Json } from './policy-json.js';

/**
 * Edits and explanations of role trust policies for the doctor's fixes. A fix *edits* the role's
 * document — it adds the token's subject, switches a `StringEquals` holding a pattern to
 * `StringLike`, moves a value written under the wrong key, or points the statements at another
 * provider — and keeps every other statement, principal and subject, so repairing one service
 * account never locks out the others the role serves (aws-sts-oidc.md §6: conditions are ANDed
 * across keys, ORed across values, so adding a value to a list only widens that one condition).
 */

const WEB_IDENTITY_ACTION = /^(sts:AssumeRoleWithWebIdentity|sts:\*|\*)$/i;

/** What the token presents, for the edit. */
export interface TrustEditRequest {
  /** The provider the token is matched to. */
  readonly providerArn: string;
  /** Its URL without `https://`: the condition-key prefix. */
  readonly providerHostPath: string;
  /** The token's `sub`. */
  readonly subject: string;
  /** The effective audience (`azp ?? aud`). */
  readonly audience: string;
  /** The trust-policy context of the real call (to check the edited document). */
  readonly context: TrustPolicyContext;
}

/** The edited document and what changed, in words. */
export interface TrustEdit {
  /** The complete edited document (JSON). */
  readonly document: string;
  readonly changes: readonly string[];
  /** True when the model allows the call with the edited document. */
  readonly allows: boolean;
  /** What the edit could not change (an explicit Deny, an unknown condition key). */
  readonly unresolved: readonly string[];
}

function statementsOf(doc: Json): Json[] {
  const raw = doc['Statement'];
  const out = (Array.isArray(raw) ? raw : [raw]).filter(isRecord);
  doc['Statement'] = out;
  return out;
}

function isWebIdentityAllow(s: Json): boolean {
  return s['Effect'] === 'Allow' && list(s['Action']).some((a) => WEB_IDENTITY_ACTION.test(a));
}

function federatedOf(s: Json): string[] {
  const p = s['Principal'];
  return isRecord(p) ? list(p['Federated']) : [];
}

function keyIs(key: string, hostPath: string, claim: string): boolean {
  return key.toLowerCase() === `${hostPath}:${claim}`.toLowerCase();
}

function conditionBlock(s: Json, operator: string): Json {
  let c = s['Condition'];
  if (!isRecord(c)) {
    c = {};
    s['Condition'] = c;
  }
  const cond = c as Json;
  let block = cond[operator];
  if (!isRecord(block)) {
    block = {};
    cond[operator] = block;
  }
  return block as Json;
}

function addValue(block: Json, key: string, value: string): void {
  const existing = Object.keys(block).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
  const values = list(block[existing]);
  if (!values.includes(value)) block[existing] = compact([...values, value]);
}

/** Subjects of a trust-policy document: every value under a `…:sub` key, any operator. */
export function trustPolicySubjects(policy: string): string[] {
  const out: string[] = [];
  for (const s of policyStatements(policy)) {
    const c = s['Condition'];
    if (!isRecord(c)) continue;
    for (const block of Object.values(c)) {
      if (!isRecord(block)) continue;
      for (const [k, v] of Object.entries(block)) if (/:sub$/i.test(k)) out.push(...list(v));
    }
  }
  return out;
}

/**
 * The claim of a condition key written as `<provider ARN>:<claim>`, or undefined for any other
 * key. Compared case-insensitively: condition key names are (aws-sts-oidc.md §6).
 */
function arnKeyClaim(key: string, providerArn: string): string | undefined {
  const prefix = `${providerArn}:`;
  if (!key.toLowerCase().startsWith(prefix.toLowerCase())) return undefined;
  const claim = key.slice(prefix.length);
  return /^[A-Za-z0-9_.-]+$/.test(claim) ? claim : undefined;
}

/** Looks like a subject rather than an audience: the subject itself, or a pattern matching it. */
function isSubjectValue(value: string, subject: string): boolean {
  return value === subject || (/[*?]/.test(value) && stringLike(subject, value));
}

/**
 * Edits the trust policy so the token is let in, keeping every other statement and value:
 * 1. a subject (or a pattern of it) written under `<url>:aud` moves to `<url>:sub`;
 * 2. a `StringEquals` value with `*`/`?` that would match as a pattern moves to `StringLike`;
 * 3. a `:sub` / `:aud` condition that still fails gets the token's value added;
 * 4. with no statement for the provider, one is appended naming the subject and audience.
 */
export function editTrustPolicy(policy: string, request: TrustEditRequest): TrustEdit {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    parsed = undefined;
  }
  const doc: Json = isRecord(parsed) ? parsed : { Version: '2012-10-17', Statement: [] };
  if (doc['Version'] === undefined) doc['Version'] = '2012-10-17';
  const statements = statementsOf(doc);
  const hp = request.providerHostPath;
  const changes: string[] = [];
  const candidates = statements.filter(
    (s) => isWebIdentityAllow(s) && federatedOf(s).includes(request.providerArn),
  );
  const ours = candidates.find((s) => trustPolicySubjects(JSON.stringify({ Statement: s })).length > 0);
  const target = ours ?? candidates[0];

  if (target === undefined) {
    statements.push({
      Effect: 'Allow',
      Principal: { Federated: request.providerArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${hp}:sub`]: request.subject, [`${hp}:aud`]: request.audience },
      },
    });
    changes.push(`added a statement trusting ${request.providerArn} for ${request.subject}`);
  } else {
    const condition = isRecord(target['Condition']) ? target['Condition'] : undefined;
    // 0. A key written with the provider's ARN (`arn:aws:iam::…:oidc-provider/<url>:sub`): IAM's
    // web-identity keys are `<provider url>:<claim>` (aws-sts-oidc.md §3.5), so STS never supplies
    // the ARN-prefixed key and the condition can never match. The key is renamed, values kept.
    for (const block of Object.values(condition ?? {})) {
      if (!isRecord(block)) continue;
      for (const key of Object.keys(block)) {
        const claim = arnKeyClaim(key, request.providerArn);
        if (claim === undefined) continue;
        const value = block[key];
        Reflect.deleteProperty(block, key);
        const renamed = `${hp}:${claim}`;
        for (const x of list(value)) addValue(block, renamed, x);
        changes.push(
          `renamed the condition key ${key} to ${renamed} (keys start with the provider URL, not its ARN)`,
        );
      }
    }
    // 1. A subject under the :aud key.
    for (const [operator, block] of Object.entries(condition ?? {})) {
      if (!isRecord(block)) continue;
      for (const key of Object.keys(block)) {
        if (!keyIs(key, hp, 'aud')) continue;
        const values = list(block[key]);
        const subjects = values.filter((x) => isSubjectValue(x, request.subject));
        if (subjects.length === 0) continue;
        const rest = values.filter((x) => !subjects.includes(x));
        if (rest.length === 0) Reflect.deleteProperty(block, key);
        else block[key] = compact(rest);
        const dest = conditionBlock(target, operator);
        for (const x of subjects) addValue(dest, `${hp}:sub`, x);
        changes.push(`moved ${subjects.join(', ')} from ${operator} ${key} to ${operator} ${hp}:sub`);
      }
    }
    // 2. A pattern under StringEquals.
    for (const [operator, block] of Object.entries(condition ?? {})) {
      if (!isRecord(block) || !/^StringEquals$/i.test(operator)) continue;
      for (const key of Object.keys(block)) {
        const values = list(block[key]);
        const patterns = values.filter((x) => /[*?]/.test(x));
        if (patterns.length === 0) continue;
        const rest = values.filter((x) => !patterns.includes(x));
        if (rest.length === 0) Reflect.deleteProperty(block, key);
        else block[key] = compact(rest);
        const dest = conditionBlock(target, 'StringLike');
        for (const x of patterns) addValue(dest, key, x);
        changes.push(
          `moved ${patterns.join(', ')} of ${key} from StringEquals to StringLike (* is a wildcard only there)`,
        );
      }
    }
    if (isRecord(target['Condition'])) {
      const c = target['Condition'];
      for (const [op, block] of Object.entries(c))
        if (isRecord(block) && Object.keys(block).length === 0) Reflect.deleteProperty(c, op);
    }
    // 3. Conditions on :sub / :aud that still fail get the token's value.
    const index = statements.indexOf(target);
    const evaluation = evaluateTrustPolicy(JSON.stringify(doc), request.context);
    const failing = evaluation.statements[index]?.conditions.filter((x) => !x.matches) ?? [];
    for (const f of failing) {
      const claim = keyIs(f.key, hp, 'sub') ? 'sub' : keyIs(f.key, hp, 'aud') ? 'aud' : undefined;
      if (claim === undefined || /Not|^Null$/i.test(f.operator)) continue;
      const value = claim === 'sub' ? request.subject : request.audience;
      const block = conditionBlock(target, f.operator);
      addValue(block, f.key, value);
      changes.push(`added ${value} to ${f.operator} ${f.key}`);
    }
  }
  const document = JSON.stringify(doc);
  const final = evaluateTrustPolicy(document, request.context);
  const unresolved: string[] = [];
  if (final.decision !== 'allow') {
    for (const a of final.actions) {
      for (const i of a.deniedBy) unresolved.push(`statement ${i} denies ${a.action} explicitly`);
    }
    const idx = target === undefined ? statements.length - 1 : statements.indexOf(target);
    for (const c of final.statements[idx]?.conditions.filter((x) => !x.matches) ?? []) {
      unresolved.push(`${c.operator} ${c.key} still does not match`);
    }
  }
  return { document, changes, allows: final.decision === 'allow', unresolved };
}

/**
 * Points a trust policy at another provider: every `Federated` principal naming `fromArn` names
 * `toArn`, and every condition key `<fromHostPath>:<claim>` becomes `<toHostPath>:<claim>`.
 * Everything else is kept. Returns undefined when the document does not name `fromArn`.
 */
export function retargetTrustPolicy(
  policy: string,
  from: { readonly arn: string; readonly hostPath: string },
  to: { readonly arn: string; readonly hostPath: string },
): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return undefined;
  }
  if (!isRecord(doc)) return undefined;
  let touched = false;
  for (const s of statementsOf(doc)) {
    const p = s['Principal'];
    if (!isRecord(p)) continue;
    const fed = list(p['Federated']);
    if (!fed.includes(from.arn)) continue;
    touched = true;
    p['Federated'] = compact([...new Set(fed.map((f) => (f === from.arn ? to.arn : f)))]);
    const c = s['Condition'];
    if (!isRecord(c)) continue;
    for (const block of Object.values(c)) {
      if (!isRecord(block)) continue;
      for (const key of Object.keys(block)) {
        const prefix = `${from.hostPath}:`;
        if (key.toLowerCase().startsWith(prefix.toLowerCase())) {
          const renamed = `${to.hostPath}:${key.slice(prefix.length)}`;
          const value = block[key];
          Reflect.deleteProperty(block, key);
          block[renamed] = value;
        }
      }
    }
  }
  return touched ? JSON.stringify(doc) : undefined;
}

/** Subject formats: Kubernetes service accounts, GitHub Actions (`repo:`), GitLab CI (`project_path:`). */
function looksLikeSubject(value: string): boolean {
  return /^system:serviceaccount:|^repo:[^/]+\/|^project_path:/.test(value);
}

function reasonFor(c: ConditionEvaluation, context: TrustPolicyContext): string {
  if (c.problem !== undefined) return c.problem;
  if (c.requestValues === undefined) {
    const known = Object.keys(context.conditionKeys);
    const suffix = c.key.split(':').at(-1) ?? '';
    const near = known.find((k) => k.toLowerCase().endsWith(`:${suffix.toLowerCase()}`));
    return near === undefined
      ? `the request has no key ${c.key}`
      : `the request has no key ${c.key}; the token's ${suffix} is under ${near} (the key must start with the provider URL)`;
  }
  const token = c.requestValues;
  if (/:aud$/i.test(c.key) && c.policyValues.some(looksLikeSubject)) {
    return 'the policy puts a subject under the :aud key; subjects belong under :sub, :aud holds the audience';
  }
  if (
    /^StringEquals/i.test(c.operator) &&
    c.policyValues.some((v) => /[*?]/.test(v) && token.some((t) => stringLike(t, v)))
  ) {
    return `${c.operator} compares literally, so * is not a wildcard there: use StringLike for a pattern`;
  }
  if (/^StringLike/i.test(c.operator)) return 'no pattern matches the token value';
  return 'no policy value equals the token value';
}

/**
 * Explains a trust denial line by line: for each Allow statement for web identity, the principal
 * (expected vs named, with accounts) and each failing condition — operator, key, policy values,
 * the token's values and the reason in words; then explicit Denies.
 */
export function explainTrustDenial(policy: string, context: TrustPolicyContext): string[] {
  const evaluation = evaluateTrustPolicy(policy, context);
  if (evaluation.error !== undefined) return [evaluation.error];
  if (evaluation.decision === 'allow') return [];
  let raw: unknown[] = [];
  try {
    const doc = JSON.parse(policy) as Json;
    raw = Array.isArray(doc['Statement']) ? (doc['Statement'] as unknown[]) : [doc['Statement']];
  } catch {
    // evaluateTrustPolicy already parsed it
  }
  const lines: string[] = [];
  const action = 'sts:AssumeRoleWithWebIdentity';
  for (const s of evaluation.statements) {
    const name = `statement ${s.index}${s.sid === undefined ? '' : ` (${s.sid})`}`;
    if (s.effect === 'Deny') {
      if (s.principalMatches && s.conditionsMatch)
        lines.push(`${name}: an explicit Deny applies (a Deny overrides every Allow)`);
      continue;
    }
    if (s.effect !== 'Allow' || s.actionMatches[action] !== true) continue;
    if (!s.principalMatches) {
      const named = isRecord(raw[s.index]) ? federatedOf(raw[s.index] as Json) : [];
      const acct = (arn: string): string => parseArn(arn)?.account ?? '?';
      const expected = context.federatedPrincipal;
      lines.push(
        `${name}: Principal.Federated ${named.join(', ') || '(none)'} (account ${named.map(acct).join(', ') || '-'}) is not the provider the token matches, ${expected} (account ${acct(expected)})`,
      );
    }
    for (const c of s.conditions.filter((x) => !x.matches)) {
      lines.push(
        `${name}: ${c.operator} ${c.key}: policy ${JSON.stringify(c.policyValues)}, token ${c.requestValues === undefined ? '(missing)' : JSON.stringify(c.requestValues)} — ${reasonFor(c, context)}`,
      );
    }
  }
  if (lines.length === 0) lines.push('no Allow statement grants sts:AssumeRoleWithWebIdentity');
  return lines;
}
