import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIssuerFetcher } from '../../../src/net/issuer-fetch.js';
import {
  createSandboxCas,
  loadSandboxCas,
  saveSandboxCas,
  type SandboxCas,
} from '../../../src/sandbox/ca.js';
import { startEdge, type Edge } from '../../../src/sandbox/edge.js';
import { createSandboxResolver, type SandboxResolver } from '../../../src/sandbox/resolver.js';

const DISCOVERY = '{"issuer":"https://issuer.example.org"}';
let cas: SandboxCas;
let edge: Edge;
let resolver: SandboxResolver;

before(async () => {
  cas = await createSandboxCas();
  edge = await startEdge({
    // Static sites never reach moto; port 9 (discard) refuses, so distribution lookups fail fast.
    motoEndpoint: 'http://127.0.0.1:9',
    cas,
    staticSites: [
      {
        host: 'issuer.example.org',
        ca: 'private',
        routes: {
          '/.well-known/openid-configuration': {
            body: DISCOVERY,
            headers: { 'content-type': 'application/json' },
          },
        },
      },
      {
        host: 'trusted.example.org',
        routes: {
          '/.well-known/openid-configuration': { body: DISCOVERY },
          '/moved': { status: 301, headers: { location: 'https://elsewhere.example.org/' } },
        },
      },
      { host: 'slow.example.org', routes: { '/keys.json': { body: '{}', delayMs: 3000 } } },
      { host: 'expired.example.org', expiredCertificate: true, routes: { '/': { body: 'old' } } },
    ],
  });
  resolver = createSandboxResolver(edge);
});

after(async () => {
  await edge.stop();
});

test('a self-hosted issuer on the private CA is not trusted by the CA library; the chain is what it sent', async () => {
  const fetcher = createIssuerFetcher({
    trustedCaPems: [cas.sandbox.rootPem],
    connectTo: resolver.connectTo,
  });
  const obs = await fetcher.fetch('https://issuer.example.org/.well-known/openid-configuration');
  assert.ok(obs.ok);
  assert.equal(obs.status, 200);
  assert.equal(obs.body, DISCOVERY);
  assert.equal(obs.tls.trustedByCaLibrary, false);
  assert.ok(obs.tls.verifyError !== undefined && obs.tls.verifyError.length > 0);
  // Leaf + private intermediate; the private root was never sent. SHA-1s are uppercase hex.
  assert.equal(obs.tls.chain.length, 2);
  assert.match(obs.tls.chain[0]?.sha1 ?? '', /^[0-9A-F]{40}$/);
  assert.equal(obs.tls.chain[1]?.sha1, cas.private.intermediateSha1);
  assert.match(obs.tls.chain[0]?.subject ?? '', /CN=issuer\.example\.org/);
});

test('the same host is trusted when the private root is in the CA library', async () => {
  const fetcher = createIssuerFetcher({
    trustedCaPems: [cas.private.rootPem],
    connectTo: resolver.connectTo,
  });
  const obs = await fetcher.fetch('https://issuer.example.org/.well-known/openid-configuration');
  assert.ok(obs.ok);
  assert.equal(obs.tls.trustedByCaLibrary, true);
  // Still only the sent certificates, even though the root is now in the store.
  assert.equal(obs.tls.chain.length, 2);
});

test('a sandbox-CA site is trusted; redirects are reported, not followed', async () => {
  const fetcher = createIssuerFetcher({
    trustedCaPems: [cas.sandbox.rootPem],
    connectTo: resolver.connectTo,
  });
  const ok = await fetcher.fetch('https://trusted.example.org/.well-known/openid-configuration');
  assert.ok(ok.ok);
  assert.equal(ok.tls.trustedByCaLibrary, true);
  const moved = await fetcher.fetch('https://trusted.example.org/moved');
  assert.ok(moved.ok);
  assert.equal(moved.status, 301);
  assert.equal(moved.headers['location'], 'https://elsewhere.example.org/');
});

test('an expired certificate is not trusted', async () => {
  const fetcher = createIssuerFetcher({
    trustedCaPems: [cas.sandbox.rootPem],
    connectTo: resolver.connectTo,
  });
  const obs = await fetcher.fetch('https://expired.example.org/');
  assert.ok(obs.ok);
  assert.equal(obs.tls.trustedByCaLibrary, false);
  assert.equal(obs.tls.verifyError, 'CERT_HAS_EXPIRED');
});

test('failures are classified: timeout, dns, protocol', async () => {
  const fetcher = createIssuerFetcher({
    trustedCaPems: [cas.sandbox.rootPem],
    connectTo: resolver.connectTo,
    timeoutMs: 300,
  });
  const slow = await fetcher.fetch('https://slow.example.org/keys.json');
  assert.ok(!slow.ok);
  assert.equal(slow.error, 'timeout');
  assert.ok(slow.latencyMs >= 250 && slow.latencyMs < 2500, String(slow.latencyMs));

  const unknown = await fetcher.fetch('https://no-such-host.example.net/x');
  assert.equal(!unknown.ok && unknown.error, 'dns');

  const plain = await fetcher.fetch('http://trusted.example.org/');
  assert.equal(!plain.ok && plain.error, 'protocol');
});

test('a refused connection is classified as connect', async () => {
  const fetcher = createIssuerFetcher({ connectTo: () => ({ host: '127.0.0.1', port: 9 }) });
  const obs = await fetcher.fetch('https://refused.example.org/');
  assert.equal(!obs.ok && obs.error, 'connect');
});

test('CAs persist to a directory and issue leaves that chain to the saved roots', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stsctl-ca-'));
  try {
    await saveSandboxCas(cas, dir);
    const loaded = await loadSandboxCas(dir);
    assert.equal(loaded.sandbox.rootSha1, cas.sandbox.rootSha1);
    assert.equal(loaded.private.intermediateSha1, cas.private.intermediateSha1);
    const leaf = await loaded.sandbox.issueLeaf({ dnsNames: ['*.cloudfront.net'] });
    assert.equal(leaf.chainSha1[1], cas.sandbox.intermediateSha1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
