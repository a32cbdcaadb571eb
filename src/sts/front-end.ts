import type { IncomingHttpHeaders } from 'node:http';
import type { AwsError } from '../webidentity/types.js';
import { STS_ACTIONS } from './actions.js';
import { STS_API_VERSION, invalidAction } from './errors.js';
import type { StsLimits } from './limits.js';
import { FirstWinsParameters, countFormPieces } from './query-parameters.js';
import { isFormContentType } from './query-request.js';
import { AWS_FAULT_NAMESPACE } from './xml.js';

/**
 * The validating STS's front end, as pure functions: which requests it answers, which it
 * refuses (and how), and which it forwards. The rule that matters most: a request whose action
 * is `AssumeRoleWithWebIdentity` is never forwarded in any shape, because moto grants it without
 * looking at the token (aws-sts-oidc.md §10); and only an action AWS would run, read the way AWS
 * reads it, is forwarded at all.
 */

/** What the front end sees before the body. */
export interface RequestHead {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A request refused here, with AWS's error, its envelope namespace and extra headers. */
export interface Refusal {
  readonly kind: 'refuse';
  readonly error: AwsError;
  /** The action as far as it is known, for the log. */
  readonly action: string;
  /** The error envelope's namespace when it is not STS's own. */
  readonly namespace?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where a Query request goes once its parameters are read. */
export type QueryRoute =
  | Refusal
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'assume-role-with-web-identity'; readonly params: FirstWinsParameters }
  | { readonly kind: 'get-caller-identity'; readonly params: FirstWinsParameters }
  | { readonly kind: 'forward'; readonly action: string; readonly params: FirstWinsParameters };

/** How an answer is written: XML by default, JSON when the client asks for it. */
export type ResponseFormat = 'xml' | 'json';

/** Methods the Query protocol uses: POST with a form body, or GET with a query string (§1.1). */
const QUERY_METHODS = 'GET, POST';

/**
 * Where a POST with no `Content-Type` and no `Action` is sent: STS answers 302 to the IAM
 * console with an empty body (aws-sts-2026.md §4, probe). The exact `Location` was not captured;
 * this is the console's IAM page.
 */
export const CONSOLE_REDIRECT = 'https://console.aws.amazon.com/iam/home';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * `json` when `Accept` names `application/json`: STS then answers in JSON (aws-sts-2026.md §4,
 * probe; Envoy's web-identity provider relies on it).
 */
export function responseFormat(headers: IncomingHttpHeaders): ResponseFormat {
  const accept = header(headers, 'accept');
  if (accept === undefined) return 'xml';
  for (const part of accept.split(',')) {
    if (part.split(';', 1)[0]?.trim().toLowerCase() === 'application/json') return 'json';
  }
  return 'xml';
}

function refusal(error: AwsError, action: string, extra: Partial<Refusal> = {}): Refusal {
  return { kind: 'refuse', error, action, ...extra };
}

/**
 * What the front end refuses from the head alone, before reading a body:
 * - a method other than GET or POST: 405 with `Allow` (RFC 9110 §15.5.6). The Query protocol
 *   has only these two (aws-sts-oidc.md §1.1); AWS's exact answer to others is not captured.
 * - a `Content-Encoding` other than `identity`: 415 with `Accept-Encoding: identity` (RFC 9110
 *   §15.5.16). STS's model has no `requestCompression` trait, so no client compresses its calls.
 * - the AWS JSON protocol (`X-Amz-Target`, an `amz-json` type): `InvalidAction`. STS's model lists
 *   only the Query protocol (botocore `protocols: ["query"]`, §1.1), so no operation is found.
 * - a POST body that is not a form (multipart, JSON, text, …): 415. A Query POST carries its
 *   parameters as `application/x-www-form-urlencoded` (§1.1); no other body is read.
 */
export function refuseByHead(head: RequestHead): Refusal | undefined {
  const { method, headers } = head;
  if (method !== 'GET' && method !== 'POST') {
    return refusal(
      {
        code: 'MethodNotAllowed',
        status: 405,
        type: 'Sender',
        message: `The method ${method} is not allowed; the Query protocol uses GET or POST.`,
      },
      `${method} request`,
      { headers: { Allow: QUERY_METHODS } },
    );
  }
  const encoding = header(headers, 'content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return refusal(
      {
        code: 'UnsupportedMediaType',
        status: 415,
        type: 'Sender',
        message: 'Content-Encoding is not supported; send the request uncompressed.',
      },
      'encoded request',
      { headers: { 'Accept-Encoding': 'identity' } },
    );
  }
  const contentType = header(headers, 'content-type');
  const target = header(headers, 'x-amz-target');
  if (target !== undefined || contentType?.toLowerCase().includes('amz-json') === true) {
    const operation = target?.slice(target.lastIndexOf('.') + 1) ?? '';
    return refusal(invalidAction(operation === '' ? 'unknown' : operation, STS_API_VERSION), operation);
  }
  if (method === 'POST' && contentType !== undefined && !isFormContentType(contentType)) {
    return refusal(
      {
        code: 'UnsupportedMediaType',
        status: 415,
        type: 'Sender',
        message: 'The request body must be application/x-www-form-urlencoded.',
      },
      'non-form request',
    );
  }
  return undefined;
}

/**
 * `MissingAction` as AWS's common errors list it ("The request is missing an action or a required
 * parameter", 400; AWS API reference, Common Errors). STS's own wording is not captured.
 */
const MISSING_ACTION: AwsError = {
  code: 'MissingAction',
  status: 400,
  type: 'Sender',
  message: 'The request is missing an action or a required parameter.',
};

/**
 * Routes a Query request whose head passed {@link refuseByHead}. Parameters come from the query
 * string, then (for a POST) the form body; the first occurrence of a name wins (§4).
 * - too many parameters: `ValidationError` (400) before any is parsed (our bound, see limits.ts);
 * - no `Action`: `MissingAction` (400); a POST without `Content-Type` gets STS's 302 instead (§4);
 * - no `Version`: `InvalidAction` "… for version NO_VERSION_SPECIFIED" in the AWSFault namespace (§4);
 * - another `Version`, or an action STS does not have: `InvalidAction` (§4, aws-cli#37's shape);
 * - `AssumeRoleWithWebIdentity`: answered here; `GetCallerIdentity`: answered here when signed
 *   with one of our sessions; any other STS action: forwarded.
 */
export function routeQuery(head: RequestHead, body: Buffer, limits: StsLimits): QueryRoute {
  const queryAt = head.url.indexOf('?');
  const search = queryAt === -1 ? '' : head.url.slice(queryAt + 1);
  const form = head.method === 'POST' ? body.toString('utf8') : '';
  const pieces = countFormPieces(search) + countFormPieces(form);
  if (pieces > limits.maxParameters) {
    return refusal(
      {
        code: 'ValidationError',
        status: 400,
        type: 'Sender',
        message: `The request has ${pieces} parameters; at most ${limits.maxParameters} are accepted.`,
      },
      'oversized request',
    );
  }
  const params = new FirstWinsParameters();
  params.addForm(search);
  params.addForm(form);
  const action = params.get('Action') ?? '';
  if (action === '') {
    if (head.method === 'POST' && head.headers['content-type'] === undefined) {
      return { kind: 'redirect', location: CONSOLE_REDIRECT };
    }
    return refusal(MISSING_ACTION, '');
  }
  const version = params.get('Version');
  if (version === null || version === '') {
    return refusal(invalidAction(action, 'NO_VERSION_SPECIFIED'), action, {
      namespace: AWS_FAULT_NAMESPACE,
    });
  }
  if (version !== STS_API_VERSION || !STS_ACTIONS.has(action)) {
    return refusal(invalidAction(action, version), action);
  }
  if (action === 'AssumeRoleWithWebIdentity') return { kind: 'assume-role-with-web-identity', params };
  if (action === 'GetCallerIdentity') return { kind: 'get-caller-identity', params };
  return { kind: 'forward', action, params };
}
