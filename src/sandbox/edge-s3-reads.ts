import { request as httpRequest, type IncomingMessage } from 'node:http';
import { buffer } from 'node:stream/consumers';
import {
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { effectiveBlock } from './block-public-access.js';
import { evaluateBucketPolicy, isPublicPolicy, type S3Requester } from './bucket-policy.js';
import { accessDenied, encodeKey, s3Error, s3RequestIds, type Answer } from './edge-answer.js';

/** Credentials for moto, which accepts any while its IAM authorization is off. */
export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIASANDBOXEDGE00000',
  secretAccessKey: 'sandbox-edge-not-a-secret',
};

/** Moto's object headers worth passing on; the rest are moto internals (e.g. `x-amz-content-sha256`). */
const OBJECT_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'accept-ranges',
  'cache-control',
  'content-encoding',
];

function errorName(err: unknown): string {
  return err instanceof S3ServiceException ? err.name : err instanceof Error ? err.name : 'Error';
}

/** What S3 access decisions depend on, read from moto for one bucket. */
interface BucketState {
  readonly policy: string | undefined;
  readonly bpa: PublicAccessBlockConfiguration | undefined;
  readonly ownership: string | undefined;
}

/**
 * S3 reads as the internet sees them: moto's answer, tightened where moto is more permissive
 * than AWS (Block Public Access, principals, ACLs, missing keys).
 */
export class S3Reads {
  readonly #moto: URL;
  readonly #motoEndpoint: string;
  readonly #accountId: string;
  readonly #clients = new Map<string, S3Client>();
  readonly #s3control: S3ControlClient;

