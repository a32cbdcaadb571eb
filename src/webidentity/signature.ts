import { KeyObject, verify as verifyWithNode } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import type { Jwk, Jwks } from '../core/index.js';
import { awsErrors } from './aws-errors.js';
import { passed, type Checked, type StepLog } from './steps.js';
import {
  isCanonicalBase64url,
  isWellFormedToken,
  type DecodedToken,
  type SupportedAlgorithm,
} from './token.js';

/**
 * Choosing the token's key in the JWKS and verifying the signature with jose
 * (aws-sts-oidc.md §3.3). The algorithm comes from the token header but only after `token.alg`
 * limited it to RS256/384/512 and ES256/384/512, and jose is told to accept exactly that one, so
 * `alg: none` and HMAC tokens (e.g. HS256 "signed" with the public key as a secret) never verify.
 *
 * Keys are imported by jose. A well-formed token (canonical base64url, no `crit`) whose key jose
 * would accept for its `alg` is then verified with node:crypto on that same key: the check jose's
 * `compactVerify` makes, without its second decode and Web Crypto's argument handling, which cost
 * ~36 µs of CPU per RSA-4096 request (docs/PERFORMANCE.md). Every other token or key goes through
 * `compactVerify` as before. Every request still verifies its signature; nothing is cached per token.
 */

/** The key type (and curve) each accepted algorithm needs (RFC 7518 §3.3, §3.4). */
const KEY_SHAPE: Readonly<Record<SupportedAlgorithm, { readonly kty: string; readonly crv?: string }>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
};

/**
 * Keys of the JWKS that carry the token's `kid`. A token without `kid` matches keys with an
 * empty or missing `kid`: the webhook's self-hosted guide publishes every key a second time with
 * `"kid": ""` for Kubernetes before 1.16, which signed without one (§3.3, inferred).
 */
export function keysForKid(jwks: Jwks, kid: string | undefined): readonly Jwk[] {
  const wanted = kid ?? '';
  return jwks.keys.filter((k) => (k.kid ?? '') === wanted);
}

function fitsAlgorithm(jwk: Jwk, alg: SupportedAlgorithm): boolean {
  const shape = KEY_SHAPE[alg];
  // A JWK that names its `alg` is for that algorithm only (RFC 7517 §4.4), as jose's key-set
  // selection also has it.
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  return jwk.kty === shape.kty && (shape.crv === undefined || jwk['crv'] === shape.crv);
}

/**
 * Imported keys, memoized by algorithm and key material. Importing an RSA-4096 JWK costs about as
 * much as verifying a signature with it (docs/PERFORMANCE.md), and the validating STS sees the same
 * few keys on every request. The memo is a pure cache of a deterministic function: the same JWK
 * fields always import to the same key. Bounded, least recently used first out.
 */
type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

/** An imported key, and the same key as a `KeyObject` when jose would verify `alg` with it. */
interface VerificationKey {
  readonly imported: ImportedKey;
  readonly keyObject: KeyObject | undefined;
}

const importedKeys = new Map<string, Promise<VerificationKey>>();
const MAX_IMPORTED_KEYS = 256;

/**
 * The same memo by JWK object: the issuer cache and the JWKS parse memo (issuer-keys.ts) hand the
 * model the same `Jwk` objects on every request, and building the string id above (JSON of an
 * RSA-4096 modulus) cost ~4 µs per request (profiled). Entries go with their JWK.
 */
const keysByJwk = new WeakMap<Jwk, Map<SupportedAlgorithm, Promise<VerificationKey>>>();

/** What jose's `compactVerify` requires of a CryptoKey for `alg` (its `checkCryptoKey`). */
const WEB_CRYPTO_SHAPE: Readonly<
  Record<SupportedAlgorithm, { readonly name: string; readonly hash?: string; readonly namedCurve?: string }>
> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  RS384: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
  RS512: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  ES512: { name: 'ECDSA', namedCurve: 'P-521' },
};

/** RFC 7518 §3.3: RSA keys of 2048 bits or more (jose refuses smaller ones the same way). */
const MIN_RSA_BITS = 2048;

/**
 * The key as a `KeyObject` for node:crypto, when jose itself would verify `alg` with it: a public
 * CryptoKey of the algorithm, hash or curve `alg` needs, usable for `verify`, RSA of 2048 bits or
 * more. Otherwise undefined, and jose's `compactVerify` decides (and refuses) as before.
 */
function asKeyObject(imported: ImportedKey, alg: SupportedAlgorithm): KeyObject | undefined {
  if (imported instanceof Uint8Array || imported.type !== 'public') return undefined;
  if (!imported.usages.includes('verify')) return undefined;
  const shape = WEB_CRYPTO_SHAPE[alg];
  const algorithm = imported.algorithm as {
    readonly name: string;
    readonly hash?: { readonly name: string };
    readonly namedCurve?: string;
    readonly modulusLength?: number;
  };
  if (algorithm.name !== shape.name) return undefined;
  if (shape.hash !== undefined && algorithm.hash?.name !== shape.hash) return undefined;
  if (shape.namedCurve !== undefined && algorithm.namedCurve !== shape.namedCurve) return undefined;
  if (shape.name === 'RSASSA-PKCS1-v1_5' && !((algorithm.modulusLength ?? 0) >= MIN_RSA_BITS)) {
    return undefined;
  }
  return KeyObject.from(imported);
}

