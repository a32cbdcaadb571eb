import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EnvironmentProxyAgent, proxyConfigured } from '../net/proxy.js';
import { awsFailure } from './errors.js';

/** Static credentials (the sandbox's fake ones, or a caller's). */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * AWS SDK v3 clients, built the way their authors intend: the standard credential chain (env,
 * profiles, SSO, web identity, IMDS) unless credentials are given, `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>` honoured by the SDK itself, one client per service and region.
 */
export interface AwsClientOptions {
  readonly region: string;
  /** Explicit endpoint for every service (the sandbox); otherwise the SDK resolves it. */
  readonly endpoint?: string;
  /** Per-service endpoints, winning over `endpoint`. */
  readonly endpoints?: Partial<Record<'s3' | 'iam' | 'cloudfront' | 'sts' | 'lambda', string>>;
  readonly credentials?: StaticCredentials;
  /** Named profile from the shared config files. */
  readonly profile?: string;
  readonly maxAttempts?: number;
}

export interface AwsClients {
  readonly region: string;
  readonly s3: S3Client;
  readonly iam: IAMClient;
  readonly cloudfront: CloudFrontClient;
  readonly sts: STSClient;
  /** ACM in us-east-1, the only region whose certificates CloudFront uses. */
  readonly acm: ACMClient;
  /** Lambda's control plane (`--hosting lambda`), in `region`. */
  readonly lambda: LambdaClient;
  destroy(): void;
}

function endpointFor(
  options: AwsClientOptions,
  service: 's3' | 'iam' | 'cloudfront' | 'sts' | 'lambda',
): string | undefined {
  return options.endpoints?.[service] ?? options.endpoint;
}

/** Whether S3 is reached through an endpoint override (emulators need path-style addressing). */
function s3EndpointOverridden(options: AwsClientOptions, env: NodeJS.ProcessEnv): boolean {
  return (
    endpointFor(options, 's3') !== undefined ||
    env['AWS_ENDPOINT_URL_S3'] !== undefined ||
    env['AWS_ENDPOINT_URL'] !== undefined
  );
}

/**
 * The SDK's request handler when `HTTPS_PROXY` / `HTTP_PROXY` are set (the SDK for JavaScript v3
 * does not read them itself): every request goes through the proxy its URL calls for, `NO_PROXY`
 * honoured. Without proxy variables the SDK keeps its own handler.
 */
export function proxyRequestHandler(
  env: NodeJS.ProcessEnv,
): { requestHandler: NodeHttpHandler; agent: EnvironmentProxyAgent } | undefined {
  if (!proxyConfigured(env)) return undefined;
  const agent = new EnvironmentProxyAgent(env);
  return { requestHandler: new NodeHttpHandler({ httpAgent: agent, httpsAgent: agent }), agent };
}

export function createAwsClients(
  options: AwsClientOptions,
  env: NodeJS.ProcessEnv = process.env,
): AwsClients {
  const proxied = proxyRequestHandler(env);
  const common = {
    ...(proxied === undefined ? {} : { requestHandler: proxied.requestHandler }),
    region: options.region,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  const withEndpoint = (service: 's3' | 'iam' | 'cloudfront' | 'sts' | 'lambda'): { endpoint?: string } => {
    const e = endpointFor(options, service);
    return e === undefined ? {} : { endpoint: e };
  };
  const s3 = new S3Client({
    ...common,
    ...withEndpoint('s3'),
    forcePathStyle: s3EndpointOverridden(options, env),
  });
  // IAM and CloudFront are global services signed in us-east-1 (aws partition).
  const iam = new IAMClient({ ...common, ...withEndpoint('iam') });
  const cloudfront = new CloudFrontClient({ ...common, ...withEndpoint('cloudfront') });
  const sts = new STSClient({ ...common, ...withEndpoint('sts') });
  // CloudFront only accepts ACM certificates from us-east-1, whatever the bucket's region.
  const acm = new ACMClient({
    ...common,
    region: 'us-east-1',
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  });
  // Lambda is regional: its control plane is in the bucket's region, where the function lives.
  const lambda = new LambdaClient({ ...common, ...withEndpoint('lambda') });
  return {
    region: options.region,
    s3,
    iam,
    cloudfront,
    sts,
    acm,
    lambda,
    destroy() {
      s3.destroy();
      iam.destroy();
      cloudfront.destroy();
      sts.destroy();
      acm.destroy();
      lambda.destroy();
      proxied?.agent.destroy();
    },
  };
}

/**
 * Resolves the credentials the clients will sign with, so a command without credentials fails at
 * once with one clear error (`AWS_CREDENTIALS`) instead of a failure per resource it tried to read.
 * The SDK's provider chain raises `CredentialsProviderError` when no source answers.
 */
export async function requireCredentials(clients: AwsClients): Promise<void> {
  try {
    await clients.iam.config.credentials();
  } catch (e) {
    throw awsFailure('finding AWS credentials', e);
  }
}
