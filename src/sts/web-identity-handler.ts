import type { AwsBehaviour } from '../webidentity/behaviour.js';
import type {
  AssumeRoleWithWebIdentityRequest,
  WebIdentityInput,
  WebIdentityResult,
} from '../webidentity/types.js';
import { mintSessionCredentials, type IssuedSessions } from './credentials.js';
import { INTERNAL_FAILURE } from './errors.js';
import { parseRoleArn } from '../webidentity/iam-view.js';
import { IamReadError, type CachedIamReader } from './iam-reader.js';
import type { CachingIssuerView } from './issuer-cache.js';
import { assumeRoleWithWebIdentityRequest, packedPolicySize, type QueryParameters } from './query-request.js';
import { renderAssumeRoleWithWebIdentityJson } from './json.js';
import { logValue, sendBody, sendError, type Reply } from './respond.js';
import type { StsCounters } from './stats.js';
import { renderAssumeRoleWithWebIdentityResponse } from './xml.js';

/** The model's entry point; injectable so tests can observe or replace it. */
export type WebIdentityEvaluator = (input: WebIdentityInput) => Promise<WebIdentityResult>;

/** What answering `AssumeRoleWithWebIdentity` needs; one per server. */
export interface WebIdentityHandlerDeps {
  readonly iam: CachedIamReader;
  readonly issuer: CachingIssuerView;
  readonly evaluate: WebIdentityEvaluator;
  readonly clock: () => Date;
  readonly sessions: IssuedSessions;
  readonly counters: StsCounters;
  /** See `StsServerOptions.issuerRefreshCooldownMs`. */
  readonly refreshCooldownMs: number;
  readonly fetchBudgetMs: number | undefined;
  /** The AWS behaviour profile the model answers as. */
  readonly behaviour: AwsBehaviour;
}

/**
 * Evaluates a request with the model; when a token fails with `InvalidIdentityToken` against
 * cached issuer documents old enough to refresh, evaluates it once more against fresh ones.
 */
export async function evaluateWithRefresh(
  deps: WebIdentityHandlerDeps,
  request: AssumeRoleWithWebIdentityRequest,
): Promise<WebIdentityResult> {
  const view = await deps.iam.viewFor(request.RoleArn);
  const run = async (): Promise<{ result: WebIdentityResult; cached: ReadonlySet<string> }> => {
    const session = deps.issuer.session();
    const input: WebIdentityInput = {
      request,
      iam: view,
      issuer: session.view,
      now: deps.clock(),
      behaviour: deps.behaviour,
      ...(deps.fetchBudgetMs === undefined ? {} : { fetchBudgetMs: deps.fetchBudgetMs }),
    };
    return { result: await deps.evaluate(input), cached: session.servedFromCache };
  };
  const first = await run();
  if (first.result.ok || first.result.error.code !== 'InvalidIdentityToken') return first.result;
  // The token may be signed with a key published after we cached the JWKS (a rotation):
  // look again, at most once per cooldown per URL.
  const stale = deps.issuer.refreshable(first.cached, deps.refreshCooldownMs);
  if (stale.length === 0) return first.result;
  deps.issuer.evict(stale);
  deps.counters.issuerRefreshRetries++;
  return (await run()).result;
}

/**
 * Answers `AssumeRoleWithWebIdentity`: the model decides, this function mints and records the
 * session and writes AWS's response (aws-sts-oidc.md §1.3, §1.4).
 */
export async function answerAssumeRoleWithWebIdentity(
  deps: WebIdentityHandlerDeps,
  params: QueryParameters,
  reply: Reply,
): Promise<void> {
  const { counters, clock } = deps;
  const { requestId, started } = reply;
  const request = assumeRoleWithWebIdentityRequest(params);
  const role = request.RoleArn ?? '-';
  let result: WebIdentityResult;
  try {
    result = await evaluateWithRefresh(deps, request);
  } catch (error) {
    counters.failed++;
    counters.countError(INTERNAL_FAILURE.code);
    const reason =
      error instanceof IamReadError
        ? error.message
        : `model failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown'}`;
    counters.warn(`sts AssumeRoleWithWebIdentity role=${logValue(role)} internal error: ${reason}`);
    sendError(reply, INTERNAL_FAILURE);
    counters.log('AssumeRoleWithWebIdentity', role, INTERNAL_FAILURE.code, started);
    return;
  }
  if (!result.ok) {
    counters.failed++;
    counters.countError(result.error.code);
    sendError(reply, result.error);
    counters.log('AssumeRoleWithWebIdentity', role, `${result.error.code}(${result.rule})`, started);
    return;
  }
  const grant = result.grant;
  // One clock reading for both: `Expiration` = the `Date` header + the granted duration
  // (aws-sts-2026.md §4, probe). Both are second-precise and the duration is whole seconds, so
  // a client that adds them gets `Expiration` exactly (boto3 parses both).
  const issuedAt = clock();
  const expiresAt = new Date(issuedAt.getTime() + grant.durationSeconds * 1000);
  const credentials = mintSessionCredentials(expiresAt);
  deps.sessions.add(credentials.accessKeyId, {
    assumedRoleArn: grant.assumedRoleArn,
    assumedRoleId: grant.assumedRoleId,
    account: parseRoleArn(grant.roleArn)?.account ?? '',
    sessionToken: credentials.sessionToken,
    expiresAt: expiresAt.getTime(),
  });
  counters.ok++;
  const size = packedPolicySize(request);
  sendBody(
    reply,
    200,
    reply.format === 'json'
      ? renderAssumeRoleWithWebIdentityJson(grant, credentials, requestId, size)
      : renderAssumeRoleWithWebIdentityResponse(grant, credentials, requestId, size),
    {},
    issuedAt,
  );
  counters.log('AssumeRoleWithWebIdentity', role, 'OK', started);
}
