import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsError } from '../webidentity/types.js';
import type { IssuedSessions } from './credentials.js';
import type { QueryParameters } from './query-request.js';
import { sendError, sendXml } from './respond.js';
import type { StsCounters } from './stats.js';
import { renderGetCallerIdentityResponse } from './xml.js';

const EXPIRED_TOKEN: AwsError = {
  code: 'ExpiredToken',
  status: 403,
  type: 'Sender',
  message: 'The security token included in the request is expired',
};

const INVALID_CLIENT_TOKEN_ID: AwsError = {
  code: 'InvalidClientTokenId',
  status: 403,
  type: 'Sender',
  message: 'The security token included in the request is invalid.',
};

/**
 * `GetCallerIdentity` signed with credentials this server issued. moto would answer with its
 * default identity (`arn:aws:sts::123456789012:user/moto`, moto `STSBackend.get_caller_identity`),
 * since it never saw the session; a user expects the assumed role, as AWS reports it.
 * The SigV4 signature itself is not verified (moto does not either); the session token is.
 *
 * @returns false when `accessKeyId` is no session of ours (the caller forwards the request then).
 */
export function answerCallerIdentity(
  deps: { readonly sessions: IssuedSessions; readonly counters: StsCounters; readonly clock: () => Date },
  req: IncomingMessage,
  params: QueryParameters,
  accessKeyId: string,
  res: ServerResponse,
  requestId: string,
  started: number,
): boolean {
  const { counters } = deps;
  const session = deps.sessions.get(accessKeyId);
  if (session === undefined) return false;
  counters.callerIdentityAnswered++;
  const token = req.headers['x-amz-security-token'] ?? params.get('X-Amz-Security-Token');
  const refusal =
    deps.clock().getTime() >= session.expiresAt
      ? EXPIRED_TOKEN
      : token !== session.sessionToken
        ? INVALID_CLIENT_TOKEN_ID
        : undefined;
  if (refusal !== undefined) {
    sendError(res, refusal, requestId);
    counters.log('GetCallerIdentity', session.assumedRoleArn, refusal.code, started);
    return true;
  }
  sendXml(
    res,
    200,
    requestId,
    renderGetCallerIdentityResponse(
      { arn: session.assumedRoleArn, userId: session.assumedRoleId, account: session.account },
      requestId,
    ),
  );
  counters.log('GetCallerIdentity', session.assumedRoleArn, 'OK', started);
  return true;
}
