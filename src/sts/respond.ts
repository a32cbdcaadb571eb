import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsError } from '../webidentity/types.js';
import { renderErrorResponse } from './xml.js';

/** Sends a Query-protocol XML body with the headers STS sets (aws-sts-oidc.md §1.3, §1.4). */
export function sendXml(res: ServerResponse, status: number, requestId: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

/** Sends `error` in the Query error envelope. */
export function sendError(res: ServerResponse, error: AwsError, requestId: string): void {
  sendXml(res, error.status, requestId, renderErrorResponse(error, requestId));
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
