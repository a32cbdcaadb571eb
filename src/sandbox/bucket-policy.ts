/**
 * A small evaluator of S3 bucket policies for the requesters the edge plays: an anonymous reader
 * (STS on the public internet), CloudFront with OAC (service principal + `aws:SourceArn`), and
 * CloudFront with a legacy OAI (an IAM-style principal).
 *
 * Why the edge evaluates at all: moto 5.2 checks bucket policies only for anonymous requests and
 * treats every non-`"*"` principal block as matching anyone (moto/iam/access_control.py
 * `is_unknown_principal`, `_check_principal`), so an OAI-only policy lets anonymous readers in, and
 * it never sees CloudFront's identity. Written by hand because no library evaluates IAM policies.
 *
 * Supported: Allow/Deny, Principal (`*`, `AWS`, `Service`, `CanonicalUser`), Action/NotAction and
 * Resource/NotResource with `*`/`?` wildcards, Condition operators StringEquals, StringNotEquals,
 * StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike (with `…IfExists`), on
 * the keys `aws:SourceArn` and `aws:SourceAccount`. Anything else in a Condition makes the statement
 * not apply — an Allow grants nothing and a Deny denies nothing — which errs towards 403 for Allow.
 */

/** Who is asking S3. */
export type S3Requester =
  | { readonly kind: 'anonymous' }
  /** CloudFront signing with OAC for the distribution `sourceArn`. */
  | { readonly kind: 'cloudfront-oac'; readonly sourceArn: string; readonly sourceAccount: string }
  /** An IAM-style principal, e.g. `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2…`. */
  | { readonly kind: 'principal'; readonly arns: readonly string[]; readonly canonicalUser?: string };

/** The outcome of evaluating one request against a policy. */
export type PolicyDecision = 'allow' | 'deny' | 'neutral';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function asList(value: Json | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    ignoreCase ? 'is' : 's',
  );
  return re.test(value);
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function principalMatches(principal: Json | undefined, requester: S3Requester): boolean {
  if (principal === '*') return true;
  if (!isObject(principal)) return false;
  const aws = asList(principal['AWS']);
  if (aws.includes('*')) return true;
  if (requester.kind === 'cloudfront-oac') {
    return asList(principal['Service']).includes('cloudfront.amazonaws.com');
  }
  if (requester.kind === 'principal') {
    if (aws.some((a) => requester.arns.includes(a))) return true;
    const canonical = asList(principal['CanonicalUser']);
    return requester.canonicalUser !== undefined && canonical.includes(requester.canonicalUser);
  }
  return false;
}

function contextOf(requester: S3Requester): Map<string, string> {
  const ctx = new Map<string, string>();
  if (requester.kind === 'cloudfront-oac') {
    ctx.set('aws:sourcearn', requester.sourceArn);
    ctx.set('aws:sourceaccount', requester.sourceAccount);
  }
  return ctx;
}

function conditionsHold(condition: Json | undefined, ctx: Map<string, string>): boolean {
  if (condition === undefined) return true;
  if (!isObject(condition)) return false;
  for (const [rawOperator, block] of Object.entries(condition)) {
    if (!isObject(block)) return false;
    const ifExists = rawOperator.endsWith('IfExists');
    const operator = ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator;
    for (const [rawKey, expectedRaw] of Object.entries(block)) {
      const key = rawKey.toLowerCase();
      if (key !== 'aws:sourcearn' && key !== 'aws:sourceaccount') return false;
      const actual = ctx.get(key);
      const expected = asList(expectedRaw);
      if (actual === undefined) {
        if (ifExists) continue;
        // A negated operator on a missing key holds in IAM; a positive one does not.
        if (operator.includes('Not')) continue;
        return false;
      }
      let ok: boolean;
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          ok = expected.includes(actual);
          break;
        case 'StringLike':
        case 'ArnLike':
          ok = expected.some((e) => wildcard(e, actual, false));
          break;
        case 'StringNotEquals':
        case 'ArnNotEquals':
          ok = !expected.includes(actual);
          break;
        case 'StringNotLike':
        case 'ArnNotLike':
          ok = !expected.some((e) => wildcard(e, actual, false));
          break;
        default:
          return false;
      }
      if (!ok) return false;
    }
  }
  return true;
}

function statementsOf(policy: string): { [key: string]: Json }[] {
  let doc: Json;
  try {
    doc = JSON.parse(policy) as Json;
  } catch {
    return [];
  }
  if (!isObject(doc)) return [];
  const st = doc['Statement'];
  const list = Array.isArray(st) ? st : st === undefined ? [] : [st];
  return list.filter(isObject);
}

function actionMatches(statement: { [key: string]: Json }, action: string): boolean {
  if (statement['NotAction'] !== undefined) {
    return !asList(statement['NotAction']).some((a) => wildcard(a, action, true));
  }
  return asList(statement['Action']).some((a) => wildcard(a, action, true));
}

function resourceMatches(statement: { [key: string]: Json }, resource: string): boolean {
  if (statement['NotResource'] !== undefined) {
    return !asList(statement['NotResource']).some((r) => wildcard(r, resource, false));
  }
  return asList(statement['Resource']).some((r) => wildcard(r, resource, false));
}

/**
 * Evaluates a bucket policy for one request: an explicit Deny wins, then any Allow, else neutral
 * (S3 then denies unless an ACL grants access).
 * @param policy the policy JSON text, or undefined when the bucket has none
 * @param action e.g. `s3:GetObject`
 * @param resource e.g. `arn:aws:s3:::bucket/key`
 */
export function evaluateBucketPolicy(
  policy: string | undefined,
  requester: S3Requester,
  action: string,
  resource: string,
): PolicyDecision {
  if (policy === undefined) return 'neutral';
  const ctx = contextOf(requester);
  let allowed = false;
  for (const statement of statementsOf(policy)) {
    if (statement['NotPrincipal'] !== undefined) continue;
    if (!principalMatches(statement['Principal'], requester)) continue;
    if (!actionMatches(statement, action) || !resourceMatches(statement, resource)) continue;
    if (!conditionsHold(statement['Condition'], ctx)) continue;
    if (statement['Effect'] === 'Deny') return 'deny';
    if (statement['Effect'] === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'neutral';
}

/**
 * Whether S3 would call the policy "public": an Allow to `*` not pinned by a condition on a fixed
 * source (aws-sts-oidc.md §7: `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceIp`, VPC keys…).
 * `RestrictPublicBuckets` makes such grants useless to anonymous readers.
 */
export function isPublicPolicy(policy: string | undefined): boolean {
  if (policy === undefined) return false;
  const pinning =
    /^aws:(sourcearn|sourceaccount|sourceowner|sourceip|sourcevpc|sourcevpce|principalorgid|principalaccount|userid)$/;
  return statementsOf(policy).some((s) => {
    if (s['Effect'] !== 'Allow') return false;
    const p = s['Principal'];
    const wildcardPrincipal = p === '*' || (isObject(p) && asList(p['AWS']).includes('*'));
    if (!wildcardPrincipal) return false;
    const cond = s['Condition'];
    if (!isObject(cond)) return true;
    return !Object.values(cond).some(
      (block) => isObject(block) && Object.keys(block).some((k) => pinning.test(k.toLowerCase())),
    );
  });
}
