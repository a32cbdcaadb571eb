import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerCallerIdentity } from './caller-identity.js';
import type { Forwarder } from './forward.js';
import { answerByForwarding, refuse } from './forward-handler.js';
import { refuseByHead, responseFormat, routeQuery, type RequestHead } from './front-end.js';
import type { StsLimits } from './limits.js';
import { signingAccessKeyId } from './query-request.js';
import { BodyTooLargeError, readBoundedBody } from './request-body.js';
import { answerHeaders, errorBody, newReply, writeBody, type Reply } from './respond.js';
import { answerAssumeRoleWithWebIdentity, type WebIdentityHandlerDeps } from './web-identity-handler.js';

/** Everything a request may need: the web-identity handler's dependencies, the forwarder, limits. */
export interface RequestDeps extends WebIdentityHandlerDeps {
  readonly forwarder: Forwarder | undefined;
  readonly limits: StsLimits;
}

/**
 * How much of an oversized body is read and thrown away after the 413 is sent, so the client,
 * still sending, reads the 413 instead of a connection reset; past it, the connection is cut.
 */
const DRAIN_FACTOR = 64;

/**
 * Answers 413 and closes the connection once the client has finished sending (or after
 * `maxBodyBytes × 64` more bytes). Closing while the client still sends makes its TCP stack
 * discard our answer on the reset it receives, so the 413 would be lost (RFC 9112 §9.6).
 */
function refuseTooLarge(deps: RequestDeps, req: IncomingMessage, reply: Reply): void {
  const { counters, limits } = deps;
  const error = {
    code: 'RequestEntityTooLarge',
    status: 413,
    type: 'Sender' as const,
    message: `The request body is larger than ${limits.maxBodyBytes} bytes.`,
  };
  counters.failed++;
  counters.countError(error.code);
  counters.log('oversized request', '-', error.code, reply.started);
  // The whole answer goes out now (Content-Length tells the client it is complete); `end()`
  // waits for the body's end, then closes the connection (`Connection: close`).
  writeBody(reply, error.status, errorBody(reply, error), { Connection: 'close' });
  const { res } = reply;
  let drained = 0;
  const limit = limits.maxBodyBytes * DRAIN_FACTOR;
  const finish = (): void => {
    req.off('data', onData);
    res.end();
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > limit) {
      req.off('data', onData);
      res.destroy();
    }
  };
  if (req.readableEnded) {
    finish();
    return;
  }
  req.on('data', onData);
  req.once('end', finish);
  req.resume();
}

/**
 * One request: the head is checked (method, encoding, protocol, media type, size), the body read
 * within its bound, the parameters routed by the front end; `AssumeRoleWithWebIdentity` is
 * validated here, `GetCallerIdentity` of our own sessions answered here, other allow-listed STS
 * calls forwarded.
 */
export async function handleRequest(
  deps: RequestDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { counters, limits } = deps;
  counters.requests++;
  const reply = newReply(res, responseFormat(req.headers), deps.clock);
  const head: RequestHead = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
  const refused = refuseByHead(head);
  if (refused !== undefined) {
    // Node reads and discards whatever body is left once the answer is sent.
    refuse(counters, reply, refused.error, refused.action, refused);
    return;
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limits.maxBodyBytes) {
    refuseTooLarge(deps, req, reply);
    return;
  }
  let body: Buffer;
  try {
    body = await readBoundedBody(req, limits.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) refuseTooLarge(deps, req, reply);
    else req.destroy();
    return;
  }
  const route = routeQuery(head, body, limits);
  switch (route.kind) {
    case 'refuse':
      refuse(counters, reply, route.error, route.action, route);
      return;
    case 'redirect':
      res.writeHead(302, { Location: route.location, 'Content-Length': 0, ...answerHeaders(reply) });
      res.end();
      counters.log('no-action', '-', 'redirect:302', reply.started);
      return;
    case 'assume-role-with-web-identity':
      await answerAssumeRoleWithWebIdentity(deps, route.params, reply);
      return;
    case 'get-caller-identity': {
      const accessKeyId = signingAccessKeyId(req.headers.authorization, route.params);
      if (accessKeyId !== undefined && answerCallerIdentity(deps, req, route.params, accessKeyId, reply))
        return;
      await answerByForwarding(deps, req, route.params, reply, 'GetCallerIdentity');
      return;
    }
    case 'forward':
      await answerByForwarding(deps, req, route.params, reply, route.action);
      return;
  }
}
