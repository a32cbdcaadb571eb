import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { StsctlError, buildJwks, renderDiscoveryDocument, renderJwks } from '../../../src/core/index.js';
import { createIssuerFetcher } from '../../../src/net/issuer-fetch.js';
import { startIssuerServer, type IssuerServer, type IssuerServerOptions } from '../../../src/serve/index.js';
import {
  HOST,
  ISSUER,
  eventually,
  fetchFrom,
  issuerFixture,
  publish,
  rsaKey,
  serialOf,
  tlsConnect,
  type IssuerFixture,
} from './support.js';

/** A server on 127.0.0.1:0 over `fx`, with its access log and messages captured. */
async function serve(fx: IssuerFixture, extra: Partial<IssuerServerOptions> = {}) {
  const log: string[] = [];
  const messages: string[] = [];
  const server = await startIssuerServer({
    issuerDir: fx.issuerDir,
    certFile: fx.certFile,
    keyFile: fx.keyFile,
    port: 0,
    accessLogStream: { write: (line: string) => log.push(line) },
    logger: { info: (m) => messages.push(m), warn: (m) => messages.push(`warning: ${m}`) },
    ...extra,
  });
  return { server, log, messages };
}

const DISCOVERY_PATH = '/c1/.well-known/openid-configuration';
const JWKS_PATH = '/c1/keys.json';

