import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_AWS_BEHAVIOUR,
  evaluateWebIdentity,
  isAwsBehaviour,
  type AwsBehaviour,
} from '../webidentity/index.js';
import type { IssuerView } from '../webidentity/types.js';
import { IssuedSessions } from './credentials.js';
import { INTERNAL_FAILURE } from './errors.js';
import { Forwarder } from './forward.js';
import { handleRequest } from './handle-request.js';
import { closeServer, listen } from './http-lifecycle.js';
import { CachedIamReader, type IamHoldScope, type IamReadOptions } from './iam-reader.js';
import { CachingIssuerView } from './issuer-cache.js';
import type { StsLogger } from './logger.js';
import { resolveLimits, type StsLimits } from './limits.js';
import { newReply, sendError } from './respond.js';
import { StsCounters, type StsServerStats } from './stats.js';
import type { WebIdentityEvaluator, WebIdentityHandlerDeps } from './web-identity-handler.js';

export type { IamHoldScope } from './iam-reader.js';
export type { StsLogger } from './logger.js';
export type { StsServerStats } from './stats.js';
export type { WebIdentityEvaluator } from './web-identity-handler.js';

/**
 * The validating STS server: an HTTP endpoint speaking STS's Query protocol that answers
 * `AssumeRoleWithWebIdentity` the way AWS does. It does protocol, I/O, caching and credentials;
 * every decision comes from the web-identity model (`src/webidentity`), so the server and
 * `stsctl doctor` can never disagree. Every other STS action is proxied to `forwardEndpoint`
 * (moto); what is neither is refused as AWS refuses it (src/sts/front-end.ts).
 */

/** Options of {@link startStsServer}. */
export interface StsServerOptions {
  /** Interface to bind; default `127.0.0.1`. */
  readonly host?: string;
  /** Port; default 0 (a free port). */
  readonly port?: number;
  /** The region this endpoint plays (reported in logs; STS answers the same in every region). */
  readonly region: string;
  /** How to read IAM (roles, OIDC providers): moto in the sandbox, a real account elsewhere. */
  readonly iam: IamReadOptions;
  /** Where every other STS action (the allow-list in actions.ts) is proxied. */
  readonly forwardEndpoint?: string;
  /** How the issuer is fetched (discovery, JWKS), as STS would from the public internet. */
  readonly issuer: IssuerView;
  /** Clock for the model (token expiry) and credential expiration; default `() => new Date()`. */
  readonly clock?: () => Date;
  /** TTL of the IAM cache (roles, providers), ms; default 5000. */
  readonly cacheTtlMs?: number;
  /** TTL of cached HTTP 200 issuer observations (discovery, JWKS), ms; default 60000. */
  readonly issuerCacheTtlMs?: number;
  /**
   * A token that fails with `InvalidIdentityToken` against issuer documents cached at least this
   * long ago is evaluated once more against fresh ones (a rotated key is seen at once); ms,
   * default 1000. Bounds how often a stream of bad tokens can make us refetch.
   */
  readonly issuerRefreshCooldownMs?: number;
  /** Budget for discovery + JWKS passed to the model, ms (the model's default when absent). */
  readonly fetchBudgetMs?: number;
  /** Default: no logging. */
  readonly logger?: StsLogger;
  /** The model; default `evaluateWebIdentity` from `src/webidentity`. */
  readonly evaluate?: WebIdentityEvaluator;
  /** Bounds on what one client may cost; each default is in {@link DEFAULT_STS_LIMITS}. */
  readonly limits?: Partial<StsLimits>;
  /**
   * Which AWS to answer as (src/webidentity/behaviour.ts): `'2026-11'`, AWS today (default), or
   * `'2025-12'`, AWS before the 2026 changes (e.g. `No OpenIDConnect provider found in your
   * account for <iss>` for a missing provider, aws-sts-2026.md §1). Passed to the model; the
   * front end answers the same in both (see docs/validating-sts.md, "Behaviour profiles").
   */
  readonly behaviour?: AwsBehaviour;
}

