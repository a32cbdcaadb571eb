import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { evaluateWebIdentity } from '../webidentity/index.js';
import type {
  AssumeRoleWithWebIdentityRequest,
  AwsError,
  IssuerView,
  WebIdentityInput,
  WebIdentityResult,
} from '../webidentity/types.js';
import { IssuedSessions, mintSessionCredentials } from './credentials.js';
import { Forwarder } from './forward.js';
import { parseRoleArn } from '../webidentity/iam-view.js';
import { CachedIamReader, IamReadError, type IamReadOptions } from './iam-reader.js';
import { CachingIssuerView } from './issuer-cache.js';
import {
  assumeRoleWithWebIdentityRequest,
  isFormContentType,
  packedPolicySize,
  queryParameters,
  signingAccessKeyId,
} from './query-request.js';
import {
  renderAssumeRoleWithWebIdentityResponse,
  renderErrorResponse,
  renderGetCallerIdentityResponse,
} from './xml.js';

/**
 * The validating STS server: an HTTP endpoint speaking STS's Query protocol that answers
 * `AssumeRoleWithWebIdentity` the way AWS does. It does protocol, I/O, caching and credentials;
 * every decision comes from the web-identity model (`src/webidentity`), so the server and
 * `stsctl doctor` can never disagree. Every other action is proxied to `forwardEndpoint` (moto).
 */

/** Where the server writes its one line per request. Secrets never reach it. */
export interface StsLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The model's entry point; injectable so tests can observe or replace it. */
export type WebIdentityEvaluator = (input: WebIdentityInput) => Promise<WebIdentityResult>;

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
  /** Where every other STS action, and requests this server cannot handle, are proxied. */
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
}

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

/** A started server. */
export interface RunningStsServer {
  /** `http://<host>:<port>`, for `AWS_ENDPOINT_URL_STS` or `--endpoint-url`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes connections and releases SDK clients. */
  close(): Promise<void>;
  /** Forgets cached IAM and issuer observations: the next request reads both again. */
  invalidateCaches(): void;
  /** A snapshot of the counters. */
  readonly stats: StsServerStats;
}

const STS_API_VERSION = '2011-06-15';
/** Generous next to the largest legal request (20,000-character token, 2,048-character policy). */
const MAX_BODY_BYTES = 1024 * 1024;

const INTERNAL_FAILURE: AwsError = {
  code: 'InternalFailure',
  status: 500,
  type: 'Receiver',
  message: 'The request processing has failed because of an unknown error, exception or failure.',
};

/**
 * What a Query service answers for an action (or version) it does not know:
 * `InvalidAction`, "Could not find operation <Action> for version <Version>".
 */
function invalidAction(action: string, version: string | null): AwsError {
  return {
    code: 'InvalidAction',
    status: 400,
    type: 'Sender',
    message: `Could not find operation ${action} for version ${version ?? STS_API_VERSION}`,
  };
}

