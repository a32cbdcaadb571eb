import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entityTag, ifNoneMatchMatches } from '../../../src/serve/etag.js';
import { respond, servedDocument, type ResponderState } from '../../../src/serve/respond.js';

const DISCOVERY = Buffer.from('{"issuer":"https://issuer.example.com/c1"}');
const JWKS = Buffer.from('{"keys":[]}');
const NOW = new Date('2026-01-15T12:00:00Z');

function state(overrides: Partial<ResponderState> = {}): ResponderState {
  return {
    documents: new Map([
      ['/c1/.well-known/openid-configuration', servedDocument(DISCOVERY)],
      ['/c1/keys.json', servedDocument(JWKS)],
    ]),
    healthPath: '/healthz',
    now: NOW,
    health: {
      issuer: 'https://issuer.example.com/c1',
      kids: ['kid-1', 'kid-2'],
      certificate: {
        subject: 'CN=issuer.example.com',
        serialNumber: '0A',
        notAfter: '2026-03-01T00:00:00.000Z',
      },
      documentsLoadedAt: '2026-01-15T11:00:00.000Z',
    },
    ...overrides,
  };
}

const SECURITY = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

test('entity tags are the SHA-256 of the bytes: equal bytes, equal tags; one byte more, another tag', () => {
  assert.match(entityTag(JWKS), /^"[A-Za-z0-9_-]{43}"$/);
  assert.equal(entityTag(Buffer.from(JWKS)), entityTag(JWKS));
  assert.notEqual(entityTag(Buffer.from('{"keys":[] }')), entityTag(JWKS));
});

test('If-None-Match: *, lists, and weak comparison (RFC 9110 §13.1.2)', () => {
  const tag = entityTag(JWKS);
  assert.equal(ifNoneMatchMatches(undefined, tag), false);
  assert.equal(ifNoneMatchMatches('*', tag), true);
  assert.equal(ifNoneMatchMatches(tag, tag), true);
  assert.equal(ifNoneMatchMatches(`"other", W/${tag}`, tag), true);
  assert.equal(ifNoneMatchMatches('"other"', tag), false);
  assert.equal(ifNoneMatchMatches('garbage', tag), false);
});

test('a document: 200, JSON, short cache, ETag, Content-Length and the security headers', () => {
  const r = respond(state(), { method: 'GET', target: '/c1/keys.json' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, JWKS);
  assert.equal('server' in r.headers, false, 'no Server header, no version advertised');
  assert.deepEqual(r.headers, {
    ...SECURITY,
    'referrer-policy': 'no-referrer',
    etag: entityTag(JWKS),
    'cache-control': 'public, max-age=300',
    'content-type': 'application/json',
    'content-length': String(JWKS.length),
  });
});

test('HEAD: the same headers as GET, no body', () => {
  const get = respond(state(), { method: 'GET', target: '/c1/.well-known/openid-configuration' });
  const head = respond(state(), { method: 'HEAD', target: '/c1/.well-known/openid-configuration' });
  assert.deepEqual(head.headers, get.headers);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], String(DISCOVERY.length));
});

test('If-None-Match with the current tag: 304 with ETag and Cache-Control, no body; a stale tag: 200', () => {
  const tag = entityTag(JWKS);
  const r = respond(state(), { method: 'GET', target: '/c1/keys.json', ifNoneMatch: tag });
  assert.equal(r.status, 304);
  assert.equal(r.body.length, 0);
  assert.equal(r.headers['etag'], tag);
  assert.equal(r.headers['cache-control'], 'public, max-age=300');
  assert.equal(r.headers['content-length'], undefined);
  assert.equal(
    respond(state(), { method: 'GET', target: '/c1/keys.json', ifNoneMatch: '"stale"' }).status,
    200,
  );
});

test('other methods on a document: 405 with Allow; on anything else: 404', () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    const r = respond(state(), { method, target: '/c1/keys.json' });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers['allow'], 'GET, HEAD');
    assert.equal(respond(state(), { method, target: '/c1/' }).status, 404);
  }
});

test('everything but the two documents and the health path is 404, with the security headers', () => {
  for (const target of [
    '/',
    '/c1',
    '/c1/',
    '/keys.json',
    '/.well-known/openid-configuration',
    '/c1/../c1/keys.json',
    '/c1/%2e/keys.json',
    '/c1//keys.json',
    '/C1/keys.json',
    '/c1/keys.json/',
  ]) {
    const r = respond(state(), { method: 'GET', target });
    assert.equal(r.status, 404, target);
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.body.toString(), 'not found\n');
  }
});

test('an equivalent spelling of a document path is served (RFC 3986 §6.2.2.2)', () => {
  assert.equal(respond(state(), { method: 'GET', target: '/c1/%6Beys.json?cache=1' }).status, 200);
});

test('/healthz reports the kids and the certificate, never cached; 503 once the certificate expired', () => {
  const r = respond(state(), { method: 'GET', target: '/healthz' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(r.headers['content-type'], 'application/json');
  const body = JSON.parse(r.body.toString()) as Record<string, unknown>;
  assert.equal(body['status'], 'ok');
  assert.deepEqual(body['kids'], ['kid-1', 'kid-2']);
  assert.deepEqual(body['certificate'], {
    subject: 'CN=issuer.example.com',
    serialNumber: '0A',
    notAfter: '2026-03-01T00:00:00.000Z',
  });
  const expired = respond(state({ now: new Date('2026-03-01T00:00:00Z') }), {
    method: 'GET',
    target: '/healthz',
  });
  assert.equal(expired.status, 503);
  assert.equal((JSON.parse(expired.body.toString()) as { status: string }).status, 'certificate-expired');
  assert.equal(respond(state(), { method: 'POST', target: '/healthz' }).status, 405);
});
