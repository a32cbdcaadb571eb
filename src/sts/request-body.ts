import type { IncomingMessage } from 'node:http';

/** The request body went past the limit; nothing of it is kept. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a request body of at most `limitBytes`.
 *
 * Hand-written rather than `buffer()` from `node:stream/consumers`: that helper buffers the whole
 * stream before returning, so a client could make us hold any amount of memory; the limit must
 * be enforced while reading. Over the limit, it stops collecting and rejects with
 * {@link BodyTooLargeError}; the caller decides what happens to the connection.
 */
export function readBoundedBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        chunks.length = 0;
        reject(new BodyTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      resolve(Buffer.concat(chunks, size));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}
