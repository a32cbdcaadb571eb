import { performance } from 'node:perf_hooks';
import type { StsLogger } from './logger.js';
import { logValue } from './respond.js';

/** Counters since start. */
export interface StsServerStats {
  readonly requests: number;
  readonly assumeRoleWithWebIdentity: { readonly ok: number; readonly failed: number };
  /** Failures by AWS error code. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** `GetCallerIdentity` answered for sessions this server issued. */
  readonly callerIdentityAnswered: number;
  readonly forwarded: number;
  readonly iamCalls: number;
  readonly iamCacheHits: number;
  readonly issuerFetches: number;
  readonly issuerCacheHits: number;
  /** Evaluations repeated against freshly fetched issuer documents. */
  readonly issuerRefreshRetries: number;
}

/** The server's own counters (the caches keep theirs) and its one log line per request. */
export class StsCounters {
  requests = 0;
  ok = 0;
  failed = 0;
  callerIdentityAnswered = 0;
  forwarded = 0;
  issuerRefreshRetries = 0;
  readonly #errorsByCode = new Map<string, number>();
  readonly #logger: StsLogger | undefined;

  constructor(logger: StsLogger | undefined) {
    this.#logger = logger;
  }

  /** Counts a refused request under its AWS error code. */
  countError(code: string): void {
    this.#errorsByCode.set(code, (this.#errorsByCode.get(code) ?? 0) + 1);
  }

  /** Failures so far, by code. */
  errorsByCode(): Record<string, number> {
    return Object.fromEntries(this.#errorsByCode);
  }

  /**
   * Writes the request's log line: `sts <Action> role=<RoleArn> outcome=<…> ms=<elapsed>`.
   * Client-supplied values go through {@link logValue}; tokens and secrets are never passed here.
   */
  log(action: string, role: string, outcome: string, started: number): void {
    if (this.#logger === undefined) return;
    const ms = (performance.now() - started).toFixed(1);
    this.#logger.info(`sts ${logValue(action)} role=${logValue(role)} outcome=${outcome} ms=${ms}`);
  }

  /** A warning (failures of our own, never client secrets). */
  warn(message: string): void {
    this.#logger?.warn(message);
  }
}
