import { StsctlError } from './errors.js';
import type { PublicKeyInfo } from './keys.js';

/**
 * JSON Web Key Sets as ccoctl writes them (ccoctl.md §3.3): each key is
 * `{use:"sig", kty:"RSA", kid, alg:"RS256", n, e}` in exactly that field order (go-jose v4's), the
 * set is `{"keys":[…]}`, indented with 4 spaces and with no trailing newline.
 */

export interface RsaJwk extends Jwk {
  readonly use: string;
  readonly kty: 'RSA';
  readonly kid: string;
  readonly alg: string;
  readonly n: string;
  readonly e: string;
}

/** A JWK as found in the wild: any key type, any fields. */
export interface Jwk {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly [field: string]: unknown;
}

export interface Jwks {
  readonly keys: readonly Jwk[];
}

/** The JWK for a signing key, fields in ccoctl's order. */
export function jwkFromPublicKey(info: PublicKeyInfo): RsaJwk {
  const jwk = info.key.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new StsctlError('KEY_NOT_RSA', 'public key is not of type RSA');
  }
  return { use: 'sig', kty: 'RSA', kid: info.kid, alg: 'RS256', n: jwk.n, e: jwk.e };
}

/** A key set holding the given keys, in order. */
export function buildJwks(keys: readonly PublicKeyInfo[]): Jwks {
  return { keys: keys.map(jwkFromPublicKey) };
}

/** Serializes a key set the way ccoctl does: 4-space indent, no trailing newline. */
export function renderJwks(jwks: Jwks): string {
  return JSON.stringify(jwks, null, 4);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a JWKS document from unknown JSON, with path-addressed errors.
 * @param source file or URL used in error messages.
 */
export function parseJwks(value: unknown, source?: string): Jwks {
  const where = source === undefined ? {} : { file: source };
  if (!isRecord(value)) throw new StsctlError('JWKS_INVALID', 'a JWKS must be a JSON object', where);
  const keys = value['keys'];
  if (!Array.isArray(keys))
    throw new StsctlError('JWKS_INVALID', 'expected a list of keys', { ...where, path: 'keys' });
  const out: Jwk[] = [];
  keys.forEach((k: unknown, i) => {
    if (!isRecord(k))
      throw new StsctlError('JWKS_INVALID', 'expected an object', { ...where, path: `keys[${i}]` });
    if (typeof k['kty'] !== 'string')
      throw new StsctlError('JWKS_INVALID', 'expected a string', { ...where, path: `keys[${i}].kty` });
    for (const field of ['kid', 'alg', 'use'] as const) {
      if (k[field] !== undefined && typeof k[field] !== 'string')
        throw new StsctlError('JWKS_INVALID', 'expected a string', { ...where, path: `keys[${i}].${field}` });
    }
    out.push(k as Jwk);
  });
  return { keys: out };
}

function sameKeyMaterial(a: Jwk, b: Jwk): boolean {
  const fields = ['kty', 'n', 'e', 'crv', 'x', 'y'];
  return fields.every((f) => a[f] === b[f]);
}

export interface JwksMerge {
  readonly jwks: Jwks;
  /** kids added to the existing set. */
  readonly added: readonly string[];
  /** kids kept from the existing set that the incoming set does not hold. */
  readonly retained: readonly string[];
}

/**
 * Merges key sets by `kid`: every existing key is kept in its place, incoming keys not yet present
 * are appended. Used for rotation (publish old and new key together) and so that a re-run never
 * shrinks a published `keys.json`. Two keys with one `kid` but different material is an error.
 */
export function mergeJwks(existing: Jwks, incoming: Jwks): JwksMerge {
  const byKid = new Map<string, Jwk>();
  for (const k of existing.keys) byKid.set(k.kid ?? '', k);
  const added: string[] = [];
  const keys: Jwk[] = [...existing.keys];
  for (const k of incoming.keys) {
    const kid = k.kid ?? '';
    const present = byKid.get(kid);
    if (present === undefined) {
      keys.push(k);
      byKid.set(kid, k);
      added.push(kid);
    } else if (!sameKeyMaterial(present, k)) {
      throw new StsctlError('JWKS_KID_CONFLICT', `two different keys carry the kid "${kid}"`);
    }
  }
  const incomingKids = new Set(incoming.keys.map((k) => k.kid ?? ''));
  const retained = existing.keys.map((k) => k.kid ?? '').filter((kid) => !incomingKids.has(kid));
  return { jwks: { keys }, added, retained };
}

/** Removes the keys with the given kids (the last step of a rotation). */
export function removeKeys(jwks: Jwks, kids: readonly string[]): Jwks {
  const drop = new Set(kids);
  return { keys: jwks.keys.filter((k) => !drop.has(k.kid ?? '')) };
}
