import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StsctlError } from '../core/errors.js';
import { createAwsClients, type AwsClients, type StaticCredentials } from '../aws/clients.js';
import { createIssuerFetcher } from '../net/issuer-fetch.js';
import { startStsServer, type RunningStsServer, type StsLogger } from '../sts/server.js';
import type { AwsBehaviour } from '../webidentity/behaviour.js';
import type { IssuerView } from '../webidentity/types.js';
import { createSandboxCas, saveSandboxCas, type SandboxCas } from './ca.js';
import { startEdge, type Edge, type StaticSite } from './edge.js';
import { startGateway, type Gateway } from './gateway.js';
import { createFunctionUrlHosts, type FunctionUrlHosts } from './function-urls.js';
import { HostRoutes } from './host-routes.js';
import { iamWriteHooks } from './iam-writes.js';
import { startMoto, type MotoServer } from './moto.js';
import { createSandboxResolver, type SandboxResolver } from './resolver.js';

/**
 * The whole sandbox in one call: moto_server, the gateway in front of it (`AWS_ENDPOINT_URL`), the
 * HTTPS edge playing the public internet, and the validating STS (`AWS_ENDPOINT_URL_STS`) that
 * fetches issuers through the edge and reads IAM from moto. See docs/sandbox.md.
 */

/** Fake credentials: moto accepts any; they only shape SigV4 headers. Not a secret. */
export const SANDBOX_CREDENTIALS: StaticCredentials = {
  accessKeyId: 'AKIASANDBOXEXAMPLE00',
  secretAccessKey: 'sandbox-secret-access-key-not-a-secret',
};

/** moto's default account, which owns everything created in the sandbox. */
export const SANDBOX_ACCOUNT_ID = '123456789012';

export interface SandboxOptions {
  /** Default region of clients and of `env()`; default us-east-1. */
  readonly region?: string;
  /** Where CA files are saved (for `AWS_CA_BUNDLE`); none when absent. */
  readonly stateDir?: string;
  readonly staticSites?: readonly StaticSite[];
  /** How long CloudFront distributions report `InProgress` after a change, ms (default 0). */
  readonly inProgressMs?: number;
  readonly stsLogger?: StsLogger;
  readonly clock?: () => Date;
  /**
   * TTL of the validating STS's cached issuer documents, ms. Default 5000: short, so that a change
   * made while experimenting (a bucket made private, a new key) shows within seconds. AWS's own
   * cache lifetime is undocumented (aws-sts-oidc.md §3.3).
   */
  readonly issuerCacheTtlMs?: number;
  /**
   * The validating STS's budget for discovery + JWKS, ms (default: AWS's 5 s). Tests that are
   * not about that budget raise it, so a loaded machine cannot turn them into timeouts.
   */
  readonly fetchBudgetMs?: number;
  /**
   * Which AWS the validating STS answers as: `'2026-11'` (AWS today, default) or `'2025-12'`
   * (before the 2026 changes; src/webidentity/behaviour.ts, docs/validating-sts.md).
   */
  readonly behaviour?: AwsBehaviour;
  /**
   * IAM propagation delay rehearsed on purpose, ms (default 0). With 0, every IAM write through
   * the gateway is visible to the validating STS at once; with N, a write shows to STS N ms after
   * it was made (docs/sandbox.md, "IAM writes").
   */
  readonly iamPropagationMs?: number;
}

export interface SandboxEndpoints {
  /** The gateway: S3, IAM, CloudFront (and every other service) — `AWS_ENDPOINT_URL`. */
  readonly aws: string;
  /** The validating STS — `AWS_ENDPOINT_URL_STS`. */
  readonly sts: string;
  /** moto itself, behind the gateway. */
  readonly moto: string;
  /** The HTTPS edge's loopback port: every public host name (issuers) routes here. */
  readonly edgePort: number;
}

export interface Sandbox {
  readonly region: string;
  readonly accountId: string;
  readonly endpoints: SandboxEndpoints;
  readonly credentials: StaticCredentials;
  readonly cas: SandboxCas;
  /** PEM file of the sandbox root CA ("AWS's trusted CA library"), when `stateDir` was given. */
  readonly caBundlePath: string | undefined;
  readonly moto: MotoServer;
  readonly gateway: Gateway;
  readonly edge: Edge;
  readonly sts: RunningStsServer;
  readonly resolver: SandboxResolver;
  /** Hosts served by a server of their own (a self-hosted issuer), not the edge. */
  readonly hostRoutes: HostRoutes;
  /** Lambda function URL hosts, answered by stsctl's issuer function run in-process (function-urls.ts). */
  readonly functionUrls: FunctionUrlHosts;
  /** Fetches issuer URLs the way STS does, from "the internet" of the sandbox. */
  readonly issuerFetcher: IssuerView;
  /** The environment that points AWS clients at the sandbox. */
  env(): Record<string, string>;
  /** SDK clients on the sandbox (STS = the validating STS); stopped with the sandbox. */
  clients(region?: string, options?: { maxAttempts?: number }): AwsClients;
  stop(): Promise<void>;
}

