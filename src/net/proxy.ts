import { Agent as HttpAgent, type ClientRequest } from 'node:http';
import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent as DelegatingAgent, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { StsctlError } from '../core/errors.js';

/**
 * Outbound proxies, configured the way curl, the AWS CLI and most tools read them:
 * `HTTPS_PROXY` / `https_proxy` for https URLs, `HTTP_PROXY` / `http_proxy` for http URLs, and
 * `NO_PROXY` / `no_proxy` for the hosts that must be reached directly. The lowercase name wins
 * when both are set (curl's rule). `NO_PROXY` is a comma- or space-separated list of `*`, host
 * names (matching the host and its subdomains; a leading `.` or `*.` is the same), IP addresses,
 * and any of those with `:port`.
 */

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function defaultPort(protocol: string): number {
  return protocol === 'http:' ? 80 : 443;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
function splitHostPort(entry: string): { name: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed?.[1] !== undefined)
    return bracketed[2] === undefined
      ? { name: bracketed[1] }
      : { name: bracketed[1], port: Number(bracketed[2]) };
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [name = '', p = ''] = entry.split(':');
    return /^\d+$/.test(p) ? { name, port: Number(p) } : { name: entry };
  }
  return { name: entry };
}

/** Whether `NO_PROXY` says `host:port` is reached directly. */
export function bypassesProxy(host: string, port: number, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { name: entryHost, port: entryPort } = splitHostPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    let name = entryHost;
    name = name.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name === '') continue;
    if (h === name || h.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy for `url` under `env`, or undefined for a direct connection. */
export function proxyForUrl(url: string | URL, env: NodeJS.ProcessEnv): URL | undefined {
  const u = typeof url === 'string' ? new URL(url) : url;
  const scheme = u.protocol === 'http:' ? 'http_proxy' : u.protocol === 'https:' ? 'https_proxy' : undefined;
  if (scheme === undefined) return undefined;
  const configured = envValue(env, scheme);
  if (configured === undefined) return undefined;
  const port = u.port === '' ? defaultPort(u.protocol) : Number(u.port);
  if (bypassesProxy(u.hostname, port, envValue(env, 'no_proxy'))) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(configured) ? configured : `http://${configured}`;
  let proxy: URL;
  try {
    proxy = new URL(withScheme);
  } catch {
    throw new StsctlError('INVALID_ENVIRONMENT', `${scheme.toUpperCase()} "${configured}" is not a URL`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new StsctlError(
      'INVALID_ENVIRONMENT',
      `${scheme.toUpperCase()} "${configured}": only http:// and https:// proxies are supported`,
    );
  }
  return proxy;
}

/** A proxy URL without its credentials, for messages. */
export function redactProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** Why a proxy refused a tunnel (kept apart so callers can classify it). */
export class ProxyTunnelError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProxyTunnelError';
  }
}

/**
 * Opens a raw TCP tunnel to `host:port` through an HTTP(S) proxy with `CONNECT`, the way TLS
 * clients cross corporate proxies. The caller runs TLS over the returned socket, so what it sees
 * (the server's certificate chain) is the origin's, not the proxy's. Credentials in the proxy URL
 * are sent as `Proxy-Authorization: Basic`.
 */
export function openTunnel(
  proxy: URL,
  host: string,
  port: number,
  options: { signal?: AbortSignal; proxyCa?: readonly string[] } = {},
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxy.username !== '' || proxy.password !== '') {
      const user = decodeURIComponent(proxy.username);
      const pass = decodeURIComponent(proxy.password);
      headers['proxy-authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const proxyPort = proxy.port === '' ? defaultPort(proxy.protocol) : Number(proxy.port);
    const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
    const req = httpRequest({
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(proxy.protocol === 'https:'
        ? {
            createConnection: () =>
              tlsConnect({
                host: proxyHost,
                port: proxyPort,
                servername: proxyHost,
                ...(options.proxyCa === undefined ? {} : { ca: [...options.proxyCa] }),
              }),
          }
        : { host: proxyHost, port: proxyPort }),
    });
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new ProxyTunnelError(
            `proxy ${redactProxy(proxy)} refused CONNECT ${authority}: HTTP ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trim(),
            res.statusCode,
          ),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', (err) => {
      reject(
        err instanceof ProxyTunnelError
          ? err
          : Object.assign(new ProxyTunnelError(`proxy ${redactProxy(proxy)}: ${err.message}`), {
              code: (err as NodeJS.ErrnoException).code,
            }),
      );
    });
    req.end();
  });
}

/**
 * An http(s) Agent for the AWS SDK's request handler that sends each request through the proxy
 * the environment names for its URL, or directly when there is none (or `NO_PROXY` matches).
 * One tunnelling agent is kept per proxy, with keep-alive like the SDK's default agent.
 */
export class EnvironmentProxyAgent extends DelegatingAgent {
  private readonly direct: { http: HttpAgent; https: HttpsAgent };
  private readonly tunnels = new Map<string, HttpsProxyAgent<string>>();

  constructor(private readonly env: NodeJS.ProcessEnv) {
    super({ keepAlive: true });
    this.direct = {
      http: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      https: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    };
  }

  connect(_req: ClientRequest, options: AgentConnectOpts): HttpAgent {
    const secure = options.secureEndpoint;
    const host = options.host ?? 'localhost';
    const port: number = options.port;
    const url = new URL(`${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/`);
    const proxy = proxyForUrl(url, this.env);
    if (proxy === undefined) return secure ? this.direct.https : this.direct.http;
    const key = proxy.href;
    let agent = this.tunnels.get(key);
    if (agent === undefined) {
      agent = new HttpsProxyAgent(proxy.href, { keepAlive: true });
      this.tunnels.set(key, agent);
    }
    return agent;
  }

  override destroy(): void {
    this.direct.http.destroy();
    this.direct.https.destroy();
    for (const a of this.tunnels.values()) a.destroy();
    super.destroy();
  }
}

/** Whether any proxy variable is set (clients keep the SDK's own agent otherwise). */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return envValue(env, 'https_proxy') !== undefined || envValue(env, 'http_proxy') !== undefined;
}
