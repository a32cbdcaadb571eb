import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { awsErrors, profileErrors } from './aws-errors.js';
import { DEFAULT_AWS_BEHAVIOUR, type AwsBehaviour } from './behaviour.js';
import { passed, type Checked, type StepLog } from './steps.js';

/**
 * The token side before any key is fetched: decoding (jose's decode helpers, no verification),
 * the signing algorithm, and the claims STS needs to find the provider (aws-sts-oidc.md §3.4).
 */

/** Algorithms STS accepts (current model text, §1.2). Never `none`, never HMAC (ARCHITECTURE.md invariants). */
export const SUPPORTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** A decoded, not yet verified token. */
export interface DecodedToken {
  readonly compact: string;
  readonly header: ProtectedHeaderParameters;
  readonly claims: JWTPayload;
  readonly alg: SupportedAlgorithm;
  /** Header `kid`, or undefined (old Kubernetes signed without one, §3.3). */
  readonly kid: string | undefined;
}

/** The claims the model reads, in the types it needs. */
export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  /** `aud` as a list (a string `aud` is a one-element list). */
  readonly aud: readonly string[];
  readonly azp: string | undefined;
}

function isSupported(alg: unknown): alg is SupportedAlgorithm {
  return typeof alg === 'string' && (SUPPORTED_ALGORITHMS as readonly string[]).includes(alg);
}

/**
 * A JWS segment in canonical base64url: only the base64url alphabet, no padding or whitespace,
 * and not a length no encoding produces (4n + 1). On such input Node's `base64url` decoder and
 * jose's (atob after mapping `-_` to `+/`) return the same bytes; anything else goes through jose.
 */
const CANONICAL_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** True when `segment` is non-empty canonical base64url (see {@link CANONICAL_SEGMENT}). */
export function isCanonicalBase64url(segment: string): boolean {
  return segment.length % 4 !== 1 && CANONICAL_SEGMENT.test(segment);
}

/** jose decodes JOSE JSON with a fatal UTF-8 decoder (BOM stripped); the fast path does the same. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Header and claims in one pass over a well-formed compact JWS, or undefined when the token is
 * anything else (then jose's decoders run, and their error messages are reported). jose's
 * `decodeProtectedHeader` + `decodeJwt` split the token twice and decode with atob and a per-byte
 * loop; this path splits once and decodes natively. Same result on every input it accepts:
 * three segments, canonical base64url, strict UTF-8, JSON objects.
 */
function decodeWellFormed(
  compact: string,
): { readonly header: ProtectedHeaderParameters; readonly claims: JWTPayload } | undefined {
  const parts = compact.split('.');
  if (parts.length !== 3) return undefined;
  const [encodedHeader = '', encodedPayload = ''] = parts;
  if (!isCanonicalBase64url(encodedHeader) || !isCanonicalBase64url(encodedPayload)) return undefined;
  try {
    const header: unknown = JSON.parse(strictUtf8.decode(Buffer.from(encodedHeader, 'base64url')));
    const claims: unknown = JSON.parse(strictUtf8.decode(Buffer.from(encodedPayload, 'base64url')));
    if (!plainObject(header) || !plainObject(claims)) return undefined;
    return { header, claims };
  } catch {
    return undefined;
  }
}

/**
 * Decodes the token (rule `token.decode`) and checks its `alg` (rule `token.alg`).
 * A JWE (five parts), a non-JSON header or payload, or anything else that is not a compact JWS
 * fails with {@link awsErrors.malformedToken} (user/3rd, aws-sts-2026.md §6). A refused `alg`
 * answers the same text today (the best-supported answer, §6); the `'2025-12'` profile keeps
 * stsctl's earlier wording.
 * @param behaviour the AWS behaviour profile; default today's.
 */
export function decodeToken(
  compact: string,
  log: StepLog,
  behaviour: AwsBehaviour = DEFAULT_AWS_BEHAVIOUR,
): Checked<DecodedToken> {
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  const fast = decodeWellFormed(compact);
  if (fast !== undefined) {
    ({ header, claims } = fast);
  } else {
    try {
      header = decodeProtectedHeader(compact);
      claims = decodeJwt(compact);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : 'not a JWT';
      return log.fail('token.decode', `not a compact JWS: ${why}`, awsErrors.malformedToken());
    }
  }
  log.pass('token.decode', `header ${JSON.stringify(header)}`);

  const alg: unknown = header.alg;
  if (!isSupported(alg)) {
    const shown = typeof alg === 'string' ? alg : alg === undefined ? 'missing' : JSON.stringify(alg);
    return log.fail(
      'token.alg',
      `alg ${shown} is not one of ${SUPPORTED_ALGORITHMS.join(', ')}`,
      profileErrors(behaviour).refusedAlgorithm(shown),
    );
  }
  log.pass('token.alg', alg);
  const kid: unknown = header.kid;
  const token: DecodedToken = {
    compact,
    header,
    claims,
    alg,
    kid: typeof kid === 'string' ? kid : undefined,
  };
  if (fast !== undefined) wellFormedTokens.add(token);
  return passed(token);
}

