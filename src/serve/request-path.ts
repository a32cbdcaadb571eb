/**
 * The path of an HTTP request target, normalised for an exact lookup among the served documents.
 *
 * The server never maps a path onto the file system: it answers from an in-memory table of exactly
 * two paths, so traversal cannot reach a file. This function still refuses the tricks a traversal
 * attempt uses (dot segments, encoded dots and slashes, backslashes, empty segments, NUL and other
 * controls), so such a request is a plain 404 whatever the table holds, and two spellings of one
 * document never both work.
 */

/** RFC 3986 §2.3 unreserved characters: percent-encoding them changes nothing (§6.2.2.2). */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Characters allowed raw in a path (RFC 3986 §3.3 `pchar` and `/`), `%` handled separately. */
const PATH_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;

/**
 * Normalises the path of a request target, or returns undefined when it is not one the server
 * would ever serve.
 *
 * - Accepts origin form (`/a/b?q`) and absolute form (`https://host/a/b`, RFC 9112 §3.2.2); the
 *   query and fragment are dropped (STS sends none, and they never select a document).
 * - Percent-encoded unreserved characters are decoded (`%6B` is `k`, RFC 3986 §6.2.2.2); other
 *   escapes are kept with uppercase hex (§6.2.2.1).
 * - Refused: an encoded `/`, `\`, `%` or control character (`%2F`, `%5C`, `%25`, `%00`…); a raw
 *   backslash, control, space or non-ASCII byte; a bad escape; an empty segment (`//`); a `.` or
 *   `..` segment, also when spelled `%2e%2e`.
 */
export function normalizeRequestPath(target: string): string | undefined {
  let rest = target;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
  if (absolute !== null) rest = rest.slice(absolute[0].length) || '/';
  const end = rest.search(/[?#]/);
  if (end !== -1) rest = rest.slice(0, end);
  if (!rest.startsWith('/')) return undefined;

  let out = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charAt(i);
    if (c === '%') {
      const hex = rest.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      const decoded = String.fromCharCode(parseInt(hex, 16));
      if (UNRESERVED.test(decoded)) out += decoded;
      // eslint-disable-next-line no-control-regex -- an encoded control character is the point
      else if (/^[/\\%\u0000-\u0020\u007f]$/.test(decoded)) return undefined;
      else out += `%${hex.toUpperCase()}`;
      i += 2;
    } else if (PATH_CHAR.test(c)) {
      out += c;
    } else {
      return undefined;
    }
  }

  const segments = out.split('/').slice(1);
  for (const [index, segment] of segments.entries()) {
    if (segment === '.' || segment === '..') return undefined;
    // A trailing slash leaves one empty last segment: a path of its own (which no document has);
    // an empty segment anywhere else is `//`.
    if (segment === '' && index !== segments.length - 1) return undefined;
  }
  return out;
}