/** The `export` lines of `stsctl sandbox env`, from a sandbox's endpoints. */
export function sandboxEnvironment(
  endpoints: SandboxEndpoints,
  region: string,
  caBundlePath: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoints.aws,
    AWS_ENDPOINT_URL_STS: endpoints.sts,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    STSCTL_SANDBOX_EDGE: `127.0.0.1:${endpoints.edgePort}`,
  };
  if (caBundlePath !== undefined) {
    env['AWS_CA_BUNDLE'] = caBundlePath;
    env['STSCTL_SANDBOX_CA_BUNDLE'] = caBundlePath;
  }
  return env;
}

/** Starts every piece on free loopback ports; stops what it started if any piece fails. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const region = options.region ?? 'us-east-1';
  const iamPropagationMs = options.iamPropagationMs ?? 0;
  if (!Number.isInteger(iamPropagationMs) || iamPropagationMs < 0) {
    throw new StsctlError(
      'SANDBOX_OPTION_INVALID',
      `iamPropagationMs ${String(iamPropagationMs)}: expected a whole number of milliseconds, 0 or more`,
    );
  }
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    const [moto, cas] = await Promise.all([startMoto(), createSandboxCas()]);
    started.push(moto);
    let caBundlePath: string | undefined;
    if (options.stateDir !== undefined) {
      const caDir = join(options.stateDir, 'ca');
      await mkdir(caDir, { recursive: true, mode: 0o700 });
      await saveSandboxCas(cas, caDir);
      caBundlePath = join(options.stateDir, 'ca-bundle.pem');
      await writeFile(caBundlePath, cas.sandbox.rootPem, { mode: 0o644 });
    }
    const gateway = await startGateway({
      target: moto.endpoint,
      inProgressMs: options.inProgressMs ?? 0,
      accountId: SANDBOX_ACCOUNT_ID,
    });
    started.push(gateway);
    const edge = await startEdge({
      motoEndpoint: moto.endpoint,
      cas,
      distributionRecord: (id) => gateway.distribution(id),
      accountId: SANDBOX_ACCOUNT_ID,
      staticSites: options.staticSites ?? [],
    });
    started.push(edge);
    const hostRoutes = new HostRoutes();
    const routed = hostRoutes.wrap(createSandboxResolver(edge));
    const functionUrlClients = createAwsClients(
      { region, endpoint: gateway.endpoint, credentials: SANDBOX_CREDENTIALS },
      {},
    );
    const functionUrls = createFunctionUrlHosts({
      clients: functionUrlClients,
      ca: cas.sandbox,
      hostRoutes,
      accountId: SANDBOX_ACCOUNT_ID,
    });
    started.push({
      stop: async () => {
        await functionUrls.stop();
        functionUrlClients.destroy();
      },
    });
    // A function URL host is looked up in moto when resolved, so a URL made a moment ago resolves.
    const resolver: SandboxResolver = {
      connectTo: async (host, port) => {
        if (port === 443) await functionUrls.ensure(host);
        return routed.connectTo(host, port);
      },
      connectToSync: routed.connectToSync,
    };
    const issuerFetcher = createIssuerFetcher({
      trustedCaPems: [cas.sandbox.rootPem],
      connectTo: resolver.connectTo,
    });
    const sts = await startStsServer({
      region,
      iam: { endpoint: moto.endpoint, credentials: SANDBOX_CREDENTIALS },
      forwardEndpoint: moto.endpoint,
      issuer: issuerFetcher,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.stsLogger === undefined ? {} : { logger: options.stsLogger }),
      issuerCacheTtlMs: options.issuerCacheTtlMs ?? 5000,
      ...(options.fetchBudgetMs === undefined ? {} : { fetchBudgetMs: options.fetchBudgetMs }),
      ...(options.behaviour === undefined ? {} : { behaviour: options.behaviour }),
    });
    started.push({ stop: () => sts.close() });
    gateway.setIamWriteHooks(iamWriteHooks(sts, SANDBOX_ACCOUNT_ID, iamPropagationMs));
    const endpoints: SandboxEndpoints = {
      aws: gateway.endpoint,
      sts: sts.url,
      moto: moto.endpoint,
      edgePort: edge.port,
    };
    const made: AwsClients[] = [];
    return {
      region,
      accountId: SANDBOX_ACCOUNT_ID,
      endpoints,
      credentials: SANDBOX_CREDENTIALS,
      cas,
      caBundlePath,
      moto,
      gateway,
      edge,
      sts,
      resolver,
      hostRoutes,
      functionUrls,
      issuerFetcher,
      env: () => sandboxEnvironment(endpoints, region, caBundlePath),
      clients(clientRegion = region, clientOptions = {}) {
        const c = createAwsClients(
          {
            region: clientRegion,
            ...(clientOptions.maxAttempts === undefined ? {} : { maxAttempts: clientOptions.maxAttempts }),
            // Every other service (ACM, …) goes to moto through the gateway too.
            endpoint: gateway.endpoint,
            endpoints: {
              s3: gateway.endpoint,
              iam: gateway.endpoint,
              cloudfront: gateway.endpoint,
              sts: sts.url,
            },
            credentials: SANDBOX_CREDENTIALS,
          },
          {},
        );
        made.push(c);
        return c;
      },
      async stop() {
        for (const c of made) c.destroy();
        await stopAll();
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
