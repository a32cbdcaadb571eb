import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { createSandboxCas, type SandboxCas } from '../../src/sandbox/ca.js';
import { startEdge, type Edge, type StaticSite } from '../../src/sandbox/edge.js';
import { startGateway, type Gateway } from '../../src/sandbox/gateway.js';
import { startMoto, type MotoServer } from '../../src/sandbox/moto.js';
import { createSandboxResolver, type SandboxResolver } from '../../src/sandbox/resolver.js';

/** Fake credentials: moto accepts any; they only shape the SigV4 header. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };

/** moto + gateway + edge + CAs + resolver, started for one test file. */
export interface SandboxParts {
  readonly moto: MotoServer;
  readonly gateway: Gateway;
  readonly edge: Edge;
  readonly cas: SandboxCas;
  readonly resolver: SandboxResolver;
  /** An S3 client on the gateway (path style, as the sandbox endpoint is an IP). */
  s3(options?: { maxAttempts?: number }): S3Client;
  cloudfront(options?: { maxAttempts?: number }): CloudFrontClient;
  stop(): Promise<void>;
}

/** Starts every sandbox piece on free loopback ports. */
export async function startSandboxParts(
  options: { staticSites?: readonly StaticSite[] } = {},
): Promise<SandboxParts> {
  const [moto, cas] = await Promise.all([startMoto(), createSandboxCas()]);
  const clients: { destroy(): void }[] = [];
  try {
    const gateway = await startGateway({ target: moto.endpoint });
    const edge = await startEdge({
      motoEndpoint: moto.endpoint,
      cas,
      distributionRecord: (id) => gateway.distribution(id),
      staticSites: options.staticSites ?? [],
    });
    const resolver = createSandboxResolver(edge);
    return {
      moto,
      gateway,
      edge,
      cas,
      resolver,
      s3(o = {}) {
        const c = new S3Client({
          endpoint: gateway.endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          credentials: TEST_CREDENTIALS,
          maxAttempts: o.maxAttempts ?? 3,
        });
        clients.push(c);
        return c;
      },
      cloudfront(o = {}) {
        const c = new CloudFrontClient({
          endpoint: gateway.endpoint,
          region: 'us-east-1',
          credentials: TEST_CREDENTIALS,
          maxAttempts: o.maxAttempts ?? 3,
        });
        clients.push(c);
        return c;
      },
      async stop() {
        for (const c of clients) c.destroy();
        await edge.stop();
        await gateway.stop();
        await moto.stop();
      },
    };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}
