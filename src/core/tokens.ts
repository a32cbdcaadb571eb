import { randomUUID, type KeyObject } from 'node:crypto';
import {
  SignJWT,
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { StsctlError } from './errors.js';
import { serviceAccountSubject } from './iam-documents.js';

/**
 * Service-account tokens: minting them as kube-apiserver does, and inspecting them.
 *
 * Claims follow kube-apiserver's projected tokens (kubernetes `pkg/serviceaccount/claims.go`):
 * `aud` (a list), `exp`, `iat`, `nbf` (= `iat`), `iss`, `sub` = `system:serviceaccount:NS:NAME`,
 * a `jti`, and the private `kubernetes.io` block; the header carries `alg` RS256 and `kid`.
 */

export interface MintOptions {
  readonly issuer: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Default `["openshift"]`, the audience OpenShift components request. */
  readonly audiences?: readonly string[];
  /** Lifetime in seconds; default 3600. */
  readonly expirationSeconds?: number;
  /** Injected clock (seconds since the epoch are derived from it). */
  readonly now?: Date;
  readonly serviceAccountUid?: string;
  readonly pod?: { readonly name: string; readonly uid?: string };
  /** Signing key (secret) and its kid. */
  readonly privateKey: KeyObject;
  readonly kid: string;
  /** Default RS256. */
  readonly alg?: 'RS256' | 'RS384' | 'RS512';
  /** Extra claims merged over the standard ones (for tests and fault rehearsal). */
  readonly extraClaims?: Readonly<Record<string, unknown>>;
}

export const DEFAULT_TOKEN_AUDIENCE = 'openshift';
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/** Signs a service-account token. */
export async function mintServiceAccountToken(options: MintOptions): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const lifetime = options.expirationSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime <= 0) {
    throw new StsctlError(
      'TOKEN_INVALID_OPTION',
      `token lifetime must be a positive number of seconds (got ${lifetime})`,
    );
  }
  const audiences = options.audiences ?? [DEFAULT_TOKEN_AUDIENCE];
  const kubernetes: Record<string, unknown> = {
    namespace: options.namespace,
    serviceaccount: { name: options.serviceAccount, uid: options.serviceAccountUid ?? randomUUID() },
  };
  if (options.pod !== undefined)
    kubernetes['pod'] = { name: options.pod.name, uid: options.pod.uid ?? randomUUID() };
  const payload: JWTPayload = {
    aud: [...audiences],
    exp: now + lifetime,
    iat: now,
    iss: options.issuer,
    jti: randomUUID(),
    'kubernetes.io': kubernetes,
    nbf: now,
    sub: serviceAccountSubject(options.namespace, options.serviceAccount),
    ...options.extraClaims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid })
    .sign(options.privateKey);
}

export interface TimeClaim {
  readonly claim: 'exp' | 'iat' | 'nbf' | 'auth_time';
  readonly epoch: number;
  readonly iso: string;
  /** e.g. `in 59m 58s` or `3h 2m ago`. */
  readonly relative: string;
}

export interface TokenInspection {
  readonly header: ProtectedHeaderParameters;
  readonly claims: JWTPayload;
  readonly times: readonly TimeClaim[];
  /** `exp` is in the past (no leeway applied). */
  readonly expired: boolean;
  /** Seconds until `exp` (negative once expired); undefined without `exp`. */
  readonly expiresInSeconds: number | undefined;
  /** `system:serviceaccount:NS:NAME` split, when `sub` has that form. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string } | undefined;
  readonly audiences: readonly string[];
}

/** `1d 2h`, `3h 2m`, `5m 3s`, `42s`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.abs(Math.round(totalSeconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

function relative(epoch: number, now: number): string {
  const delta = epoch - now;
  if (delta === 0) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`;
}

/**
 * Decodes a token without verifying it, for display. Accepts surrounding whitespace (tokens copied
 * from files often end with a newline).
 */
export function inspectToken(token: string, now: Date = new Date()): TokenInspection {
  const compact = token.trim();
  if (compact.split('.').length !== 3) {
    throw new StsctlError(
      'TOKEN_MALFORMED',
      `not a JWT: expected three dot-separated parts, found ${compact.split('.').length}`,
    );
  }
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(compact);
    claims = decodeJwt(compact);
  } catch (cause) {
    throw new StsctlError('TOKEN_MALFORMED', `not a JWT: ${(cause as Error).message}`, { cause });
  }
  const nowEpoch = Math.floor(now.getTime() / 1000);
  const times: TimeClaim[] = [];
  for (const claim of ['iat', 'nbf', 'exp', 'auth_time'] as const) {
    const v = claims[claim];
    if (typeof v === 'number') {
      times.push({ claim, epoch: v, iso: new Date(v * 1000).toISOString(), relative: relative(v, nowEpoch) });
    }
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const match =
    typeof claims.sub === 'string' ? /^system:serviceaccount:([^:]+):([^:]+)$/.exec(claims.sub) : null;
  const aud = claims.aud;
  return {
    header,
    claims,
    times,
    expired: exp !== undefined && exp <= nowEpoch,
    expiresInSeconds: exp === undefined ? undefined : exp - nowEpoch,
    serviceAccount:
      match?.[1] !== undefined && match[2] !== undefined
        ? { namespace: match[1], name: match[2] }
        : undefined,
    audiences: aud === undefined ? [] : Array.isArray(aud) ? aud : [aud],
  };
}
