import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AwsError } from '../webidentity/types.js';
import type { ResponseFormat } from './front-end.js';
import { renderErrorJson } from './json.js';
import { renderErrorResponse } from './xml.js';

/** Where and how one request is answered. */
export interface Reply {
  readonly res: ServerResponse;
  /** Sent as `x-amzn-RequestId` and in the body. */
  readonly requestId: string;
  /** Sent as `x-amz-sts-extended-request-id`. */
  readonly extendedRequestId: string;
  readonly format: ResponseFormat;
  /** `performance.now()` when the request arrived, for the log line. */
  readonly started: number;
  /** The server's clock; the `Date` header is read from it unless the answer gives its own reading. */
  readonly clock: () => Date;
}

/** A new {@link Reply} for `res`, with fresh request ids. */
export function newReply(res: ServerResponse, format: ResponseFormat, clock: () => Date): Reply {
  return {
    res,
    requestId: randomUUID(),
    extendedRequestId: newExtendedRequestId(),
    format,
    started: performance.now(),
    clock,
  };
}

/**
 * An opaque extended request id. STS sends `x-amz-sts-extended-request-id` on every answer
 * (aws-sts-2026.md §4, probe), but no captured value shows its format: ours is the base64 of 16
 * random bytes (a UUID's, whose generator Node keeps a cache for, so this costs no extra
 * CSPRNG call per request).
 */
function newExtendedRequestId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64');
}

/**
 * `date` as an HTTP `Date` value (RFC 9110 §5.6.7, IMF-fixdate), which is second-precise: the
 * text is shared by every answer within the same second.
 */
export function formatHttpDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastHttpDate.second) lastHttpDate = { second, text: date.toUTCString() };
  return lastHttpDate.text;
}

let lastHttpDate: { readonly second: number; readonly text: string } = { second: Number.NaN, text: '' };

/**
 * The headers every answer of this server carries (aws-sts-2026.md §4, probe): `x-amzn-RequestId`,
 * `x-amz-sts-extended-request-id`, and `Date` from the server's clock. `date` is given when the
 * body depends on the same clock reading: a grant's `Expiration` is `Date` + the duration (§4).
 */
export function answerHeaders(reply: Reply, date: Date = reply.clock()): Record<string, string> {
  return {
    Date: formatHttpDate(date),
    'x-amzn-RequestId': reply.requestId,
    'x-amz-sts-extended-request-id': reply.extendedRequestId,
  };
}

const CONTENT_TYPES: Readonly<Record<ResponseFormat, string>> = {
  xml: 'text/xml',
  json: 'application/json',
};

function headersFor(
  reply: Reply,
  body: string,
  extraHeaders: Readonly<Record<string, string>>,
  date: Date | undefined,
): Record<string, string | number> {
  return {
    ...extraHeaders,
    'Content-Type': CONTENT_TYPES[reply.format],
    'Content-Length': Buffer.byteLength(body),
    ...answerHeaders(reply, date),
  };
}

/**
 * Writes the status, the headers STS sets (aws-sts-oidc.md §1.3, §1.4) and the whole body, without
 * ending the response (the caller decides when the connection may close).
 */
export function writeBody(
  reply: Reply,
  status: number,
  body: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  reply.res.writeHead(status, headersFor(reply, body, extraHeaders, undefined));
  reply.res.write(body);
}

/**
 * Sends a whole answer; `date` is the clock reading the body was computed from, when it was
 * (the `Date` header is then that reading, not a later one).
 */
export function sendBody(
  reply: Reply,
  status: number,
  body: string,
  extraHeaders: Readonly<Record<string, string>> = {},
  date?: Date,
): void {
  reply.res.writeHead(status, headersFor(reply, body, extraHeaders, date));
  // One `end(body)`: head and body leave in a single write (a separate `write` costs a syscall).
  reply.res.end(body);
}

/** `error` in the Query error envelope (in `namespace` when given), or its JSON form. */
export function errorBody(reply: Reply, error: AwsError, namespace?: string): string {
  return reply.format === 'json'
    ? renderErrorJson(error, reply.requestId)
    : renderErrorResponse(error, reply.requestId, namespace);
}

/** Sends `error` as a whole answer. */
export function sendError(
  reply: Reply,
  error: AwsError,
  namespace?: string,
  extraHeaders?: Readonly<Record<string, string>>,
): void {
  sendBody(reply, error.status, errorBody(reply, error, namespace), extraHeaders);
}

/**
 * A client-supplied value made safe for a one-line log: control characters and spaces escaped,
 * at most 256 characters (a RoleArn is at most 2048, §1.2, but never that long in practice).
 */
export function logValue(value: string): string {
  const safe = JSON.stringify(value).slice(1, -1).replace(/ /g, '\\u0020');
  return safe.length > 256 ? `${safe.slice(0, 256)}…` : safe;
}

/** A header's value as one string ('' when absent). */
export function headerText(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}
