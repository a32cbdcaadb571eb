/**
 * Issuer sites from directories: any public issuer host (GitHub Actions, GitLab, EKS, a
 * self-hosted name) served by the edge as a static site, e.g. for
 * `stsctl sandbox up --issuer-site token.actions.githubusercontent.com=./gh` (docs/sandbox.md,
 * "Any public issuer").
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { StsctlError } from '../core/errors.js';
import type { StaticRoute, StaticSite } from './edge-routes.js';
import { normalizeHost } from './hosts.js';

/** One `--issuer-site` value, parsed. */
export interface IssuerSiteSpec {
  /** Host name the edge answers for, lower-case. */
  readonly host: string;
  /** Path prefix of the issuer on that host (`/id/<id>` for EKS), `''` for none. */
  readonly pathPrefix: string;
  /** Directory whose files are the issuer's documents, relative paths = URL paths. */
  readonly dir: string;
  /** `sandbox` (AWS's CA library trusts it) or `private` (STS falls back to thumbprints). */
  readonly ca: 'sandbox' | 'private';
}

const HOST_RE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

function invalid(value: string, reason: string): StsctlError {
  return new StsctlError('SANDBOX_ISSUER_SITE_INVALID', `--issuer-site ${value}: ${reason}`);
}

/**
 * Parses `<host>[/<path>]=<dir>[,ca=sandbox|private]` (an `https://` prefix on the host is
 * accepted, so an issuer URL can be pasted). `dir` is resolved against `cwd`.
 */
export function parseIssuerSiteSpec(value: string, cwd: string): IssuerSiteSpec {
  const eq = value.indexOf('=');
  if (eq <= 0) throw invalid(value, 'expected <host>[/<path>]=<dir>[,ca=sandbox|private]');
  const target = value.slice(0, eq).replace(/^https:\/\//, '');
  const [dir = '', ...options] = value.slice(eq + 1).split(',');
  if (dir === '') throw invalid(value, 'the directory is missing after "="');
  const slash = target.indexOf('/');
  const host = normalizeHost(slash < 0 ? target : target.slice(0, slash));
  const pathPrefix = slash < 0 ? '' : target.slice(slash).replace(/\/+$/, '');
  if (!HOST_RE.test(host)) throw invalid(value, `"${host}" is not a DNS host name`);
  if (/[?#\s]/.test(pathPrefix)) throw invalid(value, `"${pathPrefix}" is not a URL path`);
  let ca: 'sandbox' | 'private' = 'sandbox';
  for (const option of options) {
    if (option === 'ca=sandbox' || option === 'ca=private')
      ca = option === 'ca=private' ? 'private' : 'sandbox';
    else throw invalid(value, `unknown option "${option}" (known: ca=sandbox, ca=private)`);
  }
  return { host, pathPrefix, dir: resolve(cwd, dir), ca };
}

/** Every regular file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** JSON for the documents an issuer serves (discovery, JWKS), else octet-stream. */
function contentTypeOf(path: string): string {
  return /(\.json|\/openid-configuration|\/jwks)$/.test(path)
    ? 'application/json'
    : 'application/octet-stream';
}

/**
 * The routes of one issuer site: each file of `spec.dir` at `<pathPrefix>/<relative path>`, read
 * now (a later change to the directory needs `edge.setStaticSite` again).
 */
export async function loadIssuerSiteRoutes(
  spec: IssuerSiteSpec,
  label: string,
): Promise<Record<string, StaticRoute>> {
  const isDir = await stat(spec.dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw invalid(label, `${spec.dir} is not a readable directory`);
  const routes: Record<string, StaticRoute> = {};
  for (const file of await filesUnder(spec.dir)) {
    const urlPath = `${spec.pathPrefix}/${file.split(sep).join('/')}`;
    routes[urlPath] = {
      body: await readFile(join(spec.dir, file), 'utf8'),
      headers: { 'content-type': contentTypeOf(urlPath) },
    };
  }
  if (Object.keys(routes).length === 0) throw invalid(label, `${spec.dir} holds no files`);
  return routes;
}

/**
 * Static sites for `--issuer-site` values: sites on the same host (several EKS clusters under
 * `oidc.eks.<region>.amazonaws.com`) are merged; they must agree on the CA.
 */
export async function loadIssuerSites(values: readonly string[], cwd: string): Promise<StaticSite[]> {
  const sites = new Map<string, { ca: 'sandbox' | 'private'; routes: Record<string, StaticRoute> }>();
  for (const value of values) {
    const spec = parseIssuerSiteSpec(value, cwd);
    const routes = await loadIssuerSiteRoutes(spec, value);
    const existing = sites.get(spec.host);
    if (existing !== undefined && existing.ca !== spec.ca) {
      throw invalid(value, `${spec.host} is already served with ca=${existing.ca}`);
    }
    sites.set(spec.host, { ca: spec.ca, routes: { ...existing?.routes, ...routes } });
  }
  return [...sites].map(([host, s]) => ({ host, ca: s.ca, routes: s.routes }));
}
