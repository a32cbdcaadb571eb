import { compactVerify, importJWK } from 'jose';
import type { Jwk, Jwks } from '../core/index.js';
import { awsErrors } from './aws-errors.js';
import { passed, type Checked, type StepLog } from './steps.js';
import type { DecodedToken, SupportedAlgorithm } from './token.js';

/**
 * Choosing the token's key in the JWKS and verifying the signature with jose
 * (aws-sts-oidc.md §3.3). The algorithm comes from the token header but only after `token.alg`
 * limited it to RS256/384/512 and ES256/384/512, and jose is told to accept exactly that one, so
 * `alg: none` and HMAC tokens (e.g. HS256 "signed" with the public key as a secret) never verify.
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
const importedKeys = new Map<string, Promise<Awaited<ReturnType<typeof importJWK>>>>();
const MAX_IMPORTED_KEYS = 256;

function importMemoized(jwk: Jwk, alg: SupportedAlgorithm): Promise<Awaited<ReturnType<typeof importJWK>>> {
  const id = JSON.stringify([alg, jwk.kty, jwk['n'], jwk['e'], jwk['crv'], jwk['x'], jwk['y']]);
  const hit = importedKeys.get(id);
  if (hit !== undefined) {
    importedKeys.delete(id);
    importedKeys.set(id, hit);
    return hit;
  }
  // fitsAlgorithm already matched the JWK's own alg (when any) with the header's.
  const imported = importJWK({ ...jwk, alg }, alg);
  importedKeys.set(id, imported);
  imported.catch(() => importedKeys.delete(id));
  if (importedKeys.size > MAX_IMPORTED_KEYS) {
    const oldest = importedKeys.keys().next().value;
    if (oldest !== undefined) importedKeys.delete(oldest);
  }
  return imported;
}

async function verifiesWith(token: DecodedToken, jwk: Jwk): Promise<boolean> {
  try {
    const key = await importMemoized(jwk, token.alg);
    await compactVerify(token.compact, key, { algorithms: [token.alg] });
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
