/**
 * `evaluateWebIdentity`: STS's `AssumeRoleWithWebIdentity` as a pure function of (request, IAM
 * view, issuer view, clock). The validating STS server and `stsctl doctor` both call it.
 *
 * Order of checks (each a named rule of rules.ts; the first failure is the answer):
 * 1. Request validation — every model constraint at once (one `ValidationError` listing all), then
 *    the role ARN's form (aws-sts-oidc.md §1.2, §2). Validation precedes everything in AWS's
 *    request pipeline.
 * 2. Token and provider — decode, `alg`, required claims (`aud` first: a legacy Kubernetes token
 *    without `aud` is answered "Missing a required claim: aud", not "No OpenIDConnect provider
 *    found", §2), provider lookup by exact `iss`, then the audience against the ClientIDList.
 * 3. Verification keys — discovery, then JWKS, each with TLS, status, latency budget and content
 *    rules (§3.2, §4): only known providers make STS fetch anything (§12).
 * 4. Signature and expiry — `kid` in the JWKS, signature, time claims, `exp` with 5-minute leeway
 *    (§2, §3.3, §3.4).
 * 5. Authorization — role exists, trust policy allows `sts:AssumeRoleWithWebIdentity` (and
 *    `sts:TagSession` / `sts:SetSourceIdentity` when the token asks for them) (§6).
 * 6. `DurationSeconds` against the role's `MaxSessionDuration` — after authorization, so that an
 *    unauthorized caller learns nothing about the role (a missing role is `AccessDenied` too, §2);
 *    the relative order is [unverified].
 */
import { parseArn } from '../core/index.js';
import { authorize } from './authorize.js';
import { DEFAULT_AWS_BEHAVIOUR } from './behaviour.js';
import { webIdentityContext } from './context-keys.js';
import { DEFAULT_FETCH_BUDGET_MS, fetchIssuerKeys } from './issuer-keys.js';
import { checkAudience, findProvider, providerHostPath } from './provider.js';
import { checkMaxSessionDuration, validateRequest } from './request-validation.js';
import { readSessionClaims } from './session-claims.js';
import { verifySignature } from './signature.js';
import { StepLog, type Failure } from './steps.js';
import { checkExpiry, decodeToken, requireClaims } from './token.js';
import type { WebIdentityGrant, WebIdentityInput, WebIdentityResult } from './types.js';

function failed(failure: Failure, log: StepLog): WebIdentityResult {
  return { ok: false, error: failure.error, rule: failure.rule, steps: log.steps };
}

/**
 * Evaluates an `AssumeRoleWithWebIdentity` call as STS would: the grant (everything but the secret
 * material) or AWS's error with its exact code, status and message, plus every rule that ran.
 * @param input.fetchBudgetMs total latency allowed for discovery + JWKS; default 5000 ms.
 * @param input.behaviour which AWS to answer as; default today's (`'2026-11'`, behaviour.ts).
 * @see docs/webidentity.md for the rule-by-rule table.
 */
export async function evaluateWebIdentity(input: WebIdentityInput): Promise<WebIdentityResult> {
  const log = new StepLog();
  const behaviour = input.behaviour ?? DEFAULT_AWS_BEHAVIOUR;

  // 1. Request validation.
  const request = validateRequest(input.request, log, behaviour);
  if (!request.ok) return failed(request, log);

  // 2. Token, provider, audience.
  const token = decodeToken(request.value.token, log, behaviour);
  if (!token.ok) return failed(token, log);
  const claims = requireClaims(token.value, log);
  if (!claims.ok) return failed(claims, log);
  const provider = findProvider(claims.value.iss, input.iam.providers, log, behaviour);
  if (!provider.ok) return failed(provider, log);
  const audience = checkAudience(claims.value, provider.value, log);
  if (!audience.ok) return failed(audience, log);

  // 3. Verification keys.
  const keys = await fetchIssuerKeys(
    claims.value.iss,
    provider.value,
    input.issuer,
    log,
    input.fetchBudgetMs ?? DEFAULT_FETCH_BUDGET_MS,
  );
  if (!keys.ok) return failed(keys, log);

  // 4. Signature and expiry.
  const signature = await verifySignature(token.value, keys.value.jwks, log);
  if (!signature.ok) return failed(signature, log);
  const expiry = checkExpiry(token.value, input.now, log);
  if (!expiry.ok) return failed(expiry, log);

  // 5. Authorization.
  const session = readSessionClaims(token.value.claims);
  const context = webIdentityContext({
    providerHostPath: providerHostPath(provider.value),
    providerArn: provider.value.arn,
    claims: token.value.claims,
    audience: audience.value,
    roleSessionName: request.value.roleSessionName,
    session,
    behaviour,
  });
  const authorized = authorize(input.iam.role, context, log);
  if (!authorized.ok) return failed(authorized, log);
  const role = authorized.value.role;

  // 6. Duration against the role.
  const duration = checkMaxSessionDuration(
    request.value,
    input.request.DurationSeconds !== undefined,
    role,
    log,
  );
  if (!duration.ok) return failed(duration, log);

  // IAM's role ARN is authoritative; the request's ARN names the same role.
  const roleArn = parseArn(role.arn);
  const grant = buildGrant({
    partition: roleArn?.partition ?? request.value.partition,
    account: roleArn?.account ?? request.value.account,
    roleArn: role.arn,
    roleName: role.roleName,
    roleId: role.roleId,
    roleSessionName: request.value.roleSessionName,
    durationSeconds: duration.value,
    provider: provider.value.arn,
    audience: audience.value,
    subject: claims.value.sub,
    sourceIdentity: session.sourceIdentity,
    sessionTags: session.tags,
  });
  log.pass('grant', grant.assumedRoleArn);
  return { ok: true, grant, steps: log.steps };
}

/**
 * The grant. The assumed-role ARN is `arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`
 * without the role's path, and the id `<role id>:<session>` (§1.3). `Provider` is the provider ARN,
 * what real responses for IAM OIDC providers carry (§1.3, §11.1).
 */
function buildGrant(parts: {
  readonly partition: string;
  readonly account: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly provider: string;
  readonly audience: string;
  readonly subject: string;
  readonly sourceIdentity: string | undefined;
  readonly sessionTags: Readonly<Record<string, string>> | undefined;
}): WebIdentityGrant {
  const { partition, account } = parts;
  return {
    roleArn: parts.roleArn,
    roleId: parts.roleId,
    roleSessionName: parts.roleSessionName,
    assumedRoleArn: `arn:${partition}:sts::${account}:assumed-role/${parts.roleName}/${parts.roleSessionName}`,
    assumedRoleId: `${parts.roleId}:${parts.roleSessionName}`,
    durationSeconds: parts.durationSeconds,
    provider: parts.provider,
    audience: parts.audience,
    subjectFromWebIdentityToken: parts.subject,
    ...(parts.sourceIdentity === undefined ? {} : { sourceIdentity: parts.sourceIdentity }),
    ...(parts.sessionTags === undefined ? {} : { sessionTags: parts.sessionTags }),
  };
}
