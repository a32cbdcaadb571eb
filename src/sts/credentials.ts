import { randomBytes } from 'node:crypto';

/**
 * Session credentials shaped like the ones STS issues (aws-sts-oidc.md §1.3): an `ASIA` access
 * key id (temporary keys start with ASIA) followed by 16 characters of the base32 alphabet AWS
 * key ids use, a 40-character secret, an opaque base64 session token and an ISO-8601 UTC
 * expiration without fractional seconds.
 *
 * The values are random and carry no meaning; what the server knows about a session (which role
 * it is, when it ends) lives in {@link IssuedSessions}, so `GetCallerIdentity` can answer for it.
 */

/** Credentials as they appear in the response. Secret: never log them. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly expiration: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Length of the random part of session tokens, in bytes (base64: 4/3 of it). */
const SESSION_TOKEN_BYTES = 660;

/**
 * Real session tokens begin with the base64 of a fixed header (`IQoJb3JpZ2luX2Vj…`, "origin_ec");
 * reusing that prefix makes ours look the same to anyone eyeballing a log or a credentials file.
 */
const SESSION_TOKEN_PREFIX = 'IQoJb3JpZ2luX2Vj';

/**
 * Random bytes from a pool refilled 64 KiB at a time. Each credential needs about 720 random
 * bytes, and one `randomBytes` call per request cost a sixth of the server's own CPU (profiled);
 * the bytes still come from the CSPRNG, only fetched in bulk.
 */
const POOL_BYTES = 64 * 1024;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

function random(length: number): Buffer {
  if (length > POOL_BYTES) return randomBytes(length);
  if (poolOffset + length > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
}

function randomFrom(alphabet: string, length: number): string {
  // Both alphabets have a power-of-two size (32, 64), so masking keeps the choice uniform.
  const mask = alphabet.length - 1;
  const bytes = random(length);
  let out = '';
  for (const b of bytes) out += alphabet.charAt(b & mask);
  return out;
}

/** ISO-8601 UTC without milliseconds, as STS prints `Expiration`. */
export function formatAwsTimestamp(date: Date): string {
  // Requests in the same second share the text (toISOString cost ~1.7 µs per request, profiled).
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastFormatted.second) {
    lastFormatted = { second, text: `${date.toISOString().slice(0, 19)}Z` };
  }
  return lastFormatted.text;
}

let lastFormatted: { readonly second: number; readonly text: string } = { second: Number.NaN, text: '' };

/** Mints a new set of session credentials that expire at `expiresAt`. */
export function mintSessionCredentials(expiresAt: Date): IssuedCredentials {
  return {
    accessKeyId: `ASIA${randomFrom(BASE32, 16)}`,
    secretAccessKey: randomFrom(SECRET_ALPHABET, 40),
    sessionToken: SESSION_TOKEN_PREFIX + random(SESSION_TOKEN_BYTES).toString('base64'),
    expiration: formatAwsTimestamp(expiresAt),
  };
}

/** What the server remembers of a session it issued. */
export interface IssuedSession {
  readonly assumedRoleArn: string;
  readonly assumedRoleId: string;
  readonly account: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
}

/**
 * The sessions this server issued, by access key id, so that `GetCallerIdentity` signed with them
 * reports the assumed role (as AWS does) instead of moto's default identity. Bounded: the oldest
 * entries are dropped past `maxEntries` (Map keeps insertion order), and expired ones on lookup.
 */
export class IssuedSessions {
  readonly #sessions = new Map<string, IssuedSession>();
  readonly #maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  /** Records a session. */
  add(accessKeyId: string, session: IssuedSession): void {
    this.#sessions.set(accessKeyId, session);
    if (this.#sessions.size > this.#maxEntries) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done !== true) this.#sessions.delete(oldest.value);
    }
  }

  /** The session for an access key id, expired or not; undefined when this server never issued it. */
  get(accessKeyId: string): IssuedSession | undefined {
    return this.#sessions.get(accessKeyId);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