function importMemoized(jwk: Jwk, alg: SupportedAlgorithm): Promise<VerificationKey> {
  let byAlg = keysByJwk.get(jwk);
  const known = byAlg?.get(alg);
  if (known !== undefined) return known;
  // Every member counts, not only the key material: `key_ops`, `use`, `ext` or private members
  // change whether jose accepts the JWK for verification, so two JWKs that differ there must never
  // share an imported key.
  const id = JSON.stringify([alg, Object.entries(jwk).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
  let key = importedKeys.get(id);
  if (key !== undefined) {
    importedKeys.delete(id);
    importedKeys.set(id, key);
  } else {
    // fitsAlgorithm already matched the JWK's own alg (when any) with the header's.
    const imported = importJWK({ ...jwk, alg }, alg).then((k) => ({
      imported: k,
      keyObject: asKeyObject(k, alg),
    }));
    key = imported;
    importedKeys.set(id, imported);
    imported.catch(() => importedKeys.delete(id));
    if (importedKeys.size > MAX_IMPORTED_KEYS) {
      const oldest = importedKeys.keys().next().value;
      if (oldest !== undefined) importedKeys.delete(oldest);
    }
  }
  if (byAlg === undefined) {
    byAlg = new Map();
    keysByJwk.set(jwk, byAlg);
  }
  byAlg.set(alg, key);
  const settled = key;
  key.catch(() => {
    if (byAlg.get(alg) === settled) byAlg.delete(alg);
  });
  return key;
}

/** The digest each accepted algorithm signs (RFC 7518 §3.1). */
const DIGEST: Readonly<Record<SupportedAlgorithm, string>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
};

/**
 * The signing input and signature of a token whose every part is canonical base64url and whose
 * header has no `crit`: what jose's `compactVerify` would verify, without its second decode of
 * the header. Undefined for any other token, which then goes through jose.
 */
function signedParts(
  token: DecodedToken,
): { readonly input: Buffer; readonly signature: Buffer } | undefined {
  if (!isWellFormedToken(token) || token.header.crit !== undefined) return undefined;
  const end = token.compact.lastIndexOf('.');
  const encodedSignature = token.compact.slice(end + 1);
  if (!isCanonicalBase64url(encodedSignature)) return undefined;
  return {
    // ASCII (canonical base64url and a dot), as jose encodes the signing input.
    input: Buffer.from(token.compact.slice(0, end), 'latin1'),
    signature: Buffer.from(encodedSignature, 'base64url'),
  };
}

/**
 * RSASSA-PKCS1-v1_5 or ECDSA (IEEE P1363 `r || s`, as JWS and Web Crypto encode it) with node:crypto.
 * The callback form runs on the libuv thread pool, like Web Crypto, but costs the main thread
 * ~10 µs instead of ~18 µs and ~86 µs of CPU in all instead of ~122 µs for an RSA-4096 RS256 check
 * (measured against jose's `compactVerify` on the same key, 4,000 concurrent checks).
 */
function nodeVerify(
  alg: SupportedAlgorithm,
  key: KeyObject,
  parts: { input: Buffer; signature: Buffer },
): Promise<boolean> {
  return new Promise((resolve) => {
    const keyInput = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
    try {
      verifyWithNode(DIGEST[alg], parts.input, keyInput, parts.signature, (error, ok) => {
        resolve(error === null && ok);
      });
    } catch {
      resolve(false);
    }
  });
}

async function verifiesWith(token: DecodedToken, jwk: Jwk): Promise<boolean> {
  try {
    const key = await importMemoized(jwk, token.alg);
    const parts = key.keyObject === undefined ? undefined : signedParts(token);
    if (key.keyObject !== undefined && parts !== undefined)
      return await nodeVerify(token.alg, key.keyObject, parts);
    await compactVerify(token.compact, key.imported, { algorithms: [token.alg] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The `kid` lookup (rule `jwks.kid`): a `kid` absent from the JWKS answers
 * "Couldn't retrieve verification key…" (GitLab 342243, §2, §3.3). Then the signature (rule
 * `token.signature`): the key's type must fit `alg` and the signature must verify; otherwise
 * {@link awsErrors.invalidSignature} [unverified message, §11.7]. When several keys share the
 * `kid`, any one that verifies is enough.
 */
export async function verifySignature(token: DecodedToken, jwks: Jwks, log: StepLog): Promise<Checked<Jwk>> {
  const shownKid = token.kid === undefined ? '(no kid)' : token.kid;
  const candidates = keysForKid(jwks, token.kid);
  if (candidates.length === 0) {
    return log.fail(
      'jwks.kid',
      `kid ${shownKid} not among the JWKS kids ${JSON.stringify(jwks.keys.map((k) => k.kid ?? ''))}`,
      awsErrors.couldNotRetrieveKey(),
    );
  }
  log.pass('jwks.kid', `kid ${shownKid}: ${candidates.length} key(s)`);

  const fitting = candidates.filter((k) => fitsAlgorithm(k, token.alg));
  if (fitting.length === 0) {
    const types = candidates.map((k) => (typeof k['crv'] === 'string' ? `${k.kty}/${k['crv']}` : k.kty));
    return log.fail(
      'token.signature',
      `the key(s) for kid ${shownKid} (${types.join(', ')}) cannot verify ${token.alg}`,
      awsErrors.invalidSignature(),
    );
  }
  for (const jwk of fitting) {
    if (await verifiesWith(token, jwk)) {
      log.pass('token.signature', `${token.alg} signature verifies with kid ${shownKid}`);
      return passed(jwk);
    }
  }
  return log.fail(
    'token.signature',
    `${token.alg} signature does not verify with the key for kid ${shownKid}`,
    awsErrors.invalidSignature(),
  );
}
