import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecureContextOptions } from 'node:tls';
import { StsctlError, isStsctlError } from '../core/errors.js';
import { formatAccessLog, loggedPath, type AccessLogFormat } from './access-log.js';
import {
  loadIssuerSnapshot,
  locateIssuerFiles,
  type IssuerFiles,
  type IssuerSnapshot,
} from './issuer-documents.js';
import { respond, type HealthReport } from './respond.js';
import type { IssuerRoutes } from './routes.js';
import { distinguishedName, readTlsMaterial, type TlsMaterial } from './tls-files.js';

/**
 * `stsctl serve`: a static HTTPS server for the two issuer documents, for self-hosted issuers.
 *
 * It holds an immutable snapshot of the documents and of the TLS material and swaps each whole
 * when its files change on disk (polled by `stat`: rename-into-place, the way careful writers
 * publish, replaces the inode and defeats most file watchers). A new snapshot is read, parsed and
 * checked completely before the swap, so a half-written keys.json is never served: the previous
 * one stays until the file is whole again. Requests are answered by the pure `respond`.
 */

/** Where operational messages (start, reloads, warnings) go; access logs go to `accessLogStream`. */
export interface ServeLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Options of {@link startIssuerServer}; defaults are the CLI's (docs/commands.md, `serve`). */
export interface IssuerServerOptions {
  readonly issuerDir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 8443; 0 picks a free port. */
  readonly port?: number;
  /** The issuer the documents must state; default: the discovery document's, pinned at start. */
  readonly issuerUrl?: string | undefined;
  /** Default `/healthz`. */
  readonly healthPath?: string;
  /** Default `json`. */
  readonly accessLog?: AccessLogFormat;
  /** Where access log lines are written (the CLI: stdout). */
  readonly accessLogStream?: { write(line: string): unknown };
  readonly logger?: ServeLogger;
  /** Most open connections at once; more are refused at accept. Default 256. */
  readonly maxConnections?: number;
  /** How often the files are checked for changes, ms. Default 2000. */
  readonly pollIntervalMs?: number;
  /** Time to receive a request's headers, ms. Default 10000 (slowloris). */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole request, ms. Default 30000. */
  readonly requestTimeoutMs?: number;
  /** Idle time of a kept-alive connection, ms. Default 5000. */
  readonly keepAliveTimeoutMs?: number;
  /** Time to finish the TLS handshake, ms. Default 10000. */
  readonly handshakeTimeoutMs?: number;
  /** Clock (the health endpoint compares the certificate's notAfter with it). */
  readonly now?: () => Date;
}

/** A running server. */
export interface IssuerServer {
  /** `https://<host>:<port>` it listens on. */
  readonly url: string;
  readonly port: number;
  /** The paths of the documents served now. */
  routes(): IssuerRoutes;
  /** Checks the files for changes now, as the poller does (tests and SIGHUP-style triggers). */
  reload(): Promise<void>;
  /**
   * Graceful shutdown: stops accepting, lets requests in flight finish, then after `deadlineMs`
   * (default 10000) closes every connection left. Resolves when the server is closed; idempotent.
   * `forced` is how many connections the deadline cut.
   */
  shutdown(deadlineMs?: number): Promise<{ readonly forced: number }>;
}

const TLS_MIN_VERSION = 'TLSv1.2';

function secureContext(material: TlsMaterial): SecureContextOptions {
  // The whole file goes out as `cert`: OpenSSL sends the leaf, then the rest in file order.
  return { cert: material.certPem, key: material.keyPem, minVersion: TLS_MIN_VERSION };
}

function certificateReport(material: TlsMaterial): HealthReport['certificate'] {
  const leaf = material.chain[0];
  return {
    subject: leaf === undefined ? '' : distinguishedName(leaf.subject),
    serialNumber: leaf?.serialNumber ?? '',
    notAfter: leaf === undefined ? '' : new Date(leaf.validTo).toISOString(),
  };
}

/** `mtime:size:inode` of each file: any write or rename-into-place changes one of them. */
async function signature(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (f) => {
      try {
        const s = await stat(f, { bigint: true });
        return `${s.mtimeNs}:${s.size}:${s.ino}`;
      } catch (e) {
        return `missing:${(e as NodeJS.ErrnoException).code ?? ''}`;
      }
    }),
  );
  return parts.join('|');
}

function describe(e: unknown): string {
  return isStsctlError(e) ? e.describe() : e instanceof Error ? e.message : String(e);
}

/** Warnings a TLS set-up deserves without being refused (a test host name, a certificate renewed late). */
function certificateWarnings(material: TlsMaterial, issuer: string, now: Date): string[] {
  const leaf = material.chain[0];
  if (leaf === undefined) return [];
  const out: string[] = [];
  const host = new URL(issuer).hostname;
  if (leaf.checkHost(host) === undefined) {
    out.push(
      `the certificate (${distinguishedName(leaf.subject)}) does not cover the issuer's host ${host}: STS will refuse it unless a proxy in front terminates TLS`,
    );
  }
  if (Date.parse(leaf.validTo) <= now.getTime()) {
    out.push(`the certificate expired on ${new Date(leaf.validTo).toISOString()}`);
  }
  return out;
}

/**
 * Starts the issuer server: reads and checks the documents and the TLS files (refusing to start,
 * with the file and field named, when anything is wrong), listens, and polls the files.
 * @throws StsctlError from the document and TLS checks (usage), `SERVE_LISTEN_FAILED` (failure).
 */
