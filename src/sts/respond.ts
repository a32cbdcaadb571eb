import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsError } from '../webidentity/types.js';
import type { ResponseFormat } from './front-end.js';
import { renderErrorJson } from './json.js';
import { renderErrorResponse } from './xml.js';

/** Where and how one request is answered. */
export interface Reply {
  readonly res: ServerResponse;
  /** Sent as `x-amzn-RequestId` and in the body. */
  readonly requestId: string;
  readonly format: ResponseFormat;
  /** `performance.now()` when the request arrived, for the log line. */
  readonly started: number;
}

const CONTENT_TYPES: Readonly<Record<ResponseFormat, string>> = {
  xml: 'text/xml',
  json: 'application/json',
};

function headersFor(
  reply: Reply,
  body: string,
  extraHeaders: Readonly<Record<string, string>>,
): Record<string, string | number> {
  return {
    ...extraHeaders,
    'Content-Type': CONTENT_TYPES[reply.format],
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': reply.requestId,
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
  reply.res.writeHead(status, headersFor(reply, body, extraHeaders));
  reply.res.write(body);
}

/** Sends a whole answer. */
export function sendBody(
  reply: Reply,
  status: number,
  body: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  reply.res.writeHead(status, headersFor(reply, body, extraHeaders));
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
