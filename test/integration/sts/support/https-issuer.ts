import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A local HTTPS issuer (discovery + JWKS) with its own CA, for tests and the benchmark. Callers
 * fetch it with the sandbox's issuer fetcher (`src/net/issuer-fetch.ts`): its resolver hook sends
 * the issuer's public-looking host name to loopback and the CA plays "AWS's CA library".
 * Mutable documents let tests rotate keys.
 */

export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A CA and a leaf for `hostname` signed by it, made with the openssl CLI (test-only material;
 * @peculiar/x509 would need a reflect-metadata polyfill that is not installed).
 */
export function makeTlsMaterial(hostname: string): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'stsctl-sts-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        '2',
        '-subj',
        '/CN=stsctl test CA',
      ],
      dir,
    );
    openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${hostname}`], dir);
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${hostname}\nbasicConstraints=CA:FALSE\n`);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'leaf.pem',
        '-days',
        '2',
        '-extfile',
        'ext.cnf',
      ],
      dir,
    );
    const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
    return {
      caPem,
      certPem: readFileSync(join(dir, 'leaf.pem'), 'utf8') + caPem,
      keyPem: readFileSync(join(dir, 'leaf.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LocalIssuer {
  /** `https://<hostname>` (port 443 in the URL; the view routes it to the local port). */
  readonly issuerUrl: string;
  readonly hostname: string;
  readonly port: number;
  readonly tls: TlsMaterial;
  /** Replaces a served document (path → body); `undefined` makes the path 404. */
  setDocument(path: string, body: string | undefined): void;
  /** Requests served, by path. */
  readonly hits: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

/** Starts an HTTPS server on a free loopback port serving `documents` (path → JSON text). */
export async function startLocalIssuer(
  hostname: string,
  documents: Readonly<Record<string, string>>,
): Promise<LocalIssuer> {
  const tls = makeTlsMaterial(hostname);
  const docs = new Map(Object.entries(documents));
  const hits = new Map<string, number>();
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = docs.get(path);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    issuerUrl: `https://${hostname}`,
    hostname,
    port,
    tls,
    hits,
    setDocument(path, body) {
      if (body === undefined) docs.delete(path);
      else docs.set(path, body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
