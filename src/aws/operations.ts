import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY, issuerHostPath } from '../core/issuer.js';
import { bucketArn, partitionForRegion, type PartitionId } from '../core/partitions.js';
import { objectTagging, type PolicyDocument, type Tag } from '../core/iam-documents.js';
import type { AwsClients } from './clients.js';
import { IAM_NOT_FOUND, awsCall, awsFailure, isAwsError } from './errors.js';

/**
 * Single-purpose, idempotent AWS operations: the building blocks of provisioning (and of the
 * sandbox demo). Each either succeeds or throws a StsctlError naming what it was doing.
 */

/** Client IDs of the IAM OIDC provider (ccoctl.md §3.5). */
export const CLIENT_IDS = ['openshift', 'sts.amazonaws.com'] as const;

/**
 * The public-read bucket policy: anonymous `s3:GetObject` on the two issuer objects only (not the
 * whole bucket as ccoctl grants), so nothing else put in the bucket becomes public.
 */
export function publicIssuerBucketPolicy(partition: PartitionId, bucket: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowReadPublicAccess',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: [
          `${bucketArn(partition, bucket)}/${DISCOVERY_OBJECT_KEY}`,
          `${bucketArn(partition, bucket)}/${JWKS_OBJECT_KEY}`,
        ],
      },
    ],
  };
}

/** Creates the bucket (LocationConstraint outside us-east-1); an existing bucket of ours is fine. */
export async function ensureBucketExists(
  clients: AwsClients,
  bucket: string,
  region: string,
): Promise<'created' | 'exists'> {
  try {
    await clients.s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    return 'created';
  } catch (e) {
    if (!isAwsError(e, 'BucketAlreadyOwnedByYou')) throw awsFailure(`creating bucket ${bucket}`, e);
    return 'exists';
  }
}

/** Creates the bucket (LocationConstraint outside us-east-1); an existing bucket of ours is fine. */
export async function ensureBucket(
  clients: AwsClients,
  bucket: string,
  region: string,
  tags: readonly Tag[],
): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  try {
    await clients.s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } catch (e) {
    if (!isAwsError(e, 'BucketAlreadyOwnedByYou')) throw awsFailure(`creating bucket ${bucket}`, e);
    outcome = 'exists';
  }
  await awsCall(`tagging bucket ${bucket}`, () =>
    clients.s3.send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
      }),
    ),
  );
  return outcome;
}

/**
 * Makes the two issuer objects publicly readable: ACLs blocked, public policies allowed, and the
 * two-object read policy.
 */
export async function allowPublicIssuerReads(
  clients: AwsClients,
  bucket: string,
  region: string,
): Promise<void> {
  await awsCall(`setting the public-access block of ${bucket}`, () =>
    clients.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      }),
    ),
  );
  await awsCall(`putting the bucket policy of ${bucket}`, () =>
    clients.s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify(publicIssuerBucketPolicy(partitionForRegion(region).id, bucket)),
      }),
    ),
  );
}

/** Removes public access: deletes the bucket policy and blocks all public access. */
export async function makeBucketPrivate(clients: AwsClients, bucket: string): Promise<void> {
  await awsCall(`deleting the bucket policy of ${bucket}`, () =>
    clients.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })),
  );
  await awsCall(`blocking public access to ${bucket}`, () =>
    clients.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    ),
  );
}

/**
 * Uploads one issuer object (`keys.json` or the discovery document) with
 * `Content-Type: application/json` and the ownership tag, so `delete` knows it for ours.
 */
export async function putIssuerObject(
  clients: AwsClients,
  bucket: string,
  name: string,
  key: string,
  body: string,
): Promise<void> {
  await awsCall(`uploading ${key} to ${bucket}`, () =>
    clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        Tagging: objectTagging(name),
      }),
    ),
  );
}

