import { createHash } from 'node:crypto';

/**
 * Entity tags for the served documents (RFC 9110 §8.8.3). The tag is a hash of the bytes, so it
 * changes exactly when the document does (a rotated keys.json gets a new tag) and two servers
 * serving the same files give the same tags.
 */

/**
 * The strong entity tag of `body`: `"` + unpadded base64url SHA-256 + `"`.
 * @see RFC 9110 §8.8.3
 */
export function entityTag(body: Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Whether an `If-None-Match` header matches the current tag, so the answer is 304. The header is
 * `*` or a comma-separated list of tags; the comparison is weak (a `W/` prefix is ignored), as
 * RFC 9110 §13.1.2 requires for `If-None-Match`. An absent or unparsable header never matches.
 */
export function ifNoneMatchMatches(header: string | undefined, currentTag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  const opaque = (tag: string): string => tag.replace(/^W\//, '');
  const tags = value.match(/(?:W\/)?"[^"]*"/g) ?? [];
  return tags.some((tag) => opaque(tag) === opaque(currentTag));
}
