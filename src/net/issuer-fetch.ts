/**
 * Fetches issuer URLs the way STS does: an anonymous HTTPS GET from the public internet, no
 * redirects followed, a time budget, and a record of the TLS chain and whether it verifies against
 * a library of trusted CAs (aws-sts-oidc.md §4). Generic: the sandbox passes its CA and resolver,
 * `stsctl doctor` uses Node's root store and real DNS.
 *
 * Two TLS handshakes per fetch, on purpose:
 * - the request's connection verifies against the trusted CAs (`socket.authorized`) and the host
 *   name (`tls.checkServerIdentity`), with `rejectUnauthorized: false` so a failure is observed
 *   rather than thrown;
 * - a second connection with an empty CA store records exactly the certificates the *server sent*.
 *   With a populated store Node completes `getPeerCertificate(true)` with the root from the store,
 *   which the server never sent; AWS's thumbprint rule is about what the server sends ("the last
 *   certificate displayed" by `openssl s_client -showcerts`, IAM user guide).
 */
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest, Agent, type AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  rootCertificates,
  type ConnectionOptions,
  type DetailedPeerCertificate,
  TLSSocket,
} from 'node:tls';
import { isIP } from 'node:net';
import { openTunnel, ProxyTunnelError } from './proxy.js';
import type { HttpObservation, IssuerView, ObservedCertificate, ObservedTls } from '../webidentity/types.js';

/** Where to really connect for a host and port; undefined means "no such host" (a DNS failure). */
export type ConnectTo = (
  host: string,
  port: number,
) => { host: string; port: number } | undefined | Promise<{ host: string; port: number } | undefined>;

/** Options for {@link createIssuerFetcher}. */
export interface IssuerFetcherOptions {
  /** PEM roots playing AWS's CA library. Default: Node's bundled root store (`tls.rootCertificates`). */
  readonly trustedCaPems?: readonly string[];
  /** Resolver hook (the sandbox maps public names to its edge). Default: ordinary DNS. */
  readonly connectTo?: ConnectTo;
  /** Budget for one fetch (connect + TLS + full body), ms. Default 5000, about AWS's. */
  readonly timeoutMs?: number;
  /**
   * The outbound proxy for a URL (see `proxyForUrl` in ./proxy.ts), or undefined to connect
   * directly. Through a proxy the host name is resolved by the proxy and `connectTo` is not used.
   */
  readonly proxy?: (url: URL) => URL | undefined;
  /** Largest body accepted, bytes. Default 1 MiB (a JWKS is a few KiB). */
  readonly maxBodyBytes?: number;
}

type FetchError = Extract<HttpObservation, { ok: false }>['error'];

