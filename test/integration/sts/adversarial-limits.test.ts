import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { startStsServer } from '../../../src/sts/index.js';
import { MOTO_CREDENTIALS, startStsFixture, type StsFixture } from './support/fixture.js';
import { rawRequest, type RawAnswer } from './support/raw-http.js';
import { inner } from './support/xml.js';

// One bound per denial of service (docs/validating-sts.md, "Limits and what is refused"): each
// attack is refused within its bound while another client is still served. Deadlines are
// generous "answered at all" checks, not performance claims.

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;

let f: StsFixture;

before(async () => {
  // Short timeouts so the slow-sender tests finish quickly; every other limit is the default.
  f = await startStsFixture({
    limits: { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS },
  });
});

after(async () => {
  await f.close();
});

function assumeForm(token: string, session = 'bystander'): string {
  return new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: f.roleArn,
    RoleSessionName: session,
    WebIdentityToken: token,
  }).toString();
}

/** A legitimate client, answered within `deadlineMs` while an attack runs. */
async function bystander(deadlineMs = 10_000): Promise<RawAnswer> {
  const answer = await rawRequest(
    f.sts.url,
    { method: 'POST', headers: { 'content-type': FORM }, body: assumeForm(await f.mint()) },
    deadlineMs,
  );
  assert.equal(answer.status, 200, answer.body);
  return answer;
}

/** Opens a raw connection to the server. */
function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection, and how long that took. */
function untilClosed(socket: Socket): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve({ text, ms: Date.now() - started });
    });
  });
}

test('100,000 parameters (~0.9 MB) are refused at once, and a concurrent client is served', async () => {
  const flood = Array.from({ length: 100_000 }, (_, i) => `p${i}=v`).join('&');
  const [refused] = await Promise.all([
    rawRequest(
      f.sts.url,
      { method: 'POST', headers: { 'content-type': FORM }, body: `${assumeForm('x.y.z')}&${flood}` },
      10_000,
    ),
    bystander(),
  ]);
  assert.equal(refused.status, 400);
  assert.equal(inner(refused.body, 'Code'), 'ValidationError');
  assert.match(inner(refused.body, 'Message') ?? '', /at most 1000 are accepted/);
});

test('a 10 MB body gets 413 (not a reset), with or without Content-Length', async () => {
  const body = Buffer.alloc(10 * 1024 * 1024, 'a');
  for (const chunked of [false, true]) {
    const answer = await rawRequest(
      f.sts.url,
      { method: 'POST', headers: { 'content-type': FORM }, body, chunked },
      15_000,
    );
    assert.equal(answer.status, 413, `chunked=${chunked}`);
    assert.equal(inner(answer.body, 'Code'), 'RequestEntityTooLarge');
    assert.equal(answer.headers.connection, 'close');
  }
  await bystander();
});

test('a request head larger than 16 KiB gets 431', async () => {
  const answer = await rawRequest(f.sts.url, {
    method: 'POST',
    headers: { 'content-type': FORM, 'x-padding': 'a'.repeat(32 * 1024) },
    body: assumeForm('x.y.z'),
  });
  assert.equal(answer.status, 431);
});

test('a sender trickling its headers is cut with 408 after headersTimeout; others are served', async () => {
  const socket = await open(f.sts.url);
  const closed = untilClosed(socket);
  socket.write('POST / HTTP/1.1\r\nHost: sts\r\n');
  const trickle = setInterval(() => {
    if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
  }, 100);
  try {
    await bystander();
    const { text, ms } = await closed;
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(ms < HEADERS_TIMEOUT_MS + 3000, `closed after ${ms} ms`);
  } finally {
    clearInterval(trickle);
    socket.destroy();
  }
});

test('a sender trickling its body is cut with 408 after requestTimeout; others are served', async () => {
  const socket = await open(f.sts.url);
  const closed = untilClosed(socket);
  socket.write(`POST / HTTP/1.1\r\nHost: sts\r\nContent-Type: ${FORM}\r\nContent-Length: 100000\r\n\r\n`);
  const trickle = setInterval(() => {
    if (!socket.destroyed) socket.write('a');
  }, 100);
  try {
    await bystander();
    const { text, ms } = await closed;
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(ms < REQUEST_TIMEOUT_MS + 3000, `closed after ${ms} ms`);
  } finally {
    clearInterval(trickle);
    socket.destroy();
  }
});

test('64 concurrent half-open connections do not keep another client waiting', async () => {
  const sockets = await Promise.all(Array.from({ length: 64 }, () => open(f.sts.url)));
  try {
    for (const s of sockets) {
      s.on('error', () => undefined);
      s.write('POST / HTTP/1.1\r\nHost: sts\r\n');
    }
    await bystander(5_000);
  } finally {
    for (const s of sockets) s.destroy();
  }
});

test('connections beyond maxConnections are closed on accept; once freed, clients are served', async () => {
  const small = await startStsServer({
    region: 'us-east-1',
    iam: { endpoint: f.moto.endpoint, credentials: MOTO_CREDENTIALS },
    issuer: { fetch: () => Promise.reject(new Error('no issuer in this test')) },
    limits: { maxConnections: 8 },
  });
  const held = await Promise.all(Array.from({ length: 8 }, () => open(small.url)));
  try {
    const extra = await open(small.url);
    const { text } = await untilClosed(extra);
    assert.equal(text, '', 'the ninth connection is closed without an answer');
    for (const s of held) s.destroy();
    // Let the server see the closes before the next connection.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await rawRequest(small.url, { method: 'GET', path: '/' });
    assert.equal(answer.status, 400);
    assert.equal(inner(answer.body, 'Code'), 'MissingAction');
  } finally {
    for (const s of held) s.destroy();
    await small.close();
  }
});

test('a forwarded call whose target never answers gets ServiceUnavailable after forwardTimeout', async () => {
  const accepted: Socket[] = [];
  const silent: Server = createServer((socket) => {
    accepted.push(socket); // reads the request, never answers
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const sts = await startStsServer({
    region: 'us-east-1',
    iam: { endpoint: f.moto.endpoint, credentials: MOTO_CREDENTIALS },
    forwardEndpoint: `http://127.0.0.1:${port}`,
    issuer: { fetch: () => Promise.reject(new Error('no issuer in this test')) },
    limits: { forwardTimeoutMs: 500 },
  });
  try {
    const started = Date.now();
    const answer = await rawRequest(sts.url, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'Action=GetSessionToken&Version=2011-06-15',
    });
    assert.equal(answer.status, 503);
    assert.equal(inner(answer.body, 'Code'), 'ServiceUnavailable');
    assert.ok(Date.now() - started < 5_000);
    assert.equal(accepted.length, 1, 'the call did reach the target');
  } finally {
    await sts.close();
    for (const s of accepted) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});