/** A started server. */
export interface RunningStsServer {
  /** `http://<host>:<port>`, for `AWS_ENDPOINT_URL_STS` or `--endpoint-url`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes connections and releases SDK clients. */
  close(): Promise<void>;
  /** Forgets cached IAM and issuer observations: the next request reads both again. */
  invalidateCaches(): void;
  /** The AWS behaviour profile this server answers as. */
  readonly behaviour: AwsBehaviour;
  /** Forgets cached IAM reads only (the sandbox calls it on every IAM write). */
  invalidateIamCache(): void;
  /**
   * Keeps the IAM view a write is about to change as it is now for `durationMs` (the sandbox's
   * rehearsal of IAM propagation delay); see `CachedIamReader.hold`.
   */
  holdIamView(scope: IamHoldScope, durationMs: number): Promise<void>;
  /** A snapshot of the counters. */
  readonly stats: StsServerStats;
}

/**
 * Starts the validating STS server.
 *
 * Defaults: host `127.0.0.1`, port 0 (free), IAM cache 5 s, issuer cache 60 s, no logging.
 * @see docs/validating-sts.md
 */
export async function startStsServer(options: StsServerOptions): Promise<RunningStsServer> {
  const limits = resolveLimits(options.limits);
  const behaviour = options.behaviour ?? DEFAULT_AWS_BEHAVIOUR;
  // The type admits only known profiles; a caller in plain JavaScript (or a cast) may not.
  if (!isAwsBehaviour(behaviour)) {
    throw new RangeError(`behaviour must be one of 2026-11, 2025-12 (got ${JSON.stringify(behaviour)})`);
  }
  // Cache ages use a monotonic clock, not the injected one: a frozen test clock must not make
  // IAM changes invisible forever.
  const monotonic = (): number => performance.now();
  const counters = new StsCounters(options.logger);
  const deps: WebIdentityHandlerDeps = {
    iam: new CachedIamReader(options.iam, options.cacheTtlMs ?? 5000, monotonic),
    issuer: new CachingIssuerView(options.issuer, options.issuerCacheTtlMs ?? 60_000, monotonic),
    evaluate: options.evaluate ?? evaluateWebIdentity,
    clock: options.clock ?? (() => new Date()),
    sessions: new IssuedSessions(),
    counters,
    refreshCooldownMs: options.issuerRefreshCooldownMs ?? 1000,
    fetchBudgetMs: options.fetchBudgetMs,
    behaviour,
  };
  const forwarder =
    options.forwardEndpoint === undefined
      ? undefined
      : new Forwarder(options.forwardEndpoint, limits.forwardTimeoutMs);
  const handle = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    handleRequest({ ...deps, forwarder, limits }, req, res);

  const server: Server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both timeouts on this interval (default 30 s): a quarter of the shorter one
      // keeps a slow sender's overrun within 25 % of the documented bound.
      connectionsCheckingInterval: Math.max(50, Math.floor(limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        counters.warn(`sts request failed: ${message}`);
        if (!res.headersSent) {
          sendError(newReply(res, 'xml', deps.clock), INTERNAL_FAILURE);
        } else res.destroy();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  // Keep client connections open between calls (SDKs pool them) longer than their idle timeouts.
  server.keepAliveTimeout = 65_000;

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, host, options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  options.logger?.info(
    `sts validating STS for ${options.region} (AWS behaviour ${behaviour}) on http://${urlHost}:${port}` +
      (forwarder === undefined ? '' : `, forwarding other actions to ${forwarder.endpoint}`),
  );

  return {
    url: `http://${urlHost}:${port}`,
    port,
    behaviour,
    invalidateCaches(): void {
      deps.iam.invalidate();
      deps.issuer.invalidate();
    },
    invalidateIamCache(): void {
      deps.iam.invalidate();
    },
    holdIamView(scope, durationMs) {
      return deps.iam.hold(scope, durationMs);
    },
    get stats(): StsServerStats {
      return {
        requests: counters.requests,
        assumeRoleWithWebIdentity: { ok: counters.ok, failed: counters.failed },
        errorsByCode: counters.errorsByCode(),
        callerIdentityAnswered: counters.callerIdentityAnswered,
        forwarded: counters.forwarded,
        issuerRefreshRetries: counters.issuerRefreshRetries,
        ...deps.iam.stats,
        ...deps.issuer.stats,
      };
    },
    async close(): Promise<void> {
      await closeServer(server);
      deps.iam.destroy();
      forwarder?.destroy();
    },
  };
}
