/**
 * stsctl's issuer function: serves an OIDC issuer's two documents behind a Lambda function URL
 * (`stsctl create-all --hosting lambda`). Plain Node.js ESM with no dependencies of its own: the
 * S3 client comes from the Lambda Node.js runtime, which ships the AWS SDK for JavaScript v3
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html, "SDK versions included in
 * the runtime").
 *
 * The documents live in a private bucket (`ISSUER_BUCKET`) that only this function's role may
 * read, and only those two keys: a key rotation is then a plain object upload, and the documents'
 * size is not bounded by Lambda's 4 KB of environment variables
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 *
 * The event is a function URL request, payload format 2.0 (`rawPath`,
 * `requestContext.http.method`, headers; https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).
 */

/** The URL path of each document and the object key it is read from (ccoctl's keys). */
export const DOCUMENTS = Object.freeze({
  '/.well-known/openid-configuration': '.well-known/openid-configuration',
  '/keys.json': 'keys.json',
});

/**
 * How long clients and caches may keep a document, seconds. Short: after a key rotation (an
 * object upload) STS sees the new JWKS within minutes, as it would from S3 or CloudFront without
 * caching.
 */
export const MAX_AGE_SECONDS = 300;

function answer(statusCode, body, extra = {}) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  };
}

/**
 * Builds the handler around `readObject(key)`, which resolves to the object's text or `undefined`
 * when there is no such object (and rejects on any other error).
 *
 * GET and HEAD of the two documents only: any other method is 405 (with `Allow`), any other path
 * 404. A document is sent as `application/json` with `Cache-Control` and an `ETag`; a request
 * whose `If-None-Match` matches it gets 304.
 */
export function createHandler({ readObject }) {
  return async function handler(event) {
    const method = event?.requestContext?.http?.method ?? 'GET';
    const path = event?.rawPath ?? '/';
    if (method !== 'GET' && method !== 'HEAD')
      return answer(405, { message: 'Method Not Allowed' }, { allow: 'GET, HEAD' });
    const key = Object.hasOwn(DOCUMENTS, path) ? DOCUMENTS[path] : undefined;
    if (key === undefined) return answer(404, { message: 'Not Found' });
    let body;
    try {
      body = await readObject(key);
    } catch (e) {
      // The reason stays in the function's log; callers see a plain 502 (no bucket names leak).
      console.error(`reading ${key}: ${e instanceof Error ? e.message : String(e)}`);
      return answer(502, { message: 'Bad Gateway' });
    }
    if (body === undefined) return answer(404, { message: 'Not Found' });
    const { createHash } = await import('node:crypto');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const headers = {
      'content-type': 'application/json',
      'cache-control': `public, max-age=${MAX_AGE_SECONDS}`,
      etag,
    };
    const ifNoneMatch = event?.headers?.['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag))
      return { statusCode: 304, headers, body: '' };
    // HEAD: the headers of the GET without its body (Lambda sends what the function returns).
    return {
      statusCode: 200,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      body: method === 'HEAD' ? '' : body,
    };
  };
}

/** Reads `key` from `bucket` with the runtime's SDK; undefined when the object does not exist. */
export function s3Reader(bucket, clientPromise) {
  return async (key) => {
    const { client, GetObjectCommand } = await clientPromise;
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await got.Body.transformToString('utf8');
    } catch (e) {
      if (e?.name === 'NoSuchKey' || e?.name === 'NotFound') return undefined;
      throw e;
    }
  };
}

async function runtimeS3() {
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  return { client: new S3Client({}), GetObjectCommand };
}

let deployed;

/** The entry point Lambda calls (`index.handler`): documents from `ISSUER_BUCKET`. */
export async function handler(event) {
  if (deployed === undefined) {
    const bucket = process.env.ISSUER_BUCKET;
    if (bucket === undefined || bucket === '') {
      console.error('ISSUER_BUCKET is not set');
      return answer(500, { message: 'Internal Server Error' });
    }
    deployed = createHandler({ readObject: s3Reader(bucket, runtimeS3()) });
  }
  return deployed(event);
}
