import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TLSSocket, connect, type ConnectionOptions } from 'node:tls';
import {
  buildJwks,
  generateRsaKeyPair,
  readPrivateKeyPem,
  renderDiscoveryDocument,
  renderJwks,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { createSandboxCas, type IssuedCertificate, type SandboxCas } from '../../../src/sandbox/ca.js';

/**
 * Set-ups for the `stsctl serve` suites: an issuer directory in either layout, a certificate chain
 * from the sandbox's private CA (leaf + intermediate, the root kept by the client), and an HTTPS
 * client that connects to 127.0.0.1 while naming the issuer's host (SNI and certificate checks).
 */

export const HOST = 'issuer.example.test';
export const ISSUER = `https://${HOST}/c1`;

let casPromise: Promise<SandboxCas> | undefined;
/** The sandbox CAs, created once per test file. */
export function cas(): Promise<SandboxCas> {
  casPromise ??= createSandboxCas();
  return casPromise;
}

export function rsaKey(): Promise<PrivateKeyInfo> {
  return generateRsaKeyPair(2048).then((pair) => readPrivateKeyPem(pair.privateKeyPem));
}

/** Writes a file the way careful publishers do: a temporary file renamed into place. */
export function publish(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export interface IssuerFixture {
  readonly dir: string;
  readonly issuerDir: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly discoveryFile: string;
  readonly jwksFile: string;
  leaf: IssuedCertificate;
  readonly rootPem: string;
  cleanup(): void;
}

/** An issuer directory (`ccoctl`: 02-openid-configuration / 03-keys.json; `bucket`: .well-known/…, keys.json) and TLS files. */
export async function issuerFixture(
  options: { layout?: 'ccoctl' | 'bucket'; issuer?: string; keys?: PrivateKeyInfo[] } = {},
): Promise<IssuerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'stsctl-serve-'));
  const issuerDir = join(dir, 'issuer');
  const layout = options.layout ?? 'ccoctl';
  const discoveryFile = join(
    issuerDir,
    layout === 'ccoctl' ? '02-openid-configuration' : '.well-known/openid-configuration',
  );
  const jwksFile = join(issuerDir, layout === 'ccoctl' ? '03-keys.json' : 'keys.json');
  const keys = options.keys ?? [await rsaKey()];
  publish(discoveryFile, renderDiscoveryDocument(options.issuer ?? ISSUER));
  publish(jwksFile, renderJwks(buildJwks(keys.map((k) => k.publicKey))));
  const authority = (await cas()).private;
  const leaf = await authority.issueLeaf({ dnsNames: [HOST] });
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  publish(certFile, leaf.chainPem);
  publish(keyFile, leaf.keyPem);
  return {
    dir,
    issuerDir,
    certFile,
    keyFile,
    discoveryFile,
    jwksFile,
    leaf,
    rootPem: authority.rootPem,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Fetched {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Serial number of the leaf certificate the server presented. */
  readonly serial: string;
}

/** One HTTPS request to 127.0.0.1:`port` as `HOST`, trusting `rootPem` only; a fresh connection each time. */
export function fetchFrom(
  port: number,
  rootPem: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: HOST,
        ca: rootPem,
        path,
        method: options.method ?? 'GET',
        headers: { host: HOST, ...options.headers },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => {
          const socket = res.socket;
          if (!(socket instanceof TLSSocket)) {
            reject(new Error('not a TLS connection'));
            return;
          }
          const serial = socket.getPeerCertificate().serialNumber;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, serial });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a TLS connection as `HOST` and resolves once the handshake is done. */
export function tlsConnect(port: number, rootPem: string, extra: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: HOST, ca: rootPem, ...extra });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before the handshake finished')));
  });
}

/** Polls `check` every 25 ms until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The serial number of a PEM certificate, as Node reports peers' (uppercase hex). */
export function serialOf(pem: string): string {
  return new X509Certificate(pem).serialNumber;
}