class FetchFailure extends Error {
  constructor(
    readonly kind: FetchError,
    message: string,
  ) {
    super(message);
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

function classify(err: unknown, tlsDone: boolean): FetchFailure {
  if (err instanceof FetchFailure) return err;
  if (err instanceof ProxyTunnelError) return new FetchFailure('connect', err.message);
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? '';
  const message = e.message;
  if (DNS_CODES.has(code)) return new FetchFailure('dns', message);
  if (
    !tlsDone &&
    (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || /SSL|TLS/.test(message))
  ) {
    return new FetchFailure('tls', message);
  }
  if (code.startsWith('HPE_')) return new FetchFailure('protocol', message);
  if (CONNECT_CODES.has(code)) return new FetchFailure(tlsDone ? 'other' : 'connect', message);
  return new FetchFailure('other', message);
}

/** Turns Node's `DetailedPeerCertificate` DN objects into `CN=…, O=…` text. */
function dn(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** Certificates the server sent, leaf first, from a handshake made with an empty CA store. */
function sentChain(peer: DetailedPeerCertificate): ObservedCertificate[] {
  const out: ObservedCertificate[] = [];
  const seen = new Set<string>();
  // An empty object stands for "no certificate"; the root's issuerCertificate is itself.
  let cert: Partial<DetailedPeerCertificate> = peer;
  while (cert.raw !== undefined && cert.fingerprint256 !== undefined && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const x = new X509Certificate(cert.raw);
    out.push({
      sha1: x.fingerprint.replaceAll(':', '').toUpperCase(),
      subject: dn(cert.subject),
      issuer: dn(cert.issuer),
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
    });
    cert = cert.issuerCertificate ?? {};
  }
  return out;
}

/**
 * An https.Agent that connects through `connectTo` and trusts `trustedCaPems`, for clients that
 * must reach sandbox host names by their real names (AWS SDK `NodeHttpHandler({ httpsAgent })`,
 * `https.request({ agent })`). SNI and certificate checks use the original host name.
 */
export function createResolvingAgent(options: {
  readonly trustedCaPems?: readonly string[];
  readonly connectTo?: (host: string, port: number) => { host: string; port: number } | undefined;
  readonly agentOptions?: AgentOptions;
}): Agent {
  const ca = options.trustedCaPems === undefined ? undefined : [...options.trustedCaPems];
  const connectTo = options.connectTo;
  class ResolvingAgent extends Agent {
    override createConnection(
      opts: ConnectionOptions,
      callback?: (err: Error | null, socket: Socket) => void,
    ): Socket {
      const host = opts.servername ?? opts.host ?? 'localhost';
      const port = opts.port ?? 443;
      const target = connectTo?.(host, port) ?? { host: opts.host ?? host, port };
      const socket = tlsConnect({
        ...opts,
        host: target.host,
        port: target.port,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(ca !== undefined ? { ca } : {}),
      });
      if (callback !== undefined)
        socket.once('secureConnect', () => {
          callback(null, socket);
        });
      return socket;
    }
  }
  return new ResolvingAgent({ keepAlive: false, ...options.agentOptions });
}

/**
 * Creates the issuer view: `fetch(url)` does one anonymous GET and reports status, headers, body,
 * latency and TLS facts, or a classified failure. Redirects are reported (status + `location`),
 * never followed.
 * @see aws-sts-oidc.md §3, §4, §7 for what STS requires of these fetches.
 */
export function createIssuerFetcher(options: IssuerFetcherOptions = {}): IssuerView {
  const ca = [...(options.trustedCaPems ?? rootCertificates)];
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;

  const fetchOnce = async (url: string): Promise<HttpObservation> => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { url, ok: false, error: 'other', message: `not a URL: ${url}`, latencyMs: 0 };
    }
    if (parsed.protocol !== 'https:') {
      return {
        url,
        ok: false,
        error: 'protocol',
        message: `${parsed.protocol} is not https: STS fetches issuers over HTTPS only`,
        latencyMs: 0,
      };
    }
    const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
    const port = parsed.port === '' ? 443 : Number(parsed.port);
    const servername = isIP(hostname) === 0 ? hostname : undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, timeoutMs);
    let tls: ObservedTls | undefined;
    const sockets: TLSSocket[] = [];
    const tunnelSockets: Socket[] = [];
    try {
      const aborted = new Promise<never>((_, reject) => {
        controller.signal.addEventListener(
          'abort',
          () => {
            reject(new FetchFailure('timeout', `no complete answer within ${timeoutMs} ms`));
          },
          { once: true },
        );
      });
      aborted.catch(() => undefined);
      const proxy = options.proxy?.(parsed);
      let target: { host: string; port: number } | undefined = { host: hostname, port };
      // Through a proxy each handshake runs over its own CONNECT tunnel; TLS is end to end, so the
      // chain observed is the issuer's own.
      let tunnels: [Socket, Socket] | undefined;
      if (proxy !== undefined) {
        const open = (): Promise<Socket> => openTunnel(proxy, hostname, port, { signal: controller.signal });
        const opening = Promise.allSettled([open(), open()]);
        const settled = await Promise.race([opening, aborted]).catch(async (e: unknown) => {
          for (const r of await opening) if (r.status === 'fulfilled') r.value.destroy();
          throw e;
        });
        const [a, b] = settled;
        if (a.status === 'rejected' || b.status === 'rejected') {
          if (a.status === 'fulfilled') a.value.destroy();
          if (b.status === 'fulfilled') b.value.destroy();
          throw (a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason) as Error;
        }
        tunnels = [a.value, b.value];
        tunnelSockets.push(...tunnels);
      } else {
        target = (await (options.connectTo?.(hostname, port) ?? target)) ?? undefined;
      }
      if (target === undefined) throw new FetchFailure('dns', `getaddrinfo ENOTFOUND ${hostname}`);
      const via = (tunnel: Socket | undefined): { socket: Socket } | { host: string; port: number } =>
        tunnel === undefined ? { host: target.host, port: target.port } : { socket: tunnel };

      // Handshake 2: what the server sends (empty CA store, see the file comment).
      const chainPromise = new Promise<ObservedCertificate[]>((resolve, reject) => {
        const s = tlsConnect({
          ...via(tunnels?.[1]),
          ca: [],
          rejectUnauthorized: false,
          ...(servername !== undefined ? { servername } : {}),
        });
        sockets.push(s);
        s.once('secureConnect', () => {
          const chain = sentChain(s.getPeerCertificate(true));
          s.end();
          resolve(chain);
        });
        s.once('error', (err) => {
          reject(classify(err, false));
        });
      });
      chainPromise.catch(() => undefined);

      // Handshake 1 + the GET itself.
      // Written by the socket's secureConnect callback (an object, so TS does not narrow it to its initial value).
      const seen: { tlsDone: boolean; authorized: boolean; verifyError?: string | undefined } = {
        tlsDone: false,
        authorized: false,
      };
      const response = new Promise<{ status: number; headers: Record<string, string>; body: string }>(
        (resolve, reject) => {
          const tunnel = tunnels?.[0];
          const req = httpsRequest({
            host: target.host,
            port: target.port,
            ...(tunnel === undefined
              ? {}
              : {
                  createConnection: () =>
                    tlsConnect({
                      socket: tunnel,
                      ca,
                      rejectUnauthorized: false,
                      ...(servername !== undefined ? { servername } : {}),
                    }),
                }),
            path: parsed.pathname + parsed.search,
            method: 'GET',
            // Node uses `createConnection` only when no agent is given.
            ...(tunnel === undefined ? { agent: false } : {}),
            ca,
            rejectUnauthorized: false,
            ...(servername !== undefined ? { servername } : {}),
            headers: { host: parsed.host, 'user-agent': 'stsctl-issuer-fetch', accept: '*/*' },
          });
          req.on('socket', (sock) => {
            if (!(sock instanceof TLSSocket)) return;
            const s = sock;
            sockets.push(s);
            s.once('secureConnect', () => {
              seen.tlsDone = true;
              seen.authorized = s.authorized;
              // Node reports the OpenSSL verify code (e.g. SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED) as a
              // string here despite the Error typing, and runs checkServerIdentity itself when a servername
              // is set (ERR_TLS_CERT_ALTNAME_INVALID); we spell the latter out.
              const raw: unknown = s.authorizationError;
              seen.verifyError =
                raw instanceof Error ? raw.message : typeof raw === 'string' ? raw : undefined;
              if (
                servername !== undefined &&
                (seen.authorized || seen.verifyError === 'ERR_TLS_CERT_ALTNAME_INVALID')
              ) {
                const identityError = checkServerIdentity(servername, s.getPeerCertificate());
                if (identityError !== undefined) {
                  seen.authorized = false;
                  seen.verifyError = identityError.message;
                }
              }
            });
          });
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (c: Buffer) => {
              size += c.length;
              if (size > maxBody) {
                req.destroy(new FetchFailure('other', `body larger than ${maxBody} bytes`));
                return;
              }
              chunks.push(c);
            });
            res.on('end', () => {
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(res.headers)) {
                if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
              }
              resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
            });
            res.on('error', (err) => {
              reject(classify(err, seen.tlsDone));
            });
          });
          req.on('error', (err) => {
            reject(classify(err, seen.tlsDone));
          });
          req.end();
        },
      );
      response.catch(() => undefined);

      const result = await Promise.race([response, aborted]);
      const chain = await Promise.race([chainPromise, aborted]);
      tls = {
        chain,
        trustedByCaLibrary: seen.authorized,
        ...(seen.verifyError !== undefined && !seen.authorized ? { verifyError: seen.verifyError } : {}),
      };
      return {
        url,
        ok: true,
        status: result.status,
        headers: result.headers,
        body: result.body,
        latencyMs: elapsed(),
        tls,
      };
    } catch (err) {
      const failure = classify(err, false);
      return {
        url,
        ok: false,
        error: failure.kind,
        message: failure.message,
        latencyMs: elapsed(),
        ...(tls !== undefined ? { tls } : {}),
      };
    } finally {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      for (const s of tunnelSockets) s.destroy();
    }
  };

  return { fetch: fetchOnce };
}
