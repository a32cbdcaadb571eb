import {
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import {
  evaluateS3Access,
  type S3AccessDecision,
  type S3AccessInput,
  type S3AclGrant,
  type S3ObjectOwnership,
  type S3PublicAccessBlock,
  type S3Requester,
} from '../core/s3-access.js';
import { accessDenied, s3Error, s3RequestIds, type Answer } from './edge-answer.js';

/** Credentials for moto, which accepts any while its IAM authorization is off. */
export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIASANDBOXEDGE00000',
  secretAccessKey: 'sandbox-edge-not-a-secret',
};

function errorName(err: unknown): string {
  return err instanceof S3ServiceException ? err.name : err instanceof Error ? err.name : 'Error';
}

/** What S3 access decisions depend on, read from moto (signed) for one bucket. */
interface BucketState {
  readonly policy: string | undefined;
  readonly bucketPublicAccessBlock: S3PublicAccessBlock | undefined;
  readonly accountPublicAccessBlock: S3PublicAccessBlock | undefined;
  readonly objectOwnership: S3ObjectOwnership | undefined;
  readonly bucketAcl: readonly S3AclGrant[] | undefined;
}

/** An object as moto holds it, or why there is none. */
type ObjectRead =
  | { readonly kind: 'object'; readonly out: GetObjectCommandOutput; readonly body: Buffer }
  | { readonly kind: 'no-such-key' }
  | { readonly kind: 'no-such-bucket' };

/**
 * S3 reads as AWS authorizes them. moto's own access check is wrong in both directions for
 * anonymous callers (docs/sandbox.md "Differences from AWS" 2–4; pinned by
 * test/integration/s3-access/moto-differential.test.ts), so it is not consulted at all: the state
 * that decides (bucket policy, object and bucket ACLs, Object Ownership, bucket and account Block
 * Public Access, whether the key exists) is read from moto with signed calls, and the one S3
 * evaluator (`src/core/s3-access.ts`) decides. The edge (anonymous readers, CloudFront with OAC or
 * an OAI) and the gateway (unsigned requests on `AWS_ENDPOINT_URL`) both read through this class.
 */
export class S3Reads {
  readonly #motoEndpoint: string;
  readonly #accountId: string;
  readonly #clients = new Map<string, S3Client>();
  readonly #s3control: S3ControlClient;

  constructor(motoEndpoint: string, accountId: string) {
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

  async #bucketState(bucket: string): Promise<BucketState> {
    const client = this.#s3('us-east-1');
    // A missing configuration (NoSuchBucketPolicy, NoSuchPublicAccessBlockConfiguration,
    // OwnershipControlsNotFoundError) is "none": each read falls back to undefined.
    const quiet = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);
    const [policy, bpa, accountBpa, ownership, acl] = await Promise.all([
      quiet(client.send(new GetBucketPolicyCommand({ Bucket: bucket }))),
      quiet(client.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))),
      quiet(this.#s3control.send(new GetAccountPublicAccessBlockCommand({ AccountId: this.#accountId }))),
      quiet(client.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))),
      quiet(client.send(new GetBucketAclCommand({ Bucket: bucket }))),
    ]);
    return {
      policy: policy?.Policy,
      bucketPublicAccessBlock: bpa?.PublicAccessBlockConfiguration,
      accountPublicAccessBlock: accountBpa?.PublicAccessBlockConfiguration,
      // The SDK's ObjectOwnership enum has exactly the evaluator's three values.
      objectOwnership: ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership,
      bucketAcl: acl?.Grants,
    };
  }

  async #readObject(bucket: string, key: string): Promise<ObjectRead> {
    try {
      const out = await this.#s3('us-east-1').send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
      return { kind: 'object', out, body };
    } catch (err) {
      const name = errorName(err);
      if (name === 'NoSuchKey') return { kind: 'no-such-key' };
      if (name === 'NoSuchBucket') return { kind: 'no-such-bucket' };
      throw err;
    }
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

  /** Runs the evaluator; a stored policy it cannot parse decides nothing but a 403. */
  #evaluate(input: S3AccessInput): S3AccessDecision | undefined {
    try {
      return evaluateS3Access(input);
    } catch {
      return undefined;
    }
  }

  /**
   * S3's decision for `s3:ListBucket` on `bucket` by `requester` (undefined when the bucket does
   * not exist), e.g. for an unsigned `GET /<bucket>` on the gateway.
   */
  async listing(requester: S3Requester, bucket: string): Promise<S3AccessDecision | undefined> {
    if ((await this.bucketRegion(bucket)) === undefined) return undefined;
    const state = await this.#bucketState(bucket);
    return this.#evaluate({
      requester,
      action: 's3:ListBucket',
      bucket,
      ...this.#stateInput(state),
    });
  }

  #stateInput(state: BucketState): Partial<S3AccessInput> {
    return {
      bucketOwnerAccountId: this.#accountId,
      ...(state.policy === undefined ? {} : { policy: state.policy }),
      ...(state.bucketAcl === undefined ? {} : { bucketAcl: state.bucketAcl }),
      ...(state.objectOwnership === undefined ? {} : { objectOwnership: state.objectOwnership }),
      ...(state.bucketPublicAccessBlock === undefined
        ? {}
        : { bucketPublicAccessBlock: state.bucketPublicAccessBlock }),
      ...(state.accountPublicAccessBlock === undefined
        ? {}
        : { accountPublicAccessBlock: state.accountPublicAccessBlock }),
    };
  }

  /**
   * A `GetObject` (or HEAD) by `requester` as S3 answers it: 404 `NoSuchBucket`; 403 AccessDenied
   * unless the evaluator allows; 404 `NoSuchKey` only to a requester that may list the bucket; else
   * the object with S3's headers.
   * @param requester anonymous (STS on the internet, unsigned calls), CloudFront's OAC service
   *   principal, or an OAI.
   */
  async read(requester: S3Requester, bucket: string, key: string): Promise<Answer> {
    const object = await this.#readObject(bucket, key);
    if (object.kind === 'no-such-bucket') {
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
    const state = await this.#bucketState(bucket);
    const objectAcl =
      object.kind === 'object'
        ? await this.#s3('us-east-1')
            .send(new GetObjectAclCommand({ Bucket: bucket, Key: key }))
            .then(
              (r) => r.Grants,
              () => undefined,
            )
        : undefined;
    const decision = this.#evaluate({
      requester,
      action: 's3:GetObject',
      bucket,
      key,
      objectExists: object.kind === 'object',
      ...(objectAcl === undefined ? {} : { objectAcl }),
      ...this.#stateInput(state),
    });
    if (decision === undefined || decision.status === 403) return accessDenied();
    if (decision.status === 404 || object.kind !== 'object') {
      return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    }
    const { out, body } = object;
    const headers: Record<string, string> = { server: 'AmazonS3', ...s3RequestIds() };
    if (out.ContentType !== undefined) headers['content-type'] = out.ContentType;
    if (out.ETag !== undefined) headers['etag'] = out.ETag;
    if (out.LastModified !== undefined) headers['last-modified'] = out.LastModified.toUTCString();
    if (out.CacheControl !== undefined) headers['cache-control'] = out.CacheControl;
    if (out.ContentEncoding !== undefined) headers['content-encoding'] = out.ContentEncoding;
    headers['accept-ranges'] = 'bytes';
    return { status: 200, headers, body };
  }

  /** Releases the SDK clients. */
  destroy(): void {
    this.#s3control.destroy();
    for (const c of this.#clients.values()) c.destroy();
  }
}
