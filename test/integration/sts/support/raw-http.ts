import { request } from 'node:http';

/** One answer as a raw HTTP client sees it. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** What to send: every part under the test's control (no client normalisation). */
export interface RawRequest {
  readonly method: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Send the body with `Transfer-Encoding: chunked` (no Content-Length), in 64 KiB chunks. */
  readonly chunked?: boolean;
}

/**
 * Sends one request on a fresh connection and reads the whole answer; rejects with "no answer
 * within …" when the server has not answered by `deadlineMs` (a hang), or with the socket error.
 */
export function rawRequest(baseUrl: string, spec: RawRequest, deadlineMs = 15_000): Promise<RawAnswer> {
  const url = new URL(spec.path ?? '/', baseUrl);
  return new Promise((resolve, reject) => {
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    const req = request({
      hostname: url.hostname,
      port: url.port,
      method: spec.method,
      path: url.pathname + url.search,
      agent: false,
      headers: {
        ...(body === undefined || spec.chunked === true ? {} : { 'content-length': String(body.length) }),
        ...spec.headers,
      },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${deadlineMs} ms`));
    }, deadlineMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (spec.chunked === true && body !== undefined) {
      for (let at = 0; at < body.length; at += 65_536) req.write(body.subarray(at, at + 65_536));
      req.end();
    } else {
      req.end(body);
    }
  });
}