/** What `new URL('/', 'http://localhost')` yields; only `search` and `pathname` are read. */
const ROOT_URL: Pick<URL, 'search' | 'pathname'> = Object.freeze({ search: '', pathname: '/' });

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function sendXml(res: ServerResponse, status: number, requestId: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

function sendError(res: ServerResponse, error: AwsError, requestId: string): void {
  sendXml(res, error.status, requestId, renderErrorResponse(error, requestId));
}

/** A JSON-protocol request (AWS JSON 1.0 with `X-Amz-Target`), which STS's clients here never send. */
function isJsonProtocol(req: IncomingMessage): boolean {
  const contentType = req.headers['content-type'] ?? '';
  return req.headers['x-amz-target'] !== undefined || contentType.includes('amz-json');
}

/**
 * A client-supplied value made safe for a one-line log: control characters and spaces escaped,
 * at most 256 characters (a RoleArn is at most 2048, §1.2, but never that long in practice).
 */
function logValue(value: string): string {
  const safe = JSON.stringify(value).slice(1, -1).replace(/ /g, '\\u0020');
  return safe.length > 256 ? `${safe.slice(0, 256)}…` : safe;
}

/** A header's value as one string ('' when absent). */
function headerText(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/**
 * Starts the validating STS server.
 *
 * Defaults: host `127.0.0.1`, port 0 (free), IAM cache 5 s, issuer cache 60 s, no logging.
 * @see docs/validating-sts.md
 */
export async function startStsServer(options: StsServerOptions): Promise<RunningStsServer> {
  const clock = options.clock ?? (() => new Date());
  // Cache ages use a monotonic clock, not the injected one: a frozen test clock must not make
  // IAM changes invisible forever.
  const monotonic = (): number => performance.now();
  const iam = new CachedIamReader(options.iam, options.cacheTtlMs ?? 5000, monotonic);
  const issuer = new CachingIssuerView(options.issuer, options.issuerCacheTtlMs ?? 60_000, monotonic);
  const refreshCooldownMs = options.issuerRefreshCooldownMs ?? 1000;
  const forwarder =
    options.forwardEndpoint === undefined ? undefined : new Forwarder(options.forwardEndpoint);
  const evaluate = options.evaluate ?? evaluateWebIdentity;
  const logger = options.logger;
  const sessions = new IssuedSessions();

  const counters = {
    requests: 0,
    ok: 0,
    failed: 0,
    callerIdentityAnswered: 0,
    forwarded: 0,
    issuerRefreshRetries: 0,
  };
  const errorsByCode = new Map<string, number>();

  function countError(code: string): void {
    errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + 1);
  }

  function log(action: string, role: string, outcome: string, started: number): void {
    if (logger === undefined) return;
    const ms = (performance.now() - started).toFixed(1);
    logger.info(`sts ${logValue(action)} role=${logValue(role)} outcome=${outcome} ms=${ms}`);
  }

  async function evaluateWithRefresh(request: AssumeRoleWithWebIdentityRequest): Promise<WebIdentityResult> {
    const view = await iam.viewFor(request.RoleArn);
    const run = async (): Promise<{ result: WebIdentityResult; cached: ReadonlySet<string> }> => {
      const session = issuer.session();
      const input: WebIdentityInput = {
        request,
        iam: view,
        issuer: session.view,
        now: clock(),
        ...(options.fetchBudgetMs === undefined ? {} : { fetchBudgetMs: options.fetchBudgetMs }),
      };
      return { result: await evaluate(input), cached: session.servedFromCache };
    };
    const first = await run();
    if (first.result.ok || first.result.error.code !== 'InvalidIdentityToken') return first.result;
    // The token may be signed with a key published after we cached the JWKS (a rotation):
    // look again, at most once per cooldown per URL.
    const stale = issuer.refreshable(first.cached, refreshCooldownMs);
    if (stale.length === 0) return first.result;
    issuer.evict(stale);
    counters.issuerRefreshRetries++;
    return (await run()).result;
  }

  async function assumeRoleWithWebIdentity(
    params: URLSearchParams,
    res: ServerResponse,
    requestId: string,
    started: number,
  ): Promise<void> {
    const request = assumeRoleWithWebIdentityRequest(params);
    const role = request.RoleArn ?? '-';
    let result: WebIdentityResult;
    try {
      result = await evaluateWithRefresh(request);
    } catch (error) {
      counters.failed++;
      countError(INTERNAL_FAILURE.code);
      const reason =
        error instanceof IamReadError
          ? error.message
          : `model failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown'}`;
      logger?.warn(`sts AssumeRoleWithWebIdentity role=${logValue(role)} internal error: ${reason}`);
      sendError(res, INTERNAL_FAILURE, requestId);
      log('AssumeRoleWithWebIdentity', role, INTERNAL_FAILURE.code, started);
      return;
    }
    if (!result.ok) {
      counters.failed++;
      countError(result.error.code);
      sendError(res, result.error, requestId);
      log('AssumeRoleWithWebIdentity', role, `${result.error.code}(${result.rule})`, started);
      return;
    }
    const grant = result.grant;
    const expiresAt = new Date(clock().getTime() + grant.durationSeconds * 1000);
    const credentials = mintSessionCredentials(expiresAt);
    sessions.add(credentials.accessKeyId, {
      assumedRoleArn: grant.assumedRoleArn,
      assumedRoleId: grant.assumedRoleId,
      account: parseRoleArn(grant.roleArn)?.account ?? '',
      sessionToken: credentials.sessionToken,
      expiresAt: expiresAt.getTime(),
    });
    counters.ok++;
    sendXml(
      res,
      200,
      requestId,
      renderAssumeRoleWithWebIdentityResponse(grant, credentials, requestId, packedPolicySize(request)),
    );
    log('AssumeRoleWithWebIdentity', role, 'OK', started);
  }

  /**
   * `GetCallerIdentity` signed with credentials this server issued. moto would answer with its
   * default identity (`arn:aws:sts::123456789012:user/moto`, moto `STSBackend.get_caller_identity`),
   * since it never saw the session; a user expects the assumed role, as AWS reports it.
   * The SigV4 signature itself is not verified (moto does not either); the session token is.
   */
  function answerCallerIdentity(
    req: IncomingMessage,
    params: URLSearchParams,
    accessKeyId: string,
    res: ServerResponse,
    requestId: string,
    started: number,
  ): boolean {
    const session = sessions.get(accessKeyId);
    if (session === undefined) return false;
    counters.callerIdentityAnswered++;
    const token = req.headers['x-amz-security-token'] ?? params.get('X-Amz-Security-Token');
    if (clock().getTime() >= session.expiresAt) {
      const error: AwsError = {
        code: 'ExpiredToken',
        status: 403,
        type: 'Sender',
        message: 'The security token included in the request is expired',
      };
      sendError(res, error, requestId);
      log('GetCallerIdentity', session.assumedRoleArn, error.code, started);
      return true;
    }
    if (token !== session.sessionToken) {
      const error: AwsError = {
        code: 'InvalidClientTokenId',
        status: 403,
        type: 'Sender',
        message: 'The security token included in the request is invalid.',
      };
      sendError(res, error, requestId);
      log('GetCallerIdentity', session.assumedRoleArn, error.code, started);
      return true;
    }
    sendXml(
      res,
      200,
      requestId,
      renderGetCallerIdentityResponse(
        { arn: session.assumedRoleArn, userId: session.assumedRoleId, account: session.account },
        requestId,
      ),
    );
    log('GetCallerIdentity', session.assumedRoleArn, 'OK', started);
    return true;
  }

  function refuse(
    res: ServerResponse,
    error: AwsError,
    action: string,
    requestId: string,
    started: number,
  ): void {
    counters.failed++;
    countError(error.code);
    sendError(res, error, requestId);
    log(action || 'no-action', '-', error.code, started);
  }

  async function forward(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    action: string,
    requestId: string,
    started: number,
  ): Promise<void> {
    if (forwarder === undefined) {
      refuse(res, invalidAction(action, STS_API_VERSION), action, requestId, started);
      return;
    }
    counters.forwarded++;
    try {
      const status = await forwarder.forward(req, body, res);
      log(action, '-', `forwarded:${status}`, started);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger?.warn(`sts forward of ${action} to ${forwarder.endpoint} failed: ${message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(
        res,
        {
          code: 'ServiceUnavailable',
          status: 503,
          type: 'Receiver',
          message: 'Service is unable to handle request.',
        },
        requestId,
      );
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    counters.requests++;
    const requestId = randomUUID();
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError && !res.headersSent) {
        res.writeHead(413, { Connection: 'close' }).end();
      }
      return;
    }
    // Every SDK posts to `/`: skip the WHATWG URL parser for it (~1.5 µs per request, profiled).
    const url = req.url === '/' || req.url === undefined ? ROOT_URL : new URL(req.url, 'http://localhost');
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    const isQuery =
      !isJsonProtocol(req) &&
      (method === 'GET' ||
        (method === 'POST' && (contentType === undefined || isFormContentType(contentType))));
    const params = queryParameters(url.search, method === 'POST' ? body.toString('utf8') : undefined);
    const action = params.get('Action') ?? '';
    if (isQuery && action === 'AssumeRoleWithWebIdentity') {
      const version = params.get('Version');
      if (version === null || version === STS_API_VERSION) {
        await assumeRoleWithWebIdentity(params, res, requestId, started);
      } else {
        refuse(res, invalidAction(action, version), action, requestId, started);
      }
      return;
    }
    // Never let AssumeRoleWithWebIdentity reach moto in another shape (JSON protocol, odd
    // content type): moto would grant it without looking at the token (aws-sts-oidc.md §10).
    if (
      action === 'AssumeRoleWithWebIdentity' ||
      headerText(req, 'x-amz-target').endsWith('.AssumeRoleWithWebIdentity')
    ) {
      refuse(
        res,
        invalidAction('AssumeRoleWithWebIdentity', params.get('Version')),
        action,
        requestId,
        started,
      );
      return;
    }
    if (isQuery && action === 'GetCallerIdentity') {
      const accessKeyId = signingAccessKeyId(req.headers.authorization, params);
      if (
        accessKeyId !== undefined &&
        answerCallerIdentity(req, params, accessKeyId, res, requestId, started)
      ) {
        return;
      }
    }
    const label = isQuery ? action || 'no-action' : `${method} ${url.pathname}`;
    await forward(req, body, res, label, requestId, started);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      logger?.warn(`sts request failed: ${message}`);
      if (!res.headersSent) sendError(res, INTERNAL_FAILURE, randomUUID());
      else res.destroy();
    });
  });
  // Keep client connections open between calls (SDKs pool them) longer than their idle timeouts.
  server.keepAliveTimeout = 65_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  logger?.info(
    `sts validating STS for ${options.region} on http://${urlHost}:${port}` +
      (forwarder === undefined ? '' : `, forwarding other actions to ${forwarder.endpoint}`),
  );

  return {
    url: `http://${urlHost}:${port}`,
    port,
    invalidateCaches(): void {
      iam.invalidate();
      issuer.invalidate();
    },
    get stats(): StsServerStats {
      return {
        requests: counters.requests,
        assumeRoleWithWebIdentity: { ok: counters.ok, failed: counters.failed },
        errorsByCode: Object.fromEntries(errorsByCode),
        callerIdentityAnswered: counters.callerIdentityAnswered,
        forwarded: counters.forwarded,
        issuerRefreshRetries: counters.issuerRefreshRetries,
        ...iam.stats,
        ...issuer.stats,
      };
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeIdleConnections();
      // Connections mid-request get a moment to finish, then are cut.
      const timer = setTimeout(() => {
        server.closeAllConnections();
      }, 1000);
      await closed;
      clearTimeout(timer);
      iam.destroy();
      forwarder?.destroy();
    },
  };
}