/** Tokens {@link decodeToken} read on the one-pass path: their `header` is exactly the JWS's. */
const wellFormedTokens = new WeakSet<DecodedToken>();

/**
 * True for a token that {@link decodeToken} decoded from three canonical base64url segments
 * (header and payload; the signature is checked by the caller). signature.ts verifies such tokens
 * without jose's second decode.
 */
export function isWellFormedToken(token: DecodedToken): boolean {
  return wellFormedTokens.has(token);
}

function stringList(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v): v is string => typeof v === 'string')) {
    return value;
  }
  return undefined;
}

/**
 * The claims STS requires before the provider lookup. `aud` comes first: a legacy Kubernetes
 * token (no `aud`, `iss` = `kubernetes/serviceaccount`) is answered "Missing a required claim: aud",
 * not "No OpenIDConnect provider found" (aws-sdk-ruby#2698, §2), so the presence check precedes the
 * lookup. `Missing a required claim: sub` is confirmed (user, aws-sts-2026.md §6); the same form for
 * `iss` is stsctl's choice (no source, 2026 §8).
 */
export function requireClaims(token: DecodedToken, log: StepLog): Checked<TokenClaims> {
  const { claims } = token;
  // A list of non-strings or an empty list counts as missing: nothing could match a client ID.
  const aud = stringList(claims.aud);
  if (aud === undefined) {
    return log.fail('token.claim-aud', 'no usable aud claim', awsErrors.missingClaim('aud'));
  }
  log.pass('token.claim-aud', `aud ${JSON.stringify(claims.aud)}`);

  const iss: unknown = claims.iss;
  if (typeof iss !== 'string' || iss === '') {
    return log.fail('token.claim-iss', 'no iss claim', awsErrors.missingClaim('iss'));
  }
  log.pass('token.claim-iss', iss);

  const sub: unknown = claims.sub;
  if (typeof sub !== 'string' || sub === '') {
    return log.fail('token.claim-sub', 'no sub claim', awsErrors.missingClaim('sub'));
  }
  log.pass('token.claim-sub', sub);

  const azp: unknown = claims['azp'];
  return passed({ iss, sub, aud, azp: typeof azp === 'string' ? azp : undefined });
}

/** IAM accepts a token up to five minutes after `exp` for clock skew (§2). */
export const EXPIRY_LEEWAY_SECONDS = 300;

/** Time claims the model requires to be integers when present (§1.2). */
const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'] as const;

/**
 * Checks the time claims after the signature: integers only (rule `token.timestamps`), `exp`
 * present (rule `token.claim-exp`, [inferred] message, aws-sts-2026.md §8), and not expired beyond
 * the 5-minute leeway (rule `token.expiry`): rejected only when now > exp + 300 (§2, current IAM
 * guide; 2026 §6 notes the leeway may be newer than a 2021 answer 198 s after `exp`). The message
 * has a space before each number in both profiles: the 2021 form without it predates 2024 answers.
 * @returns `exp` in Unix seconds.
 */
export function checkExpiry(token: DecodedToken, now: Date, log: StepLog): Checked<number> {
  for (const claim of TIME_CLAIMS) {
    const value: unknown = token.claims[claim];
    if (value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value))) {
      return log.fail(
        'token.timestamps',
        `${claim} is ${JSON.stringify(value)}, not an integer`,
        awsErrors.invalidTimestamp(claim),
      );
    }
  }
  log.pass('token.timestamps', 'time claims are integers');

  const exp = token.claims.exp;
  if (exp === undefined) {
    return log.fail('token.claim-exp', 'no exp claim', awsErrors.missingClaim('exp'));
  }
  log.pass('token.claim-exp', `exp ${exp}`);

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (nowSeconds > exp + EXPIRY_LEEWAY_SECONDS) {
    return log.fail(
      'token.expiry',
      `expired ${nowSeconds - exp} s ago (leeway ${EXPIRY_LEEWAY_SECONDS} s)`,
      awsErrors.tokenExpired(nowSeconds, exp),
    );
  }
  log.pass(
    'token.expiry',
    exp >= nowSeconds
      ? `expires in ${exp - nowSeconds} s`
      : `expired ${nowSeconds - exp} s ago, within the ${EXPIRY_LEEWAY_SECONDS} s leeway`,
  );
  return passed(exp);
}
