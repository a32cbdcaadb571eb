import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createHandler,
  handler as deployedHandler,
  s3Reader,
  type FunctionUrlEvent,
} from '../../../assets/issuer-function/index.mjs';

/** A function URL event, payload format 2.0, as Lambda builds it (urls-invocation.html). */
function event(method: string, rawPath: string, headers: Record<string, string> = {}): FunctionUrlEvent {
  return {
    version: '2.0',
    rawPath,
    rawQueryString: '',
    headers: { host: 'abc.lambda-url.us-east-1.on.aws', ...headers },
    requestContext: { http: { method, path: rawPath } },
    isBase64Encoded: false,
  };
}

const DISCOVERY = '{"issuer":"https://abc.lambda-url.us-east-1.on.aws"}';
const JWKS = '{"keys":[]}';

function fromObjects(objects: Record<string, string>): {
  handler: ReturnType<typeof createHandler>;
  reads: string[];
} {
  const reads: string[] = [];
  return {
    reads,
    handler: createHandler({
      readObject: (key) => {
        reads.push(key);
        return Promise.resolve(objects[key]);
      },
    }),
  };
}

describe('issuer function', () => {
  const objects = { '.well-known/openid-configuration': DISCOVERY, 'keys.json': JWKS };

  it('serves the discovery document and the JWKS from their object keys, as JSON with caching headers', async () => {
    const { handler, reads } = fromObjects(objects);
    const d = await handler(event('GET', '/.well-known/openid-configuration'));
    assert.equal(d.statusCode, 200);
    assert.equal(d.body, DISCOVERY);
    assert.equal(d.headers['content-type'], 'application/json');
    assert.equal(d.headers['cache-control'], 'public, max-age=300');
    assert.match(d.headers['etag'] ?? '', /^"[\w-]+"$/);
    const k = await handler(event('GET', '/keys.json'));
    assert.equal(k.statusCode, 200);
    assert.equal(k.body, JWKS);
    assert.deepEqual(reads, ['.well-known/openid-configuration', 'keys.json']);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const { handler } = fromObjects(objects);
    const h = await handler(event('HEAD', '/keys.json'));
    assert.equal(h.statusCode, 200);
    assert.equal(h.body, '');
    assert.equal(h.headers['content-length'], String(JWKS.length));
    assert.equal(h.headers['content-type'], 'application/json');
  });

  it('answers 405 with Allow to any method but GET and HEAD, without reading the bucket', async () => {
    const { handler, reads } = fromObjects(objects);
    for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const r = await handler(event(m, '/keys.json'));
      assert.equal(r.statusCode, 405, m);
      assert.equal(r.headers['allow'], 'GET, HEAD');
    }
    assert.deepEqual(reads, []);
  });

  it('answers 404 outside the two documents, never reading another key', async () => {
    const { handler, reads } = fromObjects({ ...objects, secret: 'x' });
    for (const p of [
      '/',
      '/secret',
      '/keys.json/',
      '/.well-known/',
      '/../keys.json',
      '/constructor',
      '/toString',
    ]) {
      const r = await handler(event('GET', p));
      assert.equal(r.statusCode, 404, p);
      assert.equal(r.headers['content-type'], 'application/json');
    }
    assert.deepEqual(reads, []);
  });

  it('answers 404 when a document is missing from the bucket', async () => {
    const { handler } = fromObjects({ 'keys.json': JWKS });
    const r = await handler(event('GET', '/.well-known/openid-configuration'));
    assert.equal(r.statusCode, 404);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const { handler } = fromObjects(objects);
    const first = await handler(event('GET', '/keys.json'));
    const etag = first.headers['etag'] ?? '';
    const again = await handler(event('GET', '/keys.json', { 'if-none-match': etag }));
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    const other = await handler(event('GET', '/keys.json', { 'if-none-match': '"other"' }));
    assert.equal(other.statusCode, 200);
  });

  it('answers 502 without the reason when the bucket cannot be read', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const handler = createHandler({
      readObject: () => Promise.reject(new Error('AccessDenied on s3://secret-bucket/keys.json')),
    });
    const r = await handler(event('GET', '/keys.json'));
    assert.equal(r.statusCode, 502);
    assert.doesNotMatch(r.body, /secret-bucket/);
  });

  it('s3Reader reads the key from the bucket and maps NoSuchKey to a missing document', async () => {
    const sent: { Bucket: string; Key: string }[] = [];
    class GetObjectCommand {
      constructor(readonly input: { Bucket: string; Key: string }) {}
    }
    const client = {
      send(command: unknown) {
        const input = (command as GetObjectCommand).input;
        sent.push(input);
        if (input.Key === 'keys.json')
          return Promise.resolve({ Body: { transformToString: () => Promise.resolve(JWKS) } });
        return Promise.reject(Object.assign(new Error('no such key'), { name: 'NoSuchKey' }));
      },
    };
    const read = s3Reader('b-oidc', Promise.resolve({ client, GetObjectCommand }));
    assert.equal(await read('keys.json'), JWKS);
    assert.equal(await read('.well-known/openid-configuration'), undefined);
    assert.deepEqual(sent, [
      { Bucket: 'b-oidc', Key: 'keys.json' },
      { Bucket: 'b-oidc', Key: '.well-known/openid-configuration' },
    ]);
  });

  it('the deployed entry point answers 500 when ISSUER_BUCKET is not set', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const saved = process.env['ISSUER_BUCKET'];
    delete process.env['ISSUER_BUCKET'];
    try {
      const r = await deployedHandler(event('GET', '/keys.json'));
      assert.equal(r.statusCode, 500);
    } finally {
      if (saved !== undefined) process.env['ISSUER_BUCKET'] = saved;
    }
  });
});
