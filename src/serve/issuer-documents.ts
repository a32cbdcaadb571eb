import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DRY_RUN_FILES } from '../core/ccoctl-files.js';
import { parseDiscoveryDocument } from '../core/discovery.js';
import { StsctlError, type ErrorCode } from '../core/errors.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from '../core/issuer.js';
import { parseJwks } from '../core/jwks.js';
import { servedDocument, type ServedDocument } from './respond.js';
import { deriveRoutes, type IssuerRoutes } from './routes.js';

/**
 * Reading the issuer documents from `--issuer-dir`. Two layouts are known:
 * - `ccoctl`: what `create-identity-provider --dry-run` (and `create-all --dry-run`) write into
 *   their output directory, `02-openid-configuration` and `03-keys.json` (ccoctl.md §2,
 *   src/core/ccoctl-files.ts `DRY_RUN_FILES`);
 * - `bucket`: the issuer bucket's object keys, `.well-known/openid-configuration` and `keys.json`
 *   (ccoctl.md §3.2), e.g. after `aws s3 sync s3://<name>-oidc <dir>`.
 *
 * The documents are served byte for byte as read (ccoctl's exact formatting included); they are
 * parsed only to check them and to find the paths to serve.
 */

/** Which of the two layouts a directory holds. */
export type IssuerDirLayout = 'ccoctl' | 'bucket';

/** The two files of a layout, as paths inside the directory. */
export const LAYOUT_FILES: Readonly<Record<IssuerDirLayout, { discovery: string; jwks: string }>> = {
  ccoctl: { discovery: DRY_RUN_FILES.discovery, jwks: DRY_RUN_FILES.jwks },
  bucket: { discovery: DISCOVERY_OBJECT_KEY, jwks: JWKS_OBJECT_KEY },
};

/** The documents read at one moment, checked and ready to serve. */
export interface IssuerSnapshot {
  readonly routes: IssuerRoutes;
  readonly documents: ReadonlyMap<string, ServedDocument>;
  /** The JWKS's kids in order ("" for a key without one). */
  readonly kids: readonly string[];
  readonly loadedAt: Date;
}

/** The files a directory serves. */
export interface IssuerFiles {
  readonly layout: IssuerDirLayout;
  readonly discoveryFile: string;
  readonly jwksFile: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds which layout `dir` holds.
 * @throws StsctlError `SERVE_ISSUER_DIR_INVALID` when it holds neither or both.
 */
export async function locateIssuerFiles(dir: string): Promise<IssuerFiles> {
  const found: IssuerFiles[] = [];
  for (const layout of ['ccoctl', 'bucket'] as const) {
    const files = LAYOUT_FILES[layout];
    if (await isFile(join(dir, files.discovery))) {
      found.push({ layout, discoveryFile: join(dir, files.discovery), jwksFile: join(dir, files.jwks) });
    }
  }
  const [only, second] = found;
  if (only === undefined) {
    throw new StsctlError(
      'SERVE_ISSUER_DIR_INVALID',
      `${dir} holds neither ${LAYOUT_FILES.ccoctl.discovery} and ${LAYOUT_FILES.ccoctl.jwks} (create-identity-provider --dry-run) nor ${LAYOUT_FILES.bucket.discovery} and ${LAYOUT_FILES.bucket.jwks} (the issuer bucket's layout)`,
    );
  }
  if (second !== undefined) {
    throw new StsctlError(
      'SERVE_ISSUER_DIR_INVALID',
      `${dir} holds both ${only.discoveryFile} and ${second.discoveryFile}; which one to serve is ambiguous`,
      { hint: 'keep one layout in --issuer-dir' },
    );
  }
  return only;
}

async function readJson(
  file: string,
  code: Extract<ErrorCode, 'DISCOVERY_INVALID' | 'JWKS_INVALID'>,
): Promise<{ bytes: Buffer; value: unknown }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new StsctlError('SERVE_ISSUER_DIR_INVALID', `cannot read the file (${reason})`, { file, cause });
  }
  try {
    return { bytes, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch (cause) {
    throw new StsctlError(code, `not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, {
      file,
      cause,
    });
  }
}

/** Options of {@link loadIssuerSnapshot}. */
export interface LoadOptions {
  readonly expectedIssuer?: string | undefined;
  readonly healthPath: string;
  /** Clock for `loadedAt`. */
  readonly now?: () => Date;
}

/**
 * Reads both documents, checks them, and derives the paths to serve. Everything is read and parsed
 * before anything is returned, so a half-written file fails here and is never served.
 * @throws StsctlError `SERVE_ISSUER_DIR_INVALID` (unreadable), `DISCOVERY_INVALID`, `JWKS_INVALID`
 *   (not JSON, wrong shape, or no key at all), `SERVE_ISSUER_MISMATCH`, `SERVE_JWKS_URI_INVALID`;
 *   each names the file and, where there is one, the field.
 */
export async function loadIssuerSnapshot(files: IssuerFiles, options: LoadOptions): Promise<IssuerSnapshot> {
  const discovery = await readJson(files.discoveryFile, 'DISCOVERY_INVALID');
  const jwks = await readJson(files.jwksFile, 'JWKS_INVALID');
  const doc = parseDiscoveryDocument(discovery.value, files.discoveryFile);
  const keySet = parseJwks(jwks.value, files.jwksFile);
  if (keySet.keys.length === 0) {
    // An empty set verifies no token: serving it would turn every AssumeRoleWithWebIdentity into
    // "Couldn't retrieve verification key" (aws-sts-oidc.md §3.3).
    throw new StsctlError('JWKS_INVALID', 'the key set holds no key: STS could verify no token with it', {
      file: files.jwksFile,
      path: 'keys',
    });
  }
  const routes = deriveRoutes(doc, {
    source: files.discoveryFile,
    expectedIssuer: options.expectedIssuer,
    healthPath: options.healthPath,
  });
  return {
    routes,
    documents: new Map([
      [routes.discoveryPath, servedDocument(discovery.bytes)],
      [routes.jwksPath, servedDocument(jwks.bytes)],
    ]),
    kids: keySet.keys.map((k) => k.kid ?? ''),
    loadedAt: (options.now ?? (() => new Date()))(),
  };
}
