import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * Proxies a request the validating STS does not answer itself (every other STS action) to another
 * endpoint, moto in the sandbox, unchanged: same method, path, query, headers (Host included, so
 * a signature computed by the client still covers what the target sees) and body.
 */

/** Headers that belong to one hop and must not be copied (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

export class Forwarder {
  readonly #target: URL;
  readonly #agent: HttpAgent;

  constructor(endpoint: string) {
    this.#target = new URL(endpoint);
    this.#agent =
      this.#target.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true })
        : new HttpAgent({ keepAlive: true });
  }

  /** The endpoint requests go to. */
  get endpoint(): string {
    return this.#target.origin;
  }

  /**
   * Sends `req` (whose body was already read into `body`) to the target and streams the answer
   * back into `res`. Rejects when the target cannot be reached; `res` is then untouched.
   */
  forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<number> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers[name] = value;
    }
    headers['content-length'] = String(body.length);
    const send = this.#target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const upstream = send(
        {
          protocol: this.#target.protocol,
          hostname: this.#target.hostname,
          port: this.#target.port,
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers,
          agent: this.#agent,
        },
        (answer) => {
          const outHeaders: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value === undefined || HOP_BY_HOP.has(name)) continue;
            outHeaders[name] = value;
          }
          const status = answer.statusCode ?? 502;
          res.writeHead(status, outHeaders);
          answer.pipe(res);
          answer.on('end', () => {
            resolve(status);
          });
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  /** Closes pooled connections. */
  destroy(): void {
    this.#agent.destroy();
  }
}
