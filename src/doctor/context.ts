import type { AwsBehaviour } from '../webidentity/behaviour.js';
import type { IdentityObserver } from './ports.js';
import type { HttpObservation, IssuerView } from '../webidentity/types.js';

/**
 * What the doctor reaches the world through (STYLE.md §2): the issuer as STS fetches it, AWS
 * (read-only), and a clock. Kubernetes is read before the checks run (cluster.ts builds a snapshot),
 * so no check talks to a cluster.
 */
export interface DoctorContext {
  /** Anonymous HTTPS GETs from where AWS stands (src/net/issuer-fetch.ts, or the sandbox's). */
  readonly issuer: IssuerView;
  /** AWS reads; undefined when AWS cannot be used (then AWS checks say could-not-check). */
  readonly aws?: IdentityObserver | undefined;
  /** Why `aws` is missing, shown in could-not-check results. */
  readonly awsUnavailableReason?: string;
  readonly now: () => Date;
  /** STS's budget for discovery + JWKS, ms; default 5000 (aws-sts-oidc.md §2). */
  readonly fetchBudgetMs?: number;
  /** Which AWS to predict (`--aws-behaviour`); default today's, `'2026-11'`. */
  readonly behaviour?: AwsBehaviour;
}

/**
 * Wraps an issuer view so each URL is fetched once per run, however many checks and tokens ask
 * for it (concurrent callers share the one request in flight). The web-identity model fetches
 * through the same wrapper, so the doctor's checks and its verdict see the same bytes.
 */
export function memoizeIssuerView(view: IssuerView): IssuerView & { readonly fetched: () => number } {
  const seen = new Map<string, Promise<HttpObservation>>();
  return {
    fetch(url) {
      let hit = seen.get(url);
      if (hit === undefined) {
        hit = view.fetch(url).catch((e: unknown): HttpObservation => ({
          url,
          ok: false,
          error: 'other',
          message: e instanceof Error ? e.message : String(e),
          latencyMs: 0,
        }));
        seen.set(url, hit);
      }
      return hit;
    },
    fetched: () => seen.size,
  };
}

/**
 * Runs `work` once per key, sharing the promise: AWS reads (providers, a role, a bucket) are made
 * once per run even when many components need them.
 */
export class Memo {
  readonly #values = new Map<string, Promise<unknown>>();

  get<T>(key: string, work: () => Promise<T>): Promise<T> {
    let hit = this.#values.get(key) as Promise<T> | undefined;
    if (hit === undefined) {
      hit = work();
      this.#values.set(key, hit);
    }
    return hit;
  }
}