describe('serving the documents', () => {
  let fx: IssuerFixture;
  let server: IssuerServer;
  let log: string[];
  before(async () => {
    fx = await issuerFixture();
    ({ server, log } = await serve(fx));
  });
  after(async () => {
    await server.shutdown(1000);
    fx.cleanup();
  });

  test('both documents, byte for byte, with every header', async () => {
    for (const [path, file] of [
      [DISCOVERY_PATH, fx.discoveryFile],
      [JWKS_PATH, fx.jwksFile],
    ] as const) {
      const r = await fetchFrom(server.port, fx.rootPem, path);
      const bytes = readFileSync(file, 'utf8');
      assert.equal(r.status, 200, path);
      assert.equal(r.body, bytes);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['content-length'], String(Buffer.byteLength(bytes)));
      assert.equal(r.headers['cache-control'], 'public, max-age=300');
      assert.match(String(r.headers['etag']), /^"[A-Za-z0-9_-]{43}"$/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
      assert.equal(r.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
      assert.equal(r.headers['server'], undefined);
      assert.equal(r.headers['x-powered-by'], undefined);
    }
  });

  test('HEAD: headers without a body; POST: 405 with Allow', async () => {
    const head = await fetchFrom(server.port, fx.rootPem, JWKS_PATH, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(readFileSync(fx.jwksFile).length));
    const post = await fetchFrom(server.port, fx.rootPem, JWKS_PATH, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
  });

  test('If-None-Match with the ETag: 304 without a body', async () => {
    const first = await fetchFrom(server.port, fx.rootPem, JWKS_PATH);
    const again = await fetchFrom(server.port, fx.rootPem, JWKS_PATH, {
      headers: { 'if-none-match': String(first.headers['etag']) },
    });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers['etag'], first.headers['etag']);
  });

  test('no listing, no other file, no traversal: 404', async () => {
    for (const path of [
      '/',
      '/c1',
      '/c1/',
      '/c1/.well-known/',
      '/keys.json',
      '/03-keys.json',
      '/c1/03-keys.json',
      '/c1/../c1/keys.json',
      '/c1/%2e%2e/c1/keys.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/../../etc/passwd',
      '//c1/keys.json',
      '/c1//keys.json',
      '/c1%2Fkeys.json',
      '/c1%2fkeys.json',
      '/c1/keys.json%00',
      '/c1%5Ckeys.json',
    ]) {
      const r = await fetchFrom(server.port, fx.rootPem, path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body, 'not found\n', path);
    }
  });

  test('a raw NUL in the request line never reaches a document (the parser refuses it)', async () => {
    const socket = await tlsConnect(server.port, fx.rootPem);
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      socket.setEncoding('utf8').on('data', (d: string) => (data += d));
      socket.on('close', () => resolve(data));
      socket.write(`GET /c1/keys.json\u0000 HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });

  test("the health endpoint: the kids served and the certificate's notAfter", async () => {
    const r = await fetchFrom(server.port, fx.rootPem, '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    const body = JSON.parse(r.body) as {
      status: string;
      issuer: string;
      kids: string[];
      certificate: { notAfter: string; serialNumber: string };
    };
    const jwks = JSON.parse(readFileSync(fx.jwksFile, 'utf8')) as { keys: { kid: string }[] };
    assert.equal(body.status, 'ok');
    assert.equal(body.issuer, ISSUER);
    assert.deepEqual(
      body.kids,
      jwks.keys.map((k) => k.kid),
    );
    const leaf = new X509Certificate(fx.leaf.certPem);
    assert.equal(body.certificate.notAfter, new Date(leaf.validTo).toISOString());
    assert.equal(body.certificate.serialNumber, leaf.serialNumber);
  });

  test('the whole chain is sent (leaf, then intermediate), TLS 1.2 and up only', async () => {
    const fetcher = createIssuerFetcher({
      trustedCaPems: [fx.rootPem],
      connectTo: () => ({ host: '127.0.0.1', port: server.port }),
    });
    const seen = await fetcher.fetch(`https://${HOST}${JWKS_PATH}`);
    assert.ok(seen.ok);
    assert.deepEqual(
      seen.tls.chain.map((c) => c.sha1),
      fx.leaf.chainSha1,
    );
    assert.equal(seen.tls.trustedByCaLibrary, true);

    const tls12 = await tlsConnect(server.port, fx.rootPem, { maxVersion: 'TLSv1.2' });
    assert.equal(tls12.getProtocol(), 'TLSv1.2');
    tls12.destroy();
    // SECLEVEL=0 lets this client offer TLS 1.1 at all, so only the server can refuse it.
    await assert.rejects(
      tlsConnect(server.port, fx.rootPem, {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      }),
    );
  });

  test('one JSON access log line per request', async () => {
    const before = log.length;
    await fetchFrom(server.port, fx.rootPem, `${JWKS_PATH}?q=secret`, {
      headers: { 'user-agent': 'serve-test/1' },
    });
    await eventually(() => Promise.resolve(log.length > before));
    const entry = JSON.parse(log[log.length - 1]!) as Record<string, unknown>;
    assert.equal(entry['method'], 'GET');
    assert.equal(entry['path'], JWKS_PATH, 'the query is not logged');
    assert.equal(entry['status'], 200);
    assert.equal(entry['bytes'], readFileSync(fx.jwksFile).length);
    assert.equal(entry['userAgent'], 'serve-test/1');
    assert.equal(entry['remoteAddress'], '127.0.0.1');
    assert.equal(typeof entry['durationMs'], 'number');
    assert.ok(!Number.isNaN(Date.parse(String(entry['time']))));
  });
});

test('the bucket layout and an issuer without a path', async () => {
  const fx = await issuerFixture({ layout: 'bucket', issuer: `https://${HOST}` });
  const { server } = await serve(fx, { issuerUrl: `https://${HOST}` });
  try {
    assert.equal((await fetchFrom(server.port, fx.rootPem, '/.well-known/openid-configuration')).status, 200);
    assert.equal((await fetchFrom(server.port, fx.rootPem, '/keys.json')).status, 200);
    assert.equal((await fetchFrom(server.port, fx.rootPem, '/c1/keys.json')).status, 404);
  } finally {
    await server.shutdown(1000);
    fx.cleanup();
  }
});

test('a rotated keys.json is served once whole; a half-written one never is', async () => {
  const fx = await issuerFixture();
  const { server, messages } = await serve(fx, { pollIntervalMs: 50 });
  try {
    const before = await fetchFrom(server.port, fx.rootPem, JWKS_PATH);
    writeFileSync(fx.jwksFile, '{"keys": [{"use": "sig", "kty": "RS');
    await eventually(() =>
      Promise.resolve(messages.some((m) => m.includes('not reloading the issuer documents'))),
    );
    const during = await fetchFrom(server.port, fx.rootPem, JWKS_PATH);
    assert.equal(during.body, before.body, 'the previous keys.json is still served');
    assert.match(
      messages.find((m) => m.includes('not reloading'))!,
      /03-keys\.json: not JSON/,
    );

    const rotated = renderJwks(buildJwks([(await rsaKey()).publicKey, (await rsaKey()).publicKey]));
    publish(fx.jwksFile, rotated);
    await eventually(async () => (await fetchFrom(server.port, fx.rootPem, JWKS_PATH)).body === rotated);
    const after = await fetchFrom(server.port, fx.rootPem, JWKS_PATH, {
      headers: { 'if-none-match': String(before.headers['etag']) },
    });
    assert.equal(after.status, 200, 'the old ETag no longer matches');
    assert.notEqual(after.headers['etag'], before.headers['etag']);
    const health = JSON.parse((await fetchFrom(server.port, fx.rootPem, '/healthz')).body) as {
      kids: string[];
    };
    assert.deepEqual(
      health.kids,
      (JSON.parse(rotated) as { keys: { kid: string }[] }).keys.map((k) => k.kid),
    );
  } finally {
    await server.shutdown(1000);
    fx.cleanup();
  }
});

test('a reload that changes the issuer is refused: the first one stays', async () => {
  const fx = await issuerFixture();
  const { server, messages } = await serve(fx);
  try {
    publish(fx.discoveryFile, renderDiscoveryDocument(`https://${HOST}/other`));
    await server.reload();
    assert.ok(
      messages.some((m) => /not reloading.*SERVE_ISSUER_MISMATCH|is not --issuer-url/.test(m)),
      messages.join('\n'),
    );
    assert.equal((await fetchFrom(server.port, fx.rootPem, DISCOVERY_PATH)).status, 200);
    assert.equal(
      (await fetchFrom(server.port, fx.rootPem, '/other/.well-known/openid-configuration')).status,
      404,
    );
  } finally {
    await server.shutdown(1000);
    fx.cleanup();
  }
});

test('a renewed certificate is picked up: new connections see its serial', async () => {
  const fx = await issuerFixture();
  const { server, messages } = await serve(fx, { pollIntervalMs: 50 });
  try {
    const first = await fetchFrom(server.port, fx.rootPem, JWKS_PATH);
    assert.equal(first.serial, serialOf(fx.leaf.certPem));
    const { cas } = await import('./support.js');
    const renewed = await (await cas()).private.issueLeaf({ dnsNames: [HOST] });
    // The key first: until the certificate follows, the pair does not match and is not taken.
    publish(fx.keyFile, renewed.keyPem);
    await eventually(() =>
      Promise.resolve(messages.some((m) => m.includes('not reloading the certificate'))),
    );
    assert.equal((await fetchFrom(server.port, fx.rootPem, JWKS_PATH)).serial, first.serial);
    publish(fx.certFile, renewed.chainPem);
    await eventually(
      async () => (await fetchFrom(server.port, fx.rootPem, JWKS_PATH)).serial === serialOf(renewed.certPem),
    );
    const health = JSON.parse((await fetchFrom(server.port, fx.rootPem, '/healthz')).body) as {
      certificate: { serialNumber: string };
    };
    assert.equal(health.certificate.serialNumber, serialOf(renewed.certPem));
  } finally {
    await server.shutdown(1000);
    fx.cleanup();
  }
});

test('bounded connections: one past --max-connections is refused until one closes', async () => {
  const fx = await issuerFixture();
  const { server } = await serve(fx, { maxConnections: 2 });
  try {
    const a = await tlsConnect(server.port, fx.rootPem);
    const b = await tlsConnect(server.port, fx.rootPem);
    await assert.rejects(tlsConnect(server.port, fx.rootPem));
    a.destroy();
    await eventually(async () => {
      try {
        (await tlsConnect(server.port, fx.rootPem)).destroy();
        return true;
      } catch {
        return false;
      }
    });
    b.destroy();
  } finally {
    await server.shutdown(1000);
    fx.cleanup();
  }
});

describe('graceful shutdown', () => {
  test('stops accepting, lets the request in flight finish, then closes', async () => {
    const fx = await issuerFixture();
    const { server } = await serve(fx);
    try {
      const socket = await tlsConnect(server.port, fx.rootPem);
      let answer = '';
      socket.setEncoding('utf8').on('data', (d: string) => (answer += d));
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      // Half a request: the server has begun reading it when the shutdown starts.
      socket.write(`GET ${JWKS_PATH} HTTP/1.1\r\nHost: ${HOST}\r\n`);
      await new Promise((r) => setTimeout(r, 100));
      const stopped = server.shutdown(5000);
      await new Promise((r) => setTimeout(r, 100));
      const refused = await new Promise<string>((resolve) => {
        const probe = netConnect(server.port, '127.0.0.1');
        probe.on('connect', () => {
          probe.destroy();
          resolve('connected');
        });
        probe.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      assert.equal(refused, 'ECONNREFUSED', 'no new connection once shutting down');
      socket.write('\r\n');
      await ended;
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(answer, /\r\nconnection: close\r\n/i);
      assert.ok(answer.endsWith(readFileSync(fx.jwksFile, 'utf8')));
      assert.deepEqual(await stopped, { forced: 0 });
    } finally {
      fx.cleanup();
    }
  });

  test('a request still unfinished at the deadline is cut', async () => {
    const fx = await issuerFixture();
    const { server } = await serve(fx);
    try {
      const socket = await tlsConnect(server.port, fx.rootPem);
      socket.on('error', () => undefined);
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(`GET ${JWKS_PATH} HTTP/1.1\r\nHost: ${HOST}\r\n`);
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      assert.deepEqual(await server.shutdown(300), { forced: 1 });
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
      await ended;
    } finally {
      fx.cleanup();
    }
  });
});

describe('refusing to start (exit 2), naming the file and the field', () => {
  async function refusal(fx: IssuerFixture, extra: Partial<IssuerServerOptions> = {}): Promise<StsctlError> {
    try {
      const { server } = await serve(fx, extra);
      await server.shutdown(100);
    } catch (e) {
      assert.ok(e instanceof StsctlError, String(e));
      assert.equal(e.kind, 'usage');
      return e;
    } finally {
      fx.cleanup();
    }
    assert.fail('the server started');
  }

  test('--issuer-url disagrees with the discovery document', async () => {
    const fx = await issuerFixture();
    const e = await refusal(fx, { issuerUrl: `https://${HOST}/c2` });
    assert.equal(e.code, 'SERVE_ISSUER_MISMATCH');
    assert.equal(e.file, fx.discoveryFile);
    assert.equal(e.path, 'issuer');
  });

  test('jwks_uri on another host', async () => {
    const fx = await issuerFixture();
    publish(
      fx.discoveryFile,
      renderDiscoveryDocument(ISSUER).replace(`${ISSUER}/keys.json`, 'https://keys.example.test/keys.json'),
    );
    const e = await refusal(fx);
    assert.equal(e.code, 'SERVE_JWKS_URI_INVALID');
    assert.equal(e.file, fx.discoveryFile);
    assert.equal(e.path, 'jwks_uri');
  });

  test('a JWKS that does not parse, or holds no key', async () => {
    for (const [content, path] of [
      ['{"keys": {}}', 'keys'],
      ['{"keys": [{"kid": 1, "kty": "RSA"}]}', 'keys[0].kid'],
      ['{"keys": []}', 'keys'],
    ] as const) {
      const fx = await issuerFixture();
      publish(fx.jwksFile, content);
      const e = await refusal(fx);
      assert.equal(e.code, 'JWKS_INVALID');
      assert.equal(e.file, fx.jwksFile);
      assert.equal(e.path, path);
    }
    const fx = await issuerFixture();
    publish(fx.jwksFile, '{"keys": [');
    const e = await refusal(fx);
    assert.equal(e.code, 'JWKS_INVALID');
    assert.match(e.describe(), /03-keys\.json: not JSON/);
  });

  test('a directory with neither layout', async () => {
    const fx = await issuerFixture();
    const e = await refusal(fx, { issuerDir: fx.dir });
    assert.equal(e.code, 'SERVE_ISSUER_DIR_INVALID');
    assert.match(e.message, /02-openid-configuration.*\.well-known\/openid-configuration/);
  });

  test("a key that is not the certificate's, and a chain out of order", async () => {
    const fx = await issuerFixture();
    const { cas } = await import('./support.js');
    const other = await (await cas()).private.issueLeaf({ dnsNames: [HOST] });
    publish(fx.keyFile, other.keyPem);
    const e = await refusal(fx);
    assert.equal(e.code, 'SERVE_TLS_FILES_INVALID');
    assert.equal(e.file, fx.keyFile);
    assert.ok(!e.message.includes('PRIVATE KEY'), 'the key never appears in a message');

    const fx2 = await issuerFixture();
    const [leaf, intermediate] = fx2.leaf.chainPem.split(/(?<=-----END CERTIFICATE-----\n)/);
    publish(fx2.certFile, `${intermediate}${leaf}`);
    const e2 = await refusal(fx2);
    assert.equal(e2.code, 'SERVE_TLS_FILES_INVALID');
    assert.equal(e2.file, fx2.certFile);
    assert.match(e2.message, /certificate 2 is the key's own: the leaf comes first/);
  });
});

test('a port in use is a failure (exit 1), not a usage error', async () => {
  const fx = await issuerFixture();
  const { server } = await serve(fx);
  try {
    await assert.rejects(serve(fx, { port: server.port }), (e: unknown) => {
      assert.ok(e instanceof StsctlError);
      assert.equal(e.code, 'SERVE_LISTEN_FAILED');
      assert.equal(e.kind, 'failure');
      assert.match(e.message, /EADDRINUSE/);
      return true;
    });
  } finally {
    await server.shutdown(1000);
    fx.cleanup();
  }
});
