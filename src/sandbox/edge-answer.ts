import { randomBytes } from 'node:crypto';
import { escapeXml } from './xml-text.js';

/** One buffered answer of the edge. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** S3's request id headers (`x-amz-request-id`, `x-amz-id-2`), random per answer. */
export function s3RequestIds(): Record<string, string> {
  return {
    'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-amz-id-2': randomBytes(48).toString('base64'),
  };
}

/** S3's error document (aws-sts-oidc.md §7, observed 403 of a private object). */
export function s3Error(
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): Answer {
  const ids = s3RequestIds();
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${fields}<RequestId>${ids['x-amz-request-id'] ?? ''}</RequestId><HostId>${ids['x-amz-id-2'] ?? ''}</HostId></Error>`;
  return {
    status,
    headers: { 'content-type': 'application/xml', server: 'AmazonS3', ...ids },
    body: Buffer.from(body),
  };
}

/** S3's 403 `AccessDenied`. */
export const accessDenied = (): Answer => s3Error(403, 'AccessDenied', 'Access Denied');

/** A plain-text answer of the edge itself (not of an emulated service). */
export function textAnswer(status: number, text: string, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'text/plain', ...headers }, body: Buffer.from(text) };
}

/** Decodes a request path into an S3 key (percent-decoding each segment). */
export function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Encodes an S3 key for a request path, keeping its `/`. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
