import { entityTag, ifNoneMatchMatches } from './etag.js';
import { normalizeRequestPath } from './request-path.js';

/**
 * What the server answers to one request, as a pure function of the documents it holds: status,
 * headers and body. The HTTP server only copies this onto the wire, so every header rule is here
 * and unit-tested.
 */

/** One document the server holds, by path. */
export interface ServedDocument {
  readonly body: Buffer;
  /** {@link entityTag} of `body`. */
  readonly etag: string;
}

/** What `/healthz` reports. */
export interface HealthReport {
  readonly issuer: string;
  /** The kids of the served JWKS, in its order (a key without a kid shows as ""). */
  readonly kids: readonly string[];
  /** The served leaf certificate. */
  readonly certificate: {
    readonly subject: string;
    readonly serialNumber: string;
    readonly notAfter: string;
  };
  /** When the served documents were read (ISO 8601). */
  readonly documentsLoadedAt: string;
}

/** The state {@link respond} answers from. */
export interface ResponderState {
  /** Documents by normalised path. */
  readonly documents: ReadonlyMap<string, ServedDocument>;
  readonly healthPath: string;
  readonly health: HealthReport;
  /** The time now (the health endpoint reports an expired certificate). */
  readonly now: Date;
}

/** The request as far as {@link respond} needs it. */
export interface RequestLine {
  readonly method: string;
  /** The raw request target (`req.url`). */
  readonly target: string;
  readonly ifNoneMatch?: string | undefined;
}

/**
 * A response to write. `body` is empty for HEAD and 304; `Content-Length` is set on every status
 * but 304, where it would have to be the length of the 200 body (RFC 9110 §8.6).
 */
export interface PlainResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * Headers on every response. The documents are JSON for machines, never pages: `nosniff` keeps a
 * browser from reading them as anything else, `default-src 'none'` lets nothing load or run if one
 * were rendered, HSTS tells browsers this host is HTTPS only (one year, OWASP's recommendation; no
 * `includeSubDomains`, which would bind hosts this server does not own). No `Server` header (Node
 * sends none), so no version is advertised.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/**
 * Cache lifetime of the documents, seconds. Short on purpose: STS already caches the keys it fetched
 * for an undocumented time (aws-sts-oidc.md §3.3, "Caching"), and every cache between STS and this
 * server adds its own lifetime to that: after a rotation publishes a new key in keys.json, tokens
 * signed by it are refused until the old copy expires everywhere. Five minutes keeps that wait short
 * while still sparing the server repeated fetches ("STS is making too many requests" is a cause of
 * `InvalidIdentityToken`, same section).
 */
export const DOCUMENT_MAX_AGE_SECONDS = 300;

/** The methods the documents answer; others get 405 with this `Allow`. */
export const ALLOWED_METHODS = 'GET, HEAD';

function text(status: number, message: string, extra: Record<string, string> = {}): PlainResponse {
  const body = Buffer.from(`${message}\n`, 'utf8');
  return {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': String(body.length),
      ...extra,
    },
    body,
  };
}

/** The health report with its status: 503 once the served certificate has expired. */
function health(state: ResponderState, head: boolean): PlainResponse {
  const expired = Date.parse(state.health.certificate.notAfter) <= state.now.getTime();
  const body = Buffer.from(
    `${JSON.stringify({ status: expired ? 'certificate-expired' : 'ok', ...state.health })}\n`,
    'utf8',
  );
  return {
    status: expired ? 503 : 200,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      // A health answer is about now: never cached.
      'cache-control': 'no-store',
      'content-length': String(body.length),
    },
    body: head ? Buffer.alloc(0) : body,
  };
}

/**
 * The answer to one request.
 *
 * - A path that does not normalise ({@link normalizeRequestPath}) or names no document: 404 (no
 *   listing, whatever the method).
 * - A document or the health path with a method other than GET or HEAD: 405 with `Allow`.
 * - A document: 200 with `Content-Type: application/json`, `Cache-Control`, `ETag` and
 *   `Content-Length` (HEAD: the same headers, no body); 304 with `ETag` and `Cache-Control` when
 *   `If-None-Match` matches.
 */
export function respond(state: ResponderState, request: RequestLine): PlainResponse {
  const path = normalizeRequestPath(request.target);
  const document = path === undefined ? undefined : state.documents.get(path);
  const isHealth = path !== undefined && path === state.healthPath;
  if (document === undefined && !isHealth) return text(404, 'not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return text(405, 'method not allowed', { allow: ALLOWED_METHODS });
  }
  const head = request.method === 'HEAD';
  if (document === undefined) return health(state, head);

  const cache = {
    etag: document.etag,
    'cache-control': `public, max-age=${DOCUMENT_MAX_AGE_SECONDS}`,
  };
  if (ifNoneMatchMatches(request.ifNoneMatch, document.etag)) {
    return {
      status: 304,
      headers: { ...SECURITY_HEADERS, ...cache },
      body: Buffer.alloc(0),
    };
  }
  return {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      ...cache,
      'content-type': 'application/json',
      'content-length': String(document.body.length),
    },
    body: head ? Buffer.alloc(0) : document.body,
  };
}

/** A document ready to serve: its bytes and their tag. */
export function servedDocument(body: Buffer): ServedDocument {
  return { body, etag: entityTag(body) };
}