  constructor(motoEndpoint: string, accountId: string) {
    this.#moto = new URL(motoEndpoint);
    this.#motoEndpoint = motoEndpoint;
    this.#accountId = accountId;
    // S3 Control puts the account id in front of the endpoint's host; moto answers on its own host.
    this.#s3control = new S3ControlClient({
      region: 'us-east-1',
      endpointProvider: () => ({ url: new URL(motoEndpoint) }),
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
    });
  }

  /** One S3 client per region, created on first use. */
  #s3(region: string): S3Client {
    let c = this.#clients.get(region);
    if (c === undefined) {
      c = new S3Client({
        endpoint: this.#motoEndpoint,
        region,
        forcePathStyle: true,
        credentials: FAKE_CREDENTIALS,
        maxAttempts: 1,
      });
      this.#clients.set(region, c);
    }
    return c;
  }

  async #bucketState(bucket: string, region: string): Promise<BucketState> {
    const client = this.#s3(region);
    const policy = client.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
      (r) => r.Policy,
      () => undefined,
    );
    const bpa = client.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
      (r) => r.PublicAccessBlockConfiguration,
      () => undefined,
    );
    const accountBpa = this.#s3control
      .send(new GetAccountPublicAccessBlockCommand({ AccountId: this.#accountId }))
      .then(
        (r) => r.PublicAccessBlockConfiguration,
        () => undefined,
      );
    const ownership = client.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })).then(
      (r) => r.OwnershipControls?.Rules?.[0]?.ObjectOwnership,
      () => undefined,
    );
    return {
      policy: await policy,
      bpa: effectiveBlock(await bpa, await accountBpa),
      ownership: await ownership,
    };
  }

  /** The bucket's region, or undefined when the bucket does not exist. */
  async bucketRegion(bucket: string): Promise<string | undefined> {
    try {
      const r = await this.#s3('us-east-1').send(new GetBucketLocationCommand({ Bucket: bucket }));
      // An empty LocationConstraint means us-east-1 (S3 API reference, GetBucketLocation).
      return r.LocationConstraint === undefined || (r.LocationConstraint as string) === ''
        ? 'us-east-1'
        : r.LocationConstraint;
    } catch {
      return undefined;
    }
  }

  /** Unsigned GET on moto, path style, so moto's own anonymous-access check runs. */
  #anonymousMotoGet(bucket: string, key: string, method: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        hostname: this.#moto.hostname,
        port: this.#moto.port,
        method,
        path: `/${encodeURIComponent(bucket)}/${encodeKey(key)}`,
      });
      req.on('response', (res: IncomingMessage) => {
        buffer(res).then((body) => {
          const headers: Record<string, string> = {};
          for (const name of OBJECT_HEADERS) {
            const v = res.headers[name];
            if (typeof v === 'string') headers[name] = v;
          }
          resolve({ status: res.statusCode ?? 502, headers, body });
        }, reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Whether AWS would let `requester` list the bucket (which turns a missing key's 403 into 404). */
  #mayList(policy: string | undefined, requester: S3Requester, bucket: string): boolean {
    return evaluateBucketPolicy(policy, requester, 's3:ListBucket', `arn:aws:s3:::${bucket}`) === 'allow';
  }

  /** An anonymous read as S3 answers it on the internet. */
  async anonymous(bucket: string, key: string, method: string): Promise<Answer> {
    const moto = await this.#anonymousMotoGet(bucket, key, method);
    if (moto.status === 404 && /NoSuchBucket/.test(moto.body.toString('utf8'))) {
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
    if (moto.status === 403) return accessDenied(); // moto's 403 has an empty text/html body
    const state = await this.#bucketState(bucket, 'us-east-1');
    const restrict = state.bpa?.RestrictPublicBuckets === true && isPublicPolicy(state.policy);
    const policyDecision = restrict
      ? 'neutral'
      : evaluateBucketPolicy(
          state.policy,
          { kind: 'anonymous' },
          's3:GetObject',
          `arn:aws:s3:::${bucket}/${key}`,
        );
    if (policyDecision === 'deny') return accessDenied();
    if (moto.status === 404) {
      // AWS: without s3:ListBucket a missing key is 403 AccessDenied, not 404 (GetObject docs).
      return !restrict && this.#mayList(state.policy, { kind: 'anonymous' }, bucket)
        ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
        : accessDenied();
    }
    if (moto.status !== 200)
      return { ...moto, headers: { ...moto.headers, server: 'AmazonS3', ...s3RequestIds() } };
    let allowed = policyDecision === 'allow';
    if (!allowed && state.bpa?.IgnorePublicAcls !== true && state.ownership !== 'BucketOwnerEnforced') {
      // moto allowed it without a policy grant: only an AllUsers READ ACL justifies that on AWS.
      const acl = await this.#s3('us-east-1')
        .send(new GetObjectAclCommand({ Bucket: bucket, Key: key }))
        .catch(() => undefined);
      allowed = (acl?.Grants ?? []).some(
        (g) =>
          g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' &&
          (g.Permission === 'READ' || g.Permission === 'FULL_CONTROL'),
      );
    }
    if (!allowed) return accessDenied();
    return {
      status: 200,
      headers: { ...moto.headers, server: 'AmazonS3', ...s3RequestIds() },
      body: moto.body,
    };
  }

  /** A read by CloudFront with OAC or an OAI: policy evaluated here, object read with credentials. */
  async signed(bucket: string, key: string, requester: S3Requester): Promise<Answer> {
    const state = await this.#bucketState(bucket, 'us-east-1');
    const decision = evaluateBucketPolicy(
      state.policy,
      requester,
      's3:GetObject',
      `arn:aws:s3:::${bucket}/${key}`,
    );
    if (decision !== 'allow') return accessDenied();
    try {
      const obj = await this.#s3('us-east-1').send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from((await obj.Body?.transformToByteArray()) ?? new Uint8Array());
      const headers: Record<string, string> = { server: 'AmazonS3', ...s3RequestIds() };
      if (obj.ContentType !== undefined) headers['content-type'] = obj.ContentType;
      if (obj.ETag !== undefined) headers['etag'] = obj.ETag;
      if (obj.LastModified !== undefined) headers['last-modified'] = obj.LastModified.toUTCString();
      return { status: 200, headers, body };
    } catch (err) {
      const name = errorName(err);
      if (name === 'NoSuchKey') {
        return this.#mayList(state.policy, requester, bucket)
          ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
          : accessDenied();
      }
      if (name === 'NoSuchBucket')
        return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
      throw err;
    }
  }

  /** Releases the SDK clients. */
  destroy(): void {
    this.#s3control.destroy();
    for (const c of this.#clients.values()) c.destroy();
  }
}
