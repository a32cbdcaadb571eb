/**
 * What one client may cost the validating STS. Every bound is documented, with its reason, in
 * docs/validating-sts.md ("Limits and what is refused").
 */
export interface StsLimits {
  /**
   * Largest request body, bytes; default 1 MiB. The largest legal `AssumeRoleWithWebIdentity` is
   * about 23 KB (20,000-character token, 2,048-character policy, ten policy ARNs; §1.2).
   * Larger bodies get 413, sent before the connection is closed.
   */
  readonly maxBodyBytes: number;
  /**
   * Most parameters (query string plus form body); default 1,000. The widest STS call, `AssumeRole`
   * with 50 tags, 50 transitive keys and 10 policy ARNs, has under 200.
   */
  readonly maxParameters: number;
  /** Largest request head (request line and headers), bytes; default 16 KiB (Node answers 431). */
  readonly maxHeaderBytes: number;
  /** Time to receive the request head, ms; default 10 s (`server.headersTimeout`, Node answers 408). */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request, ms; default 30 s (`server.requestTimeout`, Node answers 408). */
  readonly requestTimeoutMs: number;
  /** Open connections at once; default 512 (`server.maxConnections`: more are closed on accept). */
  readonly maxConnections: number;
  /** Time the forward endpoint (moto) has to answer a forwarded call, ms; default 15 s. */
  readonly forwardTimeoutMs: number;
}

/** The defaults of {@link StsLimits}. */
export const DEFAULT_STS_LIMITS: StsLimits = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxParameters: 1000,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 512,
  forwardTimeoutMs: 15_000,
});

/**
 * The limits with `overrides` applied, checked: every value a positive integer, and the head
 * timeout no longer than the request timeout (Node requires it).
 *
 * @throws RangeError naming the limit that is not usable.
 */
export function resolveLimits(overrides: Partial<StsLimits> | undefined): StsLimits {
  const limits: StsLimits = { ...DEFAULT_STS_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      throw new RangeError(`STS limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError(
      `STS limit headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  }
  return limits;
}
