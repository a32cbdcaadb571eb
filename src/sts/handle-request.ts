import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { answerCallerIdentity } from './caller-identity.js';
import { STS_API_VERSION, invalidAction } from './errors.js';
import type { Forwarder } from './forward.js';
import { answerByForwarding, refuse } from './forward-handler.js';
import { isFormContentType, queryParameters, signingAccessKeyId } from './query-request.js';
import { BodyTooLargeError, readBoundedBody } from './request-body.js';
import { headerText } from './respond.js';
import { answerAssumeRoleWithWebIdentity, type WebIdentityHandlerDeps } from './web-identity-handler.js';

/** Generous next to the largest legal request (20,000-character token, 2,048-character policy). */
const MAX_BODY_BYTES = 1024 * 1024;

/** What `new URL('/', 'http://localhost')` yields; only `search` and `pathname` are read. */
const ROOT_URL: Pick<URL, 'search' | 'pathname'> = Object.freeze({ search: '', pathname: '/' });

/** A JSON-protocol request (AWS JSON 1.0 with `X-Amz-Target`), which STS's clients here never send. */
function isJsonProtocol(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type'] ?? '';
  return req.headers['x-amz-target'] !== undefined || contentType.includes('amz-json');
}

/** Everything a request may need: the web-identity handler's dependencies and the forwarder. */
export interface RequestDeps extends WebIdentityHandlerDeps {
  readonly forwarder: Forwarder | undefined;
}

/**
 * One request, from body to answer: `AssumeRoleWithWebIdentity` is validated here,
 * `GetCallerIdentity` of our own sessions answered here, everything else forwarded.
 */
export async function handleRequest(
  deps: RequestDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { counters } = deps;
  const started = performance.now();
  counters.requests++;
  const requestId = randomUUID();
  let body: Buffer;
  try {
    body = await readBoundedBody(req, MAX_BODY_BYTES);
  } catch (error) {
    req.destroy();
    if (error instanceof BodyTooLargeError && !res.headersSent) {
      res.writeHead(413, { Connection: 'close' }).end();
    }
    return;
  }
  // Every SDK posts to `/`: skip the WHATWG URL parser for it (~1.5 µs per request, profiled).
  const url = req.url === '/' || req.url === undefined ? ROOT_URL : new URL(req.url, 'http://localhost');
  const method = req.method ?? 'GET';
  const contentType = req.headers['content-type'];
  const isQuery =
    !isJsonProtocol(req) &&
    (method === 'GET' ||
      (method === 'POST' && (contentType === undefined || isFormContentType(contentType))));
  const params = queryParameters(url.search, method === 'POST' ? body.toString('utf8') : undefined);
  const action = params.get('Action') ?? '';
  if (isQuery && action === 'AssumeRoleWithWebIdentity') {
    const version = params.get('Version');
    if (version === null || version === STS_API_VERSION) {
      await answerAssumeRoleWithWebIdentity(deps, params, res, requestId, started);
    } else {
      refuse(counters, res, invalidAction(action, version), action, requestId, started);
    }
    return;
  }
  // Never let AssumeRoleWithWebIdentity reach moto in another shape (JSON protocol, odd
  // content type): moto would grant it without looking at the token (aws-sts-oidc.md §10).
  if (
    action === 'AssumeRoleWithWebIdentity' ||
    headerText(req, 'x-amz-target').endsWith('.AssumeRoleWithWebIdentity')
  ) {
    const error = invalidAction('AssumeRoleWithWebIdentity', params.get('Version'));
    refuse(counters, res, error, action, requestId, started);
    return;
  }
  if (isQuery && action === 'GetCallerIdentity') {
    const accessKeyId = signingAccessKeyId(req.headers.authorization, params);
    if (
      accessKeyId !== undefined &&
      answerCallerIdentity(deps, req, params, accessKeyId, res, requestId, started)
    ) {
      return;
    }
  }
  const label = isQuery ? action || 'no-action' : `${method} ${url.pathname}`;
  await answerByForwarding(deps, req, body, res, label, requestId, started);
}
