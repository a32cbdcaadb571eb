import { request as httpsRequest } from 'node:https';
import { StsctlError } from '../../core/errors.js';
import type { KubeConnection } from './kubeconfig.js';

/**
 * A small Kubernetes REST client: JSON GETs and POSTs over HTTPS with the kubeconfig's CA, bearer
 * token or client certificate. Written on node:https because the doctor needs five requests and
 * @kubernetes/client-node would add a large dependency tree for them.
 */

/** A JSON answer of the API server. */
export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The client. */
export interface KubeClient {
  get(path: string): Promise<KubeResponse>;
  post(path: string, body: unknown): Promise<KubeResponse>;
}

/** Options for {@link createKubeClient}. */
export interface KubeClientOptions {
  /** Per-request timeout, ms; default 10000. */
  readonly timeoutMs?: number;
}

/** Creates a client for a connection. */
export function createKubeClient(connection: KubeConnection, options: KubeClientOptions = {}): KubeClient {
  const base = new URL(connection.server);
  if (base.protocol !== 'https:') {
    throw new StsctlError('KUBECONFIG_INVALID', `the API server ${connection.server} is not https`, {
      path: 'cluster.server',
    });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const send = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<KubeResponse> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = httpsRequest(
        {
          host: base.hostname,
          port: base.port === '' ? 443 : Number(base.port),
          path: `${base.pathname.replace(/\/$/, '')}${path}`,
          method,
          ...(connection.caPem === undefined ? {} : { ca: connection.caPem }),
          ...(connection.clientCertPem === undefined ? {} : { cert: connection.clientCertPem }),
          ...(connection.clientKeyPem === undefined ? {} : { key: connection.clientKeyPem }),
          rejectUnauthorized: !connection.insecureSkipTlsVerify,
          agent: false,
          timeout: timeoutMs,
          headers: {
            accept: 'application/json',
            'user-agent': 'stsctl-doctor',
            ...(connection.token === undefined ? {} : { authorization: `Bearer ${connection.token}` }),
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': String(payload.length) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
            } catch {
              // Not JSON (a proxy's error page): keep the text.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error(`no answer from ${connection.server} within ${timeoutMs} ms`));
      });
      req.on('error', (e) => {
        reject(
          new StsctlError('KUBE_UNREACHABLE', `${method} ${path}: ${e.message}`, {
            kind: 'failure',
            cause: e,
          }),
        );
      });
      req.end(payload);
    });
  return {
    get: (path) => send('GET', path),
    post: (path, body) => send('POST', path, body),
  };
}

/** The `message` of a Kubernetes `Status` answer, or the HTTP status. */
export function statusMessage(response: KubeResponse): string {
  const b = response.body;
  if (typeof b === 'object' && b !== null && typeof (b as Record<string, unknown>)['message'] === 'string') {
    return `HTTP ${response.status}: ${String((b as Record<string, unknown>)['message'])}`;
  }
  return `HTTP ${response.status}`;
}
