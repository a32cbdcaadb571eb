import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiscoveryDocument, renderDiscoveryDocument, StsctlError } from '../../../src/core/index.js';
import { deriveRoutes } from '../../../src/serve/routes.js';

const FILE = '/issuer/02-openid-configuration';
const doc = (fields: Record<string, unknown>) =>
  parseDiscoveryDocument(
    { ...JSON.parse(renderDiscoveryDocument('https://issuer.example.com')), ...fields },
    FILE,
  );
const routes = (fields: Record<string, unknown>, expectedIssuer?: string) =>
  deriveRoutes(doc(fields), { source: FILE, expectedIssuer, healthPath: '/healthz' });

function assertRefused(fn: () => unknown, code: string, path: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StsctlError);
    assert.equal(e.code, code);
    assert.equal(e.file, FILE);
    assert.equal(e.path, path);
    assert.equal(e.kind, 'usage');
    assert.match(e.message, message);
    return true;
  });
}

test("ccoctl's documents: discovery under /.well-known, JWKS at /keys.json", () => {
  assert.deepEqual(routes({}), {
    issuer: 'https://issuer.example.com',
    discoveryPath: '/.well-known/openid-configuration',
    jwksPath: '/keys.json',
  });
});

test('an issuer with a path is served under it; the JWKS path is whatever jwks_uri names', () => {
  assert.deepEqual(
    routes({
      issuer: 'https://issuer.example.com/clusters/c1',
      jwks_uri: 'https://issuer.example.com/clusters/c1/openid/v1/jwks',
    }),
    {
      issuer: 'https://issuer.example.com/clusters/c1',
      discoveryPath: '/clusters/c1/.well-known/openid-configuration',
      jwksPath: '/clusters/c1/openid/v1/jwks',
    },
  );
});

test("--issuer-url must equal the document's issuer byte for byte", () => {
  assert.equal(routes({}, 'https://issuer.example.com').issuer, 'https://issuer.example.com');
  assertRefused(
    () => routes({}, 'https://other.example.com'),
    'SERVE_ISSUER_MISMATCH',
    'issuer',
    /other\.example\.com/,
  );
  assertRefused(
    () => routes({}, 'https://Issuer.example.com'),
    'SERVE_ISSUER_MISMATCH',
    'issuer',
    /byte for byte/,
  );
});

test('an issuer AWS would not accept is refused, naming the field', () => {
  for (const issuer of [
    'http://issuer.example.com',
    'https://issuer.example.com:8443',
    'https://issuer.example.com/',
  ]) {
    assertRefused(
      () => routes({ issuer, jwks_uri: 'https://issuer.example.com/keys.json' }),
      'DISCOVERY_INVALID',
      'issuer',
      /issuer/,
    );
  }
  assertRefused(
    () =>
      routes({
        issuer: 'https://issuer.example.com/a/../b',
        jwks_uri: 'https://issuer.example.com/keys.json',
      }),
    'DISCOVERY_INVALID',
    'issuer',
    /normal form/,
  );
});

test('a jwks_uri on another host, another port, over http, or with an odd path is refused', () => {
  for (const [jwks_uri, message] of [
    ['https://keys.example.com/keys.json', /not on the issuer's host issuer\.example\.com/],
    ['https://issuer.example.com:8443/keys.json', /not on the issuer's host/],
    ['http://issuer.example.com/keys.json', /not https/],
    ['not a url', /not a URL/],
    ['https://issuer.example.com/a/../keys.json', /normal form/],
    ['https://issuer.example.com//keys.json', /normal form/],
    ['https://issuer.example.com/.well-known/openid-configuration', /discovery document's own URL/],
    ['https://issuer.example.com/healthz', /health endpoint \/healthz/],
  ] as const) {
    assertRefused(() => routes({ jwks_uri }), 'SERVE_JWKS_URI_INVALID', 'jwks_uri', message);
  }
});

test("an explicit :443 in jwks_uri is the issuer's origin", () => {
  assert.equal(routes({ jwks_uri: 'https://issuer.example.com:443/keys.json' }).jwksPath, '/keys.json');
});
