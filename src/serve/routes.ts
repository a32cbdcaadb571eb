import { StsctlError } from '../core/errors.js';
import type { DiscoveryDocument } from '../core/discovery.js';
import { validateIssuerUrl } from '../core/issuer.js';
import { normalizeRequestPath } from './request-path.js';

/**
 * Which paths the server answers, derived from the discovery document itself: STS fetches
 * `<issuer>/.well-known/openid-configuration`, then whatever `jwks_uri` names (aws-sts-oidc.md
 * §3.2), so both paths come from the document's `issuer` and `jwks_uri` rather than from a
 * convention. An issuer with a path (`https://host/cluster`) is served under that path.
 */

/** The two documents' paths. */
export interface IssuerRoutes {
  /** The issuer, as the discovery document states it. */
  readonly issuer: string;
  /** `<issuer path>/.well-known/openid-configuration`. */
  readonly discoveryPath: string;
  /** The path of `jwks_uri`. */
  readonly jwksPath: string;
}

/** Inputs of {@link deriveRoutes}. */
export interface RouteOptions {
  /** The file the discovery document was read from, for error messages. */
  readonly source: string;
  /** The issuer the server must serve (`--issuer-url`); undefined to take the document's. */
  readonly expectedIssuer?: string | undefined;
  /** The health endpoint's path: no document may sit there. */
  readonly healthPath: string;
}

/** The path of an absolute URL as written, before any resolution of dot segments. */
function rawPath(url: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(url)?.[1] ?? '';
}

/**
 * The routes of a parsed discovery document.
 * @throws StsctlError `DISCOVERY_INVALID` (issuer not an issuer AWS accepts),
 *   `SERVE_ISSUER_MISMATCH` (issuer is not `expectedIssuer`), `SERVE_JWKS_URI_INVALID` (jwks_uri not
 *   https, on another host, not a normal path, or on the discovery or health path); each names the
 *   file and the field.
 */
export function deriveRoutes(doc: DiscoveryDocument, options: RouteOptions): IssuerRoutes {
  const file = options.source;
  try {
    validateIssuerUrl(doc.issuer, 'issuer');
  } catch (e) {
    throw new StsctlError('DISCOVERY_INVALID', e instanceof Error ? e.message : String(e), {
      file,
      path: 'issuer',
      hint: 'the issuer is what every token carries in iss: https, no port, no query, no trailing slash',
    });
  }
  if (options.expectedIssuer !== undefined && doc.issuer !== options.expectedIssuer) {
    throw new StsctlError(
      'SERVE_ISSUER_MISMATCH',
      `"${doc.issuer}" is not --issuer-url "${options.expectedIssuer}" (AWS compares issuers byte for byte)`,
      { file, path: 'issuer' },
    );
  }
  const issuerUrl = new URL(doc.issuer);
  // URL resolves dot segments (`/a/../b` → `/b`): the raw path is what tokens carry, so it is kept
  // and must already be in normal form.
  const issuerPath = rawPath(doc.issuer);
  const discoveryPath = `${issuerPath}/.well-known/openid-configuration`;
  if (normalizeRequestPath(discoveryPath) !== discoveryPath) {
    throw new StsctlError(
      'DISCOVERY_INVALID',
      `"${doc.issuer}" has a path that is not in normal form (dot or empty segments, or escapes)`,
      { file, path: 'issuer' },
    );
  }

  const jwksProblem = (problem: string): StsctlError =>
    new StsctlError('SERVE_JWKS_URI_INVALID', `"${doc.jwks_uri}" ${problem}`, { file, path: 'jwks_uri' });
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(doc.jwks_uri);
  } catch {
    throw jwksProblem('is not a URL');
  }
  if (jwksUrl.protocol !== 'https:') throw jwksProblem('is not https: STS fetches keys over HTTPS only');
  // URL.host holds the port too: `https://h:8443/keys.json` is another origin than `https://h`.
  if (jwksUrl.host !== issuerUrl.host) {
    throw jwksProblem(`is not on the issuer's host ${issuerUrl.host}: this server serves that host only`);
  }
  if (jwksUrl.username !== '' || jwksUrl.password !== '' || jwksUrl.hash !== '') {
    throw jwksProblem('holds credentials or a fragment');
  }
  const jwksRaw = rawPath(doc.jwks_uri);
  const jwksPath = normalizeRequestPath(jwksRaw === '' ? '/' : jwksRaw);
  if (jwksPath === undefined || jwksPath !== jwksRaw) {
    throw jwksProblem('has a path that is not in normal form (dot or empty segments, or escapes)');
  }
  if (jwksPath === discoveryPath) throw jwksProblem("is the discovery document's own URL");
  if (jwksPath === options.healthPath) {
    throw jwksProblem(
      `collides with the health endpoint ${options.healthPath}; choose another --health-path`,
    );
  }
  if (discoveryPath === options.healthPath) {
    throw new StsctlError(
      'INVALID_FLAG',
      `--health-path ${options.healthPath} is the discovery document's path; choose another`,
    );
  }
  return { issuer: doc.issuer, discoveryPath, jwksPath };
}
