import type { IncomingMessage } from 'node:http';
import type { AwsError } from '../webidentity/types.js';
import type { IssuedSessions } from './credentials.js';
import type { QueryParameters } from './query-request.js';
import { renderGetCallerIdentityJson } from './json.js';
import { sendBody, sendError, type Reply } from './respond.js';
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
  reply: Reply,
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
    sendError(reply, refusal);
    counters.log('GetCallerIdentity', session.assumedRoleArn, refusal.code, reply.started);
    return true;
  }
  const identity = { arn: session.assumedRoleArn, userId: session.assumedRoleId, account: session.account };
  sendBody(
    reply,
    200,
    reply.format === 'json'
      ? renderGetCallerIdentityJson(identity, reply.requestId)
      : renderGetCallerIdentityResponse(identity, reply.requestId),
  );
  counters.log('GetCallerIdentity', session.assumedRoleArn, 'OK', reply.started);
  return true;
}
