import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  buildJwks,
  generateRsaKeyPair,
  mintServiceAccountToken,
  readPrivateKeyPem,
  readPublicKeyPem,
  renderDiscoveryDocument,
  renderJwks,
  type MintOptions,
  type PrivateKeyInfo,
} from '../../../../src/core/index.js';
import {
  startStsServer,
  type RunningStsServer,
  type StsLimits,
  type StsLogger,
  type WebIdentityEvaluator,
} from '../../../../src/sts/index.js';
import { createIssuerFetcher } from '../../../../src/net/issuer-fetch.js';
import type { AwsBehaviour } from '../../../../src/webidentity/index.js';
import { startLocalIssuer, type LocalIssuer } from './https-issuer.js';
import { startMoto, type RunningMoto } from './moto.js';

/**
 * The whole chain for STS tests and the benchmark: moto (IAM + other STS actions), a local HTTPS
 * issuer with an RSA-4096 signing key, an IAM OIDC provider and a role trusting one service
 * account, and the validating STS in front of moto.
 */

export const ACCOUNT = '123456789012';
/** moto accepts any credentials while its IAM auth is off (aws-sts-oidc.md §10). */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
export const NAMESPACE = 'openshift-image-registry';
export const SERVICE_ACCOUNT = 'registry';
export const ROLE_NAME = 'stsctl-test-openshift-image-registry-installer-cloud-credentials';

export function trustPolicy(providerHost: string, sub: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${providerHost}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${providerHost}:sub`]: sub } },
      },
    ],
  });
}

export interface StsFixture {
  readonly moto: RunningMoto;
  readonly issuer: LocalIssuer;
  readonly sts: RunningStsServer;
  readonly iam: IAMClient;
  readonly roleArn: string;
  readonly providerArn: string;
  readonly providerHost: string;
  readonly signingKey: PrivateKeyInfo;
  /** A token for the trusted service account unless overridden. */
  mint(overrides?: Partial<MintOptions>): Promise<string>;
  /** Replaces the role's trust policy in moto. */
  setTrustedSubject(sub: string): Promise<void>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly hostname?: string;
  readonly logger?: StsLogger;
  readonly cacheTtlMs?: number;
  readonly issuerCacheTtlMs?: number;
  readonly issuerRefreshCooldownMs?: number;
  readonly clock?: () => Date;
  readonly evaluate?: WebIdentityEvaluator;
  /** Reuse a running moto instead of starting one. */
  readonly moto?: RunningMoto;
  readonly limits?: Partial<StsLimits>;
  readonly behaviour?: AwsBehaviour;
}

export async function startStsFixture(options: FixtureOptions = {}): Promise<StsFixture> {
  const hostname = options.hostname ?? 'stsctl-test-oidc.s3.us-east-1.amazonaws.com';
  const ownMoto = options.moto === undefined;
  const [moto, keyPair] = await Promise.all([options.moto ?? startMoto(), generateRsaKeyPair(4096)]);
  const signingKey = readPrivateKeyPem(keyPair.privateKeyPem);
  const publicKey = readPublicKeyPem(keyPair.publicKeyPem);
  const issuerUrl = `https://${hostname}`;
  const issuer = await startLocalIssuer(hostname, {
    '/.well-known/openid-configuration': renderDiscoveryDocument(issuerUrl),
    '/keys.json': renderJwks(buildJwks([publicKey])),
  });
  const iam = new IAMClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
  });
  const provider = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: issuerUrl,
      ClientIDList: ['openshift', 'sts.amazonaws.com'],
      ThumbprintList: ['0000000000000000000000000000000000000000'],
    }),
  );
  const providerArn = provider.OpenIDConnectProviderArn!;
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: ROLE_NAME,
      AssumeRolePolicyDocument: trustPolicy(
        hostname,
        `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
      ),
    }),
  );
  const sts = await startStsServer({
    region: 'us-east-1',
    iam: { endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS },
    forwardEndpoint: moto.endpoint,
    // The sandbox's fetcher: the test CA plays AWS's CA library, the resolver hook sends the
    // issuer's public-looking name (port 443 in the URL) to the local server.
    issuer: createIssuerFetcher({
      trustedCaPems: [issuer.tls.caPem],
      connectTo: (host) => (host === hostname ? { host: '127.0.0.1', port: issuer.port } : undefined),
    }),
    ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }),
    ...(options.issuerCacheTtlMs === undefined ? {} : { issuerCacheTtlMs: options.issuerCacheTtlMs }),
    ...(options.issuerRefreshCooldownMs === undefined
      ? {}
      : { issuerRefreshCooldownMs: options.issuerRefreshCooldownMs }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.evaluate === undefined ? {} : { evaluate: options.evaluate }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.behaviour === undefined ? {} : { behaviour: options.behaviour }),
  });
  return {
    moto,
    issuer,
    sts,
    iam,
    roleArn: role.Role!.Arn!,
    providerArn,
    providerHost: hostname,
    signingKey,
    mint: (overrides = {}) =>
      mintServiceAccountToken({
        issuer: issuerUrl,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
        privateKey: signingKey.key,
        kid: signingKey.publicKey.kid,
        ...overrides,
      }),
    async setTrustedSubject(sub: string): Promise<void> {
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: ROLE_NAME,
          PolicyDocument: trustPolicy(hostname, sub),
        }),
      );
    },
    async close(): Promise<void> {
      await sts.close();
      await issuer.close();
      iam.destroy();
      if (ownMoto) await moto.stop();
    },
  };
}