export async function startIssuerServer(options: IssuerServerOptions): Promise<IssuerServer> {
  const now = options.now ?? (() => new Date());
  const healthPath = options.healthPath ?? '/healthz';
  const logger = options.logger ?? { info: () => undefined, warn: () => undefined };
  const accessLog = options.accessLog ?? 'json';
  const pollIntervalMs = options.pollIntervalMs ?? 2000;

  const files: IssuerFiles = await locateIssuerFiles(options.issuerDir);
  const documentFiles = [files.discoveryFile, files.jwksFile];
  const tlsFiles = [options.certFile, options.keyFile];
  // Taken before the first read, so a change made while reading is seen by the first poll.
  let documentSignature = await signature(documentFiles);
  let tlsSignature = await signature(tlsFiles);
  let snapshot: IssuerSnapshot = await loadIssuerSnapshot(files, {
    expectedIssuer: options.issuerUrl,
    healthPath,
    now,
  });
  // Without --issuer-url the first document's issuer is the one served from then on: a reload that
  // changes it is refused, since every token and the IAM provider name the old one.
  const issuer = snapshot.routes.issuer;
  let tls: TlsMaterial = await readTlsMaterial(options.certFile, options.keyFile);
  for (const w of certificateWarnings(tls, issuer, now())) logger.warn(w);

  let stopping = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer({
    ...secureContext(tls),
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    headersTimeout: options.headersTimeoutMs ?? 10_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    // How often Node enforces the two timeouts above (default 30 s would let them overrun).
    connectionsCheckingInterval: 1_000,
    // The documents' requests are a line and a few headers; 8 KiB is plenty (Node's default is 16).
    maxHeaderSize: 8 * 1024,
  });
  server.maxConnections = options.maxConnections ?? 256;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const target = req.url ?? '';
    const ifNoneMatch = req.headers['if-none-match'];
    let answer;
    try {
      answer = respond(
        {
          documents: snapshot.documents,
          healthPath,
          now: now(),
          health: {
            issuer,
            kids: snapshot.kids,
            certificate: certificateReport(tls),
            documentsLoadedAt: snapshot.loadedAt.toISOString(),
          },
        },
        { method: req.method ?? '', target, ifNoneMatch },
      );
    } catch (e) {
      logger.warn(`request ${loggedPath(target)} failed: ${describe(e)}`);
      answer = { status: 500, headers: { 'content-length': '0' }, body: Buffer.alloc(0) };
    }
    // While shutting down, no connection is kept for another request.
    const headers = stopping ? { ...answer.headers, connection: 'close' } : answer.headers;
    res.writeHead(answer.status, headers);
    res.end(answer.body);
    res.once('close', () => {
      const line = formatAccessLog(
        {
          time: now().toISOString(),
          remoteAddress: req.socket.remoteAddress ?? '',
          method: req.method ?? '',
          path: loggedPath(target),
          status: answer.status,
          bytes: answer.body.length,
          durationMs: performance.now() - started,
          userAgent: req.headers['user-agent'] ?? '',
        },
        accessLog,
      );
      if (line !== undefined) options.accessLogStream?.write(line);
    });
  });

  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 8443;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        new StsctlError(
          'SERVE_LISTEN_FAILED',
          `cannot listen on ${host}:${requestedPort}: ${e.code ?? e.message}`,
          {
            cause: e,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(requestedPort, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => {
    logger.warn(`server error: ${describe(e)}`);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : requestedPort;

  let polling: Promise<void> | undefined;
  const poll = async (): Promise<void> => {
    const docs = await signature(documentFiles);
    if (docs !== documentSignature) {
      documentSignature = docs;
      try {
        snapshot = await loadIssuerSnapshot(files, { expectedIssuer: issuer, healthPath, now });
        logger.info(`reloaded the issuer documents; kids: ${snapshot.kids.join(', ')}`);
      } catch (e) {
        // Logged once per state of the files: the poller tries again when they change.
        logger.warn(`not reloading the issuer documents, still serving the previous ones: ${describe(e)}`);
      }
    }
    const tlsNow = await signature(tlsFiles);
    if (tlsNow !== tlsSignature) {
      tlsSignature = tlsNow;
      try {
        const material = await readTlsMaterial(options.certFile, options.keyFile);
        server.setSecureContext(secureContext(material));
        tls = material;
        for (const w of certificateWarnings(tls, issuer, now())) logger.warn(w);
        logger.info(
          `reloaded the certificate: serial ${certificateReport(tls).serialNumber}, valid until ${certificateReport(tls).notAfter}`,
        );
      } catch (e) {
        logger.warn(`not reloading the certificate, still serving the previous one: ${describe(e)}`);
      }
    }
  };
  const reload = (): Promise<void> => {
    // One check at a time: a slow file system must not stack them up.
    polling ??= poll().finally(() => {
      polling = undefined;
    });
    return polling;
  };
  const timer = setInterval(() => {
    void reload();
  }, pollIntervalMs);
  timer.unref();

  let shuttingDown: Promise<{ forced: number }> | undefined;
  const shutdown = (deadlineMs = 10_000): Promise<{ forced: number }> => {
    shuttingDown ??= (async () => {
      stopping = true;
      clearInterval(timer);
      await polling;
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      // close() stops accepting; connections waiting for a next request go now, requests in flight
      // get until the deadline.
      server.closeIdleConnections();
      let forced = 0;
      const deadline = setTimeout(() => {
        forced = sockets.size;
        server.closeAllConnections();
        // Sockets HTTP does not track yet (a TLS handshake in progress) go too.
        for (const s of sockets) s.destroy();
      }, deadlineMs);
      await closed;
      clearTimeout(deadline);
      return { forced };
    })();
    return shuttingDown;
  };

  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    routes: () => snapshot.routes,
    reload,
    shutdown,
  };
}
