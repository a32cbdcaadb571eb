import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandboxCas, type SandboxCas } from '../../src/sandbox/ca.js';
import { runStsctl } from '../helpers/cli.js';
import { CLI, TEST_PUBLIC_KEY } from '../helpers/repo.js';

/**
 * `stsctl serve` as a user runs it: over the output directory of `create-identity-provider
 * --dry-run`, with a certificate chain from a private CA, fetched with Node's https and with curl
 * (`--cacert`), stopped with SIGTERM (exit 0).
 */

const REGION = 'us-east-1';
const HOST = `test-infra-name-oidc.s3.${REGION}.amazonaws.com`;
const ISSUER = `https://${HOST}`;

let tmp: string;
let issuerDir: string;
let cas: SandboxCas;
let certFile: string;
let keyFile: string;
let caFile: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-serve-e2e-'));
  issuerDir = join(tmp, 'out');
  const r = await runStsctl([
    'create-identity-provider',
    '--dry-run',
    '--name',
    'test-infra-name',
    '--region',
    REGION,
    '--public-key-file',
    TEST_PUBLIC_KEY,
    '--output-dir',
    issuerDir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  cas = await createSandboxCas();
  const leaf = await cas.private.issueLeaf({ dnsNames: [HOST] });
  certFile = join(tmp, 'tls.crt');
  keyFile = join(tmp, 'tls.key');
  caFile = join(tmp, 'ca.pem');
  writeFileSync(certFile, leaf.chainPem);
  writeFileSync(keyFile, leaf.keyPem, { mode: 0o600 });
  writeFileSync(caFile, cas.private.rootPem);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
}

/** Spawns `stsctl serve …` and resolves once it says where it listens. */
function startServe(args: readonly string[]): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = / on https:\/\/127\.0\.0\.1:(\d+):/.exec(err);
      if (m !== null) resolve({ child, port: Number(m[1]), stdout: () => out, stderr: () => err, exit });
    });
    void exit.then((code) => reject(new Error(`stsctl serve exited (${code}) before listening: ${err}`)));
  });
}

function nodeGet(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, servername: HOST, ca: cas.private.rootPem, path, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function curl(port: number, path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      [
        '--silent',
        '--show-error',
        '--include',
        '--cacert',
        caFile,
        '--resolve',
        `${HOST}:${port}:127.0.0.1`,
        `https://${HOST}:${port}${path}`,
      ],
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe('stsctl serve over a create-identity-provider --dry-run directory', () => {
  let running: Running;
  before(async () => {
    running = await startServe([
      '--issuer-dir',
      issuerDir,
      '--cert-file',
      certFile,
      '--key-file',
      keyFile,
      '--port',
      '0',
      '--issuer-url',
      ISSUER,
    ]);
  });

  test('Node https fetches both documents, byte for byte', async () => {
    const discovery = await nodeGet(running.port, '/.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
    assert.equal(discovery.type, 'application/json');
    assert.equal(discovery.body, readFileSync(join(issuerDir, '02-openid-configuration'), 'utf8'));
    const jwks = await nodeGet(running.port, '/keys.json');
    assert.equal(jwks.status, 200);
    assert.equal(jwks.body, readFileSync(join(issuerDir, '03-keys.json'), 'utf8'));
    assert.equal((await nodeGet(running.port, '/03-keys.json')).status, 404);
  });

  test('curl --cacert verifies the chain and gets the JWKS with its headers', async () => {
    const r = await curl(running.port, '/keys.json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.stdout, /\r\ncontent-type: application\/json\r\n/i);
    assert.match(r.stdout, /\r\ncache-control: public, max-age=300\r\n/i);
    assert.match(r.stdout, /\r\nstrict-transport-security: max-age=31536000\r\n/i);
    assert.ok(r.stdout.endsWith(readFileSync(join(issuerDir, '03-keys.json'), 'utf8')));
    const health = await curl(running.port, '/healthz');
    assert.match(health.stdout, /"status":"ok"/);
  });

  test('SIGTERM: graceful shutdown, exit 0, one JSON access log line per request on stdout', async () => {
    running.child.kill('SIGTERM');
    assert.equal(await running.exit, 0, running.stderr());
    assert.match(running.stderr(), /SIGTERM: shutting down/);
    assert.match(running.stderr(), /\nstopped\n$/);
    const lines = running.stdout().trim().split('\n');
    assert.equal(lines.length, 5, running.stdout());
    const entries = lines.map((l) => JSON.parse(l) as { path: string; status: number; userAgent: string });
    assert.deepEqual(
      entries.map((e) => [e.path, e.status]),
      [
        ['/.well-known/openid-configuration', 200],
        ['/keys.json', 200],
        ['/03-keys.json', 404],
        ['/keys.json', 200],
        ['/healthz', 200],
      ],
    );
    assert.match(entries[3]!.userAgent, /^curl\//);
  });
});

describe('stsctl serve refuses bad input with exit 2 and serves nothing', () => {
  test('--issuer-url disagrees with the discovery document: file and field named', async () => {
    const r = await runStsctl([
      'serve',
      '--issuer-dir',
      issuerDir,
      '--cert-file',
      certFile,
      '--key-file',
      keyFile,
      '--port',
      '0',
      '--issuer-url',
      'https://issuer.example.com',
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      new RegExp(
        `error: ${join(issuerDir, '02-openid-configuration').replaceAll('.', '\\.')}, issuer: "${ISSUER.replaceAll('.', '\\.')}" is not --issuer-url`,
      ),
    );
  });

  test('a flag out of range and a missing flag', async () => {
    const bad = await runStsctl([
      'serve',
      '--issuer-dir',
      issuerDir,
      '--cert-file',
      certFile,
      '--key-file',
      keyFile,
      '--max-connections',
      '0',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-connections must be a whole number from 1/);
    const missing = await runStsctl(['serve', '--issuer-dir', issuerDir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--cert-file/);
  });

  test('a key file that is not a key: named, and its content never printed', async () => {
    const r = await runStsctl([
      'serve',
      '--issuer-dir',
      issuerDir,
      '--cert-file',
      certFile,
      '--key-file',
      certFile,
      '--port',
      '0',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /tls\.crt: not an unencrypted PEM private key/);
    assert.ok(!r.stderr.includes('BEGIN'));
  });
});
