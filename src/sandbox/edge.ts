/**
 * The HTTPS edge: the sandbox's "public internet". One TLS server picks a certificate per SNI name
 * and routes by Host:
 * - S3 endpoints (every public form, see hosts.ts) → an anonymous GET on moto S3, tightened where
 *   moto is more permissive than AWS (Block Public Access, principals, missing keys);
 * - `<id>.cloudfront.net` and distribution aliases → the distribution's S3 origin, fetched the way
 *   CloudFront does (OAC, OAI or anonymous);
 * - configured static sites (self-hosted issuers, fault rehearsal).
 *
 * Certificates: S3 and CloudFront hosts get AWS's wildcard names from the sandbox CA (the "CA
 * library"); a distribution alias gets the names of the distribution's ACM certificate (as
 * CloudFront serves that certificate), issued by the sandbox CA since ACM certificates are publicly
 * trusted; static sites choose the sandbox or the private CA, optionally expired.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { SandboxCas } from './ca.js';
import type { RecordedDistribution } from './distribution-config.js';
import { DistributionIndex } from './edge-distributions.js';
import { handleEdgeRequest, type EdgeRoutes, type StaticSite } from './edge-routes.js';
import { FAKE_CREDENTIALS, S3Reads } from './edge-s3-reads.js';
import { EdgeCertificates } from './edge-tls.js';
import { normalizeHost, parseS3Host } from './hosts.js';

export type { StaticRoute, StaticSite } from './edge-routes.js';

/** Options for {@link startEdge}. */
export interface StartEdgeOptions {
  /** moto's own endpoint (not the gateway): anonymous GETs must reach moto unchanged. */
  readonly motoEndpoint: string;
  readonly cas: SandboxCas;
  /** The gateway's records (`gateway.distribution`), source of each origin's OAC/OAI. */
  readonly distributionRecord?: (id: string) => RecordedDistribution | undefined;
  /** Account that owns the distributions (moto's default `123456789012`). */
  readonly accountId?: string;
  /** How long a distribution list stays cached, ms. Default 1000. */
  readonly cacheMs?: number;
  readonly staticSites?: readonly StaticSite[];
  /** Port; default 0 (free). */
  readonly port?: number;
}

/** A running edge. */
export interface Edge {
  /** The loopback port every public host name is routed to. */
  readonly port: number;
  /** Adds or replaces a static site. */
  setStaticSite(site: StaticSite): void;
  removeStaticSite(host: string): void;
  /** Whether the edge answers for `host` right now (S3 forms, static sites, known distributions). */
  serves(host: string): boolean;
  /** Like {@link Edge.serves}, refreshing the distribution list first when the host is unknown. */
  servesFresh(host: string): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Starts the edge on 127.0.0.1.
 * @see docs/sandbox.md for routing and the differences from AWS it compensates.
 */
export async function startEdge(options: StartEdgeOptions): Promise<Edge> {
  const sites = new Map<string, StaticSite>();
  for (const s of options.staticSites ?? []) sites.set(normalizeHost(s.host), s);
  const cloudfront = new CloudFrontClient({
    endpoint: options.motoEndpoint,
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });
  // CloudFront's certificates live in ACM us-east-1.
  const acm = new ACMClient({
    endpoint: options.motoEndpoint,
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });
  const distributions = new DistributionIndex(cloudfront, options.cacheMs ?? 1000);
  const routes: EdgeRoutes = {
    sites,
    s3: new S3Reads(options.motoEndpoint, options.accountId ?? '123456789012'),
    distributions,
    distributionRecord: options.distributionRecord,
    accountId: options.accountId ?? '123456789012',
  };
  const certificates = new EdgeCertificates(options.cas, sites, distributions, acm);
  const fallback = await options.cas.sandbox.issueLeaf({
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });

  const server: Server = createServer(
    {
      key: fallback.keyPem,
      cert: fallback.chainPem,
      SNICallback: (servername, cb) => {
        certificates.contextFor(servername).then(
          (ctx) => {
            cb(null, ctx);
          },
          (err: unknown) => {
            cb(err instanceof Error ? err : new Error(String(err)));
          },
        );
      },
    },
    (req, res) => {
      handleEdgeRequest(routes, req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`stsctl sandbox edge error: ${err instanceof Error ? err.message : String(err)}\n`);
        } else res.destroy();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const servesNow = (host: string): boolean => {
    const h = normalizeHost(host);
    return sites.has(h) || parseS3Host(h) !== undefined || distributions.known(h) !== undefined;
  };

  return {
    port,
    setStaticSite(site) {
      sites.set(normalizeHost(site.host), site);
    },
    removeStaticSite(host) {
      sites.delete(normalizeHost(host));
    },
    serves: servesNow,
    async servesFresh(host) {
      if (servesNow(host)) return true;
      await distributions.refresh().catch(() => undefined);
      return servesNow(host);
    },
    async stop() {
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      server.closeAllConnections();
      await closed;
      cloudfront.destroy();
      acm.destroy();
      routes.s3.destroy();
    },
  };
}
