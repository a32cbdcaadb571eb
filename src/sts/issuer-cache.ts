import type { HttpObservation, IssuerView } from '../webidentity/types.js';

/**
 * A caching layer over the issuer view. STS caches its view of an issuer's keys (aws-sts-oidc.md
 * §3.3: "STS caches keys"; re:Post lists "STS is making too many requests" as a failure cause), so
 * we keep successful (HTTP 200) observations of discovery and JWKS URLs for a short TTL. Failures
 * and non-200 answers are not cached: a fixed issuer is seen on the next request.
 *
 * Like JWKS clients that re-fetch on an unknown `kid` (jose's remote key set does), the server
 * may ask for a fresh look when a token fails against cached documents; {@link refreshable} tells
 * which cached URLs are old enough (a cooldown) to be fetched again.
 */

interface Entry {
  readonly observation: Promise<HttpObservation>;
  readonly fetchedAt: number;
}

/** Counters of issuer fetches, for `RunningStsServer.stats`. */
export interface IssuerCacheStats {
  readonly issuerFetches: number;
  readonly issuerCacheHits: number;
}

/** One evaluation's use of the cache: which URLs it was served from cache. */
export interface IssuerSession {
  readonly view: IssuerView;
  readonly servedFromCache: ReadonlySet<string>;
}

export class CachingIssuerView {
  readonly #inner: IssuerView;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #entries = new Map<string, Entry>();
  #fetches = 0;
  #hits = 0;

  constructor(inner: IssuerView, ttlMs: number, now: () => number) {
    this.#inner = inner;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get stats(): IssuerCacheStats {
    return { issuerFetches: this.#fetches, issuerCacheHits: this.#hits };
  }

  /** Forgets every observation. */
  invalidate(): void {
    this.#entries = new Map();
  }

  /** Forgets the given URLs. */
  evict(urls: Iterable<string>): void {
    for (const url of urls) this.#entries.delete(url);
  }

  /** Of `urls`, those cached at least `cooldownMs` ago (worth fetching again). */
  refreshable(urls: Iterable<string>, cooldownMs: number): string[] {
    const now = this.#now();
    const out: string[] = [];
    for (const url of urls) {
      const entry = this.#entries.get(url);
      if (entry !== undefined && now - entry.fetchedAt >= cooldownMs) out.push(url);
    }
    return out;
  }

  /** A view for one evaluation that records which URLs came from the cache. */
  session(): IssuerSession {
    const servedFromCache = new Set<string>();
    const view: IssuerView = { fetch: (url) => this.#fetch(url, servedFromCache) };
    return { view, servedFromCache };
  }

  #fetch(url: string, servedFromCache: Set<string>): Promise<HttpObservation> {
    const now = this.#now();
    const hit = this.#entries.get(url);
    if (hit !== undefined && now - hit.fetchedAt < this.#ttlMs) {
      this.#hits++;
      servedFromCache.add(url);
      return hit.observation;
    }
    this.#fetches++;
    const observation = this.#inner.fetch(url);
    // Concurrent requests share the fetch in flight; only a 200 stays cached afterwards.
    const entries = this.#entries;
    entries.set(url, { observation, fetchedAt: now });
    observation.then(
      (o) => {
        if (!(o.ok && o.status === 200) && entries.get(url)?.observation === observation) {
          entries.delete(url);
        }
      },
      () => {
        if (entries.get(url)?.observation === observation) entries.delete(url);
      },
    );
    return observation;
  }
}