/** Uploads the discovery document and JWKS (see {@link putIssuerObject}). */
export async function putIssuerDocuments(
  clients: AwsClients,
  bucket: string,
  name: string,
  documents: { readonly discovery: string; readonly jwks: string },
): Promise<void> {
  await putIssuerObject(clients, bucket, name, DISCOVERY_OBJECT_KEY, documents.discovery);
  await putIssuerObject(clients, bucket, name, JWKS_OBJECT_KEY, documents.jwks);
}

/**
 * Finds the IAM OIDC provider whose URL is the issuer, or creates it with client IDs `openshift`
 * and `sts.amazonaws.com`. Returns its ARN.
 */
export async function ensureOidcProvider(
  clients: AwsClients,
  issuer: string,
  options: { readonly thumbprints?: readonly string[]; readonly tags?: readonly Tag[] } = {},
): Promise<{ arn: string; created: boolean }> {
  const url = issuerHostPath(issuer);
  const arns: string[] = [];
  // ListOpenIDConnectProviders has no pagination: it returns every provider (at most 100 per account).
  const listed = await awsCall('listing IAM OIDC providers', () =>
    clients.iam.send(new ListOpenIDConnectProvidersCommand({})),
  );
  for (const p of listed.OpenIDConnectProviderList ?? []) if (p.Arn !== undefined) arns.push(p.Arn);
  for (const arn of arns) {
    if (!arn.endsWith(`:oidc-provider/${url}`)) continue;
    const got = await awsCall(`reading ${arn}`, () =>
      clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    );
    if (got.Url === url || got.Url === issuer) return { arn, created: false };
  }
  const created = await awsCall(`creating the IAM OIDC provider for ${issuer}`, () =>
    clients.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: issuer,
        ClientIDList: [...CLIENT_IDS],
        ...(options.thumbprints === undefined ? {} : { ThumbprintList: [...options.thumbprints] }),
        ...(options.tags === undefined
          ? {}
          : { Tags: options.tags.map((t) => ({ Key: t.Key, Value: t.Value })) }),
      }),
    ),
  );
  if (created.OpenIDConnectProviderArn === undefined)
    throw awsFailure('creating the IAM OIDC provider', new Error('no ARN returned'));
  return { arn: created.OpenIDConnectProviderArn, created: true };
}

export interface RoleSpec {
  readonly roleName: string;
  readonly description: string;
  readonly trustPolicy: string;
  readonly permissionsPolicy: string;
  readonly tags: readonly Tag[];
  readonly permissionsBoundaryArn?: string | undefined;
}

/** Creates the role or brings its trust policy up to date, then puts its inline policy (named after the role). */
export async function ensureRole(
  clients: AwsClients,
  spec: RoleSpec,
): Promise<{ arn: string; created: boolean }> {
  let arn: string | undefined;
  let created = false;
  try {
    const got = await clients.iam.send(new GetRoleCommand({ RoleName: spec.roleName }));
    arn = got.Role?.Arn;
    await awsCall(`updating the trust policy of ${spec.roleName}`, () =>
      clients.iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: spec.roleName, PolicyDocument: spec.trustPolicy }),
      ),
    );
  } catch (e) {
    if (!isAwsError(e, ...IAM_NOT_FOUND)) throw awsFailure(`reading role ${spec.roleName}`, e);
    const out = await awsCall(`creating role ${spec.roleName}`, () =>
      clients.iam.send(
        new CreateRoleCommand({
          RoleName: spec.roleName,
          Description: spec.description,
          AssumeRolePolicyDocument: spec.trustPolicy,
          Tags: spec.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
          ...(spec.permissionsBoundaryArn === undefined
            ? {}
            : { PermissionsBoundary: spec.permissionsBoundaryArn }),
        }),
      ),
    );
    arn = out.Role?.Arn;
    created = true;
  }
  await awsCall(`putting the inline policy of ${spec.roleName}`, () =>
    clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: spec.roleName,
        PolicyName: spec.roleName,
        PolicyDocument: spec.permissionsPolicy,
      }),
    ),
  );
  if (arn === undefined) throw awsFailure(`reading role ${spec.roleName}`, new Error('no ARN returned'));
  return { arn, created };
}
