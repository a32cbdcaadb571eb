import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { QueryParameters } from './query-request.js';

/**
 * Proxies an allow-listed STS call the validating STS does not answer itself to another
 * endpoint, moto in the sandbox.
 *
 * The call is re-sent as the parameters this server read, not as the bytes it received: a form
 * POST to `/` of each parameter's first occurrence. moto reads parameters its own way (another
 * occurrence, the query string, `X-Amz-Target` when `Action` is absent); sending exactly what was
 * decided means moto can only run the action that was allowed. Headers are kept (Host and the
 * SigV4 `Authorization` included, which moto routes by; it verifies no signature), except
 * hop-by-hop ones and those describing the old body.
 */

/** Headers that belong to one hop (RFC 9110 §7.6.1) or to the body as received. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'content-length',
  'content-type',
  'content-encoding',
  'x-amz-target',
]);

const HOP_BY_HOP_ANSWER = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'trailer']);

/** The forward endpoint did not answer within the limit. */
export class ForwardTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'ForwardTimeoutError';
  }
}

export class Forwarder {
  readonly #target: URL;
  readonly #agent: HttpAgent;
  readonly #timeoutMs: number;

  /** `timeoutMs` bounds the whole exchange, from sending to the last byte of the answer. */
  constructor(endpoint: string, timeoutMs: number) {
    this.#target = new URL(endpoint);
    this.#timeoutMs = timeoutMs;
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
   * Sends `params` as a form POST with `req`'s headers and streams the answer into `res`.
   * `ownHeaders` are added to the answer where the target sent no header of that name: moto
   * sends `x-amzn-requestid` (matching its body) and `Date`, but no
   * `x-amz-sts-extended-request-id`, which every STS answer has (aws-sts-2026.md §4, probe).
   * Rejects when the target cannot be reached or does not answer in time; `res` is untouched
   * unless the answer had begun.
   */
  forward(
    req: IncomingMessage,
    params: QueryParameters,
    res: ServerResponse,
    ownHeaders: Readonly<Record<string, string>> = {},
  ): Promise<number> {
    const form = new URLSearchParams([...params]).toString();
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || NOT_FORWARDED.has(name)) continue;
      headers[name] = value;
    }
    headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(form));
    const send = this.#target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const upstream = send({
        protocol: this.#target.protocol,
        hostname: this.#target.hostname,
        port: this.#target.port,
        method: 'POST',
        path: '/',
        headers,
        agent: this.#agent,
      });
      const timer = setTimeout(() => {
        upstream.destroy(new ForwardTimeoutError(this.#timeoutMs));
      }, this.#timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      upstream.on('response', (answer) => {
        const outHeaders: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value === undefined || HOP_BY_HOP_ANSWER.has(name)) continue;
          outHeaders[name] = value;
        }
        for (const [name, value] of Object.entries(ownHeaders)) {
          // Node lower-cases the names of received headers.
          outHeaders[name.toLowerCase()] ??= value;
        }
        const status = answer.statusCode ?? 502;
        res.writeHead(status, outHeaders);
        answer.pipe(res);
        answer.on('end', () => {
          clearTimeout(timer);
          resolve(status);
        });
        answer.on('error', fail);
      });
      upstream.on('error', fail);
      upstream.end(form);
    });
  }

  /** Closes pooled connections. */
  destroy(): void {
    this.#agent.destroy();
  }
}
