import {
  GetDistributionCommand,
  ListTagsForResourceCommand,
  paginateListDistributions,
  paginateListOriginAccessControls,
} from '@aws-sdk/client-cloudfront';
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import {
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  GetBucketLocationCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { StsctlError } from '../core/errors.js';
import type { Tag } from '../core/iam-documents.js';
import { decodePolicyDocument } from '../webidentity/iam-view.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY, issuerHostPath, s3VirtualHost } from '../core/issuer.js';
import { oidcProviderArn, partitionForRegion } from '../core/partitions.js';
import type { AwsClients } from './clients.js';
import { mapLimit } from './concurrency.js';
import { IAM_NOT_FOUND, awsCall, awsFailure, isAwsError } from './errors.js';
import type {
  Observed,
  ObservedBucket,
  ObservedDistribution,
  ObservedObject,
  ObservedOriginAccessControl,
  ObservedProvider,
  ObservedRole,
  HostingSpec,
  SelfHostedDocuments,
} from './model.js';
import { observeIssuerFunction } from './observe-issuer-function.js';
import { issuerFunctionUrlHost } from './issuer-function.js';
import { ownershipComment, publishedIssuer } from './plan.js';

/**
 * observe → plan → apply: **observe** reads what the account holds for one `--name`. Reads only;
 * every "not found" is data, every other error is a failure naming the call.
 */

function tags(list: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Tag[] {
  return (list ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/** The caller's account id (STS GetCallerIdentity). */
export async function observeAccount(clients: AwsClients): Promise<string> {
  const me = await awsCall('reading the caller identity (sts:GetCallerIdentity)', () =>
    clients.sts.send(new GetCallerIdentityCommand({})),
  );
  if (me.Account === undefined)
    throw new StsctlError('AWS_NO_ACCOUNT', 'sts:GetCallerIdentity returned no account', { kind: 'failure' });
  return me.Account;
}

async function readObject(
  clients: AwsClients,
  bucket: string,
  key: string,
): Promise<ObservedObject | undefined> {
  const obj = await awsCall(
    `reading s3://${bucket}/${key}`,
    () => clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    ['NoSuchKey', 'NotFound'],
  );
  if (obj?.Body === undefined) return undefined;
  return { body: await obj.Body.transformToString('utf8'), contentType: obj.ContentType };
}

/**
 * A bucket's region from GetBucketLocation: an empty LocationConstraint means us-east-1, and the
 * legacy `EU` means eu-west-1 (S3 API reference, GetBucketLocation).
 */
export function bucketRegion(constraint: string | undefined): string {
  if (constraint === undefined || constraint === '') return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/**
 * The issuer bucket: tags, policy, public-access block and the two issuer objects (under
 * `prefix`: a fleet member's `<cluster>/`, src/aws/plan/fleet.ts).
 */
export async function observeBucket(
  clients: AwsClients,
  bucket: string,
  prefix = '',
): Promise<ObservedBucket> {
  const absent: ObservedBucket = {
    name: bucket,
    exists: false,
    tags: [],
    policy: undefined,
    publicAccessBlock: undefined,
    discovery: undefined,
    jwks: undefined,
  };
  let region: string;
  try {
    // GetBucketLocation answers from any region, where HeadBucket answers a bucket of another
    // region with a redirect; its region is what a re-run with another --region must be told.
    const loc = await clients.s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    region = bucketRegion(loc.LocationConstraint);
  } catch (e) {
    if (isAwsError(e, 'NotFound', 'NoSuchBucket')) return absent;
    if (isAwsError(e, 'Forbidden', 'AccessDenied', '403')) {
      throw new StsctlError(
        'BUCKET_NOT_OURS',
        `the bucket ${bucket} exists but this account cannot read it (it may belong to another account: bucket names are global)`,
        {
          kind: 'failure',
          hint: 'choose another --name',
          cause: e,
        },
      );
    }
    throw awsFailure(`locating bucket ${bucket}`, e);
  }
  // In another region the bucket is not read further: the plan refuses the run (BUCKET_REGION_MISMATCH).
  if (region !== clients.region) return { ...absent, exists: true, region };
  const [tagging, policy, pab, discovery, jwks] = await Promise.all([
    awsCall(
      `reading the tags of ${bucket}`,
      () => clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket })),
      ['NoSuchTagSet', 'NoSuchTagSetError'],
    ),
    awsCall(
      `reading the policy of ${bucket}`,
      () => clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
      ['NoSuchBucketPolicy'],
    ),
    awsCall(
      `reading the public-access block of ${bucket}`,
      () => clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
      ['NoSuchPublicAccessBlockConfiguration'],
    ),
    readObject(clients, bucket, `${prefix}${DISCOVERY_OBJECT_KEY}`),
    readObject(clients, bucket, `${prefix}${JWKS_OBJECT_KEY}`),
  ]);
  const c = pab?.PublicAccessBlockConfiguration;
  return {
    name: bucket,
    exists: true,
    region,
    tags: tags(tagging?.TagSet),
    policy: policy?.Policy,
    publicAccessBlock:
      c === undefined
        ? undefined
        : {
            BlockPublicAcls: c.BlockPublicAcls ?? false,
            IgnorePublicAcls: c.IgnorePublicAcls ?? false,
            BlockPublicPolicy: c.BlockPublicPolicy ?? false,
            RestrictPublicBuckets: c.RestrictPublicBuckets ?? false,
          },
    discovery,
    jwks,
  };
}

/** The origin access control named after the bucket (OACs carry no tags; the name marks ours). */
export async function observeOriginAccessControl(
  clients: AwsClients,
  bucket: string,
): Promise<ObservedOriginAccessControl | undefined> {
  return awsCall('listing CloudFront origin access controls', async () => {
    for await (const page of paginateListOriginAccessControls({ client: clients.cloudfront }, {})) {
      for (const item of page.OriginAccessControlList?.Items ?? []) {
        if (item.Name === bucket && item.Id !== undefined)
          return { id: item.Id, name: item.Name, description: item.Description ?? '' };
      }
    }
    return undefined;
  });
}

/**
 * The distribution serving the bucket: found by its origin (or, where list summaries omit origins,
 * by the ownership Comment ccoctl and stsctl set), then read in full.
 */
export async function observeDistribution(
  clients: AwsClients,
  name: string,
  bucket: string,
  region: string,
): Promise<ObservedDistribution | undefined> {
  const originDomain = s3VirtualHost(bucket, region);
  const candidates: string[] = [];
  await awsCall('listing CloudFront distributions', async () => {
    for await (const page of paginateListDistributions({ client: clients.cloudfront }, {})) {
      for (const d of page.DistributionList?.Items ?? []) {
        const origins = d.Origins?.Items ?? [];
        // Real summaries carry the origins; moto's do not (docs/sandbox.md), so a summary without
        // origins is read in full to find out.
        const unknown = origins.length === 0;
        if (
          d.Id !== undefined &&
          (unknown ||
            origins.some((o) => o.DomainName === originDomain) ||
            d.Comment === ownershipComment(name))
        ) {
          candidates.push(d.Id);
        }
      }
    }
  });
  for (const id of candidates) {
    const got = await awsCall(
      `reading CloudFront distribution ${id}`,
      () => clients.cloudfront.send(new GetDistributionCommand({ Id: id })),
      ['NoSuchDistribution'],
    );
    const dist = got?.Distribution;
    const config = dist?.DistributionConfig;
    const origin = config?.Origins?.Items?.find((o) => o.DomainName === originDomain);
    if (dist === undefined || config === undefined || origin === undefined) continue;
    const tagged = await awsCall(`reading the tags of distribution ${id}`, () =>
      clients.cloudfront.send(new ListTagsForResourceCommand({ Resource: dist.ARN })),
    );
    return {
      id: dist.Id ?? id,
      arn: dist.ARN ?? '',
      domainName: dist.DomainName ?? '',
      status: dist.Status ?? '',
      enabled: config.Enabled ?? false,
      comment: config.Comment ?? '',
      aliases: config.Aliases?.Items ?? [],
      originDomain,
      originAccessControlId: origin.OriginAccessControlId ?? '',
      originAccessIdentity: origin.S3OriginConfig?.OriginAccessIdentity ?? '',
      viewerProtocolPolicy: config.DefaultCacheBehavior?.ViewerProtocolPolicy ?? '',
      cachePolicyId: config.DefaultCacheBehavior?.CachePolicyId ?? '',
      acmCertificateArn: config.ViewerCertificate?.ACMCertificateArn,
      tags: tags(tagged.Tags?.Items),
    };
  }
  return undefined;
}

/** The IAM OIDC provider whose URL is `hostPath` (the issuer without https://). */
export async function observeProvider(
  clients: AwsClients,
  hostPath: string,
): Promise<ObservedProvider | undefined> {
  // ListOpenIDConnectProviders has no pagination (at most 100 providers per account).
  const listed = await awsCall('listing IAM OIDC providers', () =>
    clients.iam.send(new ListOpenIDConnectProvidersCommand({})),
  );
  const arn = (listed.OpenIDConnectProviderList ?? [])
    .map((p) => p.Arn ?? '')
    .find((a) => a.endsWith(`:oidc-provider/${hostPath}`));
  if (arn === undefined) return undefined;
  return observeProviderByArn(clients, arn);
}

/** One provider by ARN; undefined when it does not exist. */
export async function observeProviderByArn(
  clients: AwsClients,
  arn: string,
): Promise<ObservedProvider | undefined> {
  const got = await awsCall(
    `reading ${arn}`,
    () => clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    IAM_NOT_FOUND,
  );
  if (got === undefined) return undefined;
  return {
    arn,
    url: (got.Url ?? '').replace(/^https:\/\//, ''),
    clientIds: got.ClientIDList ?? [],
    thumbprints: got.ThumbprintList ?? [],
    tags: tags(got.Tags),
  };
}

/** A role and its inline policy named after it; undefined when the role does not exist. */
export async function observeRole(clients: AwsClients, roleName: string): Promise<ObservedRole | undefined> {
  const got = await awsCall(
    `reading role ${roleName}`,
    () => clients.iam.send(new GetRoleCommand({ RoleName: roleName })),
    IAM_NOT_FOUND,
  );
  const role = got?.Role;
  if (role === undefined) return undefined;
  const inline = await awsCall(
    `reading the inline policy of ${roleName}`,
    () => clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: roleName })),
    IAM_NOT_FOUND,
  );
  return {
    name: roleName,
    arn: role.Arn ?? '',
    description: role.Description ?? '',
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? ''),
    inlinePolicy:
      inline?.PolicyDocument === undefined ? undefined : decodePolicyDocument(inline.PolicyDocument),
    permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn,
    tags: tags(role.Tags),
  };
}

/**
 * A self-hosted issuer's documents, in the shape the plan reads for a bucket (its two objects; no
 * bucket exists, so `exists` stays false and the bucket family is never planned for it).
 */
async function observeSelfHostedDocuments(
  target: ObserveTarget,
  empty: ObservedBucket,
): Promise<ObservedBucket> {
  if (target.documents === undefined)
    throw new StsctlError('ISSUER_UNKNOWN', 'self hosting was asked for without a documents location', {
      kind: 'failure',
    });
  const docs = await target.documents.read();
  return { ...empty, name: target.documents.location, discovery: docs.discovery, jwks: docs.jwks };
}

export interface ObserveTarget {
  readonly name: string;
  readonly region: string;
  readonly bucket: string;
  readonly hosting: HostingSpec['kind'];
  /** A self-hosted issuer's documents (hosting `self`), read instead of a bucket. */
  readonly documents?: SelfHostedDocuments | undefined;
  /** Observe the issuer side (bucket, CloudFront, provider). */
  readonly issuer: boolean;
  /** Issuer host/path when known before observing (public S3, custom domain, or a given provider ARN). */
  readonly issuerHostPath: string | undefined;
  /** The provider ARN given by the user (create-iam-roles). */
  readonly providerArn?: string | undefined;
  readonly roleNames: readonly string[];
  /**
   * `--shared-issuer <fleet>`: the bucket and distribution are the fleet's, the documents are
   * under `<name>/`, and the provider (`<domain>/<name>`) is read by its ARN — never by listing
   * what the fleet holds, so a run costs the same whatever the fleet's size.
   */
  readonly sharedIssuer?: string | undefined;
}

/** Everything the plan needs, read with bounded concurrency. */
export async function observe(clients: AwsClients, target: ObserveTarget): Promise<Observed> {
  const emptyBucket: ObservedBucket = {
    name: target.bucket,
    exists: false,
    tags: [],
    policy: undefined,
    publicAccessBlock: undefined,
    discovery: undefined,
    jwks: undefined,
  };
  const cloudfront = target.issuer && target.hosting === 'cloudfront';
  const fleet = target.sharedIssuer;
  // Everything that does not depend on something else is read at once; only a CloudFront issuer
  // (known from the distribution) delays the provider lookup.
  const providerNow =
    fleet !== undefined
      ? undefined
      : target.providerArn !== undefined
        ? observeProviderByArn(clients, target.providerArn)
        : target.issuerHostPath !== undefined
          ? observeProvider(clients, target.issuerHostPath)
          : undefined;
  const lambda = target.issuer && target.hosting === 'lambda';
  const [accountId, bucket, oac, distribution, roles, earlyProvider, issuerFunction] = await Promise.all([
    observeAccount(clients),
    !target.issuer
      ? Promise.resolve(emptyBucket)
      : target.hosting === 'self'
        ? observeSelfHostedDocuments(target, emptyBucket)
        : observeBucket(clients, target.bucket, fleet === undefined ? '' : `${target.name}/`),
    cloudfront ? observeOriginAccessControl(clients, target.bucket) : Promise.resolve(undefined),
    cloudfront
      ? observeDistribution(clients, fleet ?? target.name, target.bucket, target.region)
      : Promise.resolve(undefined),
    mapLimit(target.roleNames, 8, (n) => observeRole(clients, n)),
    providerNow ?? Promise.resolve(undefined),
    lambda ? observeIssuerFunction(clients, target.bucket, observeRole) : Promise.resolve(undefined),
  ]);
  // A CloudFront or Lambda issuer is known from the distribution or the function URL.
  const hostedAt =
    distribution?.domainName ??
    (issuerFunction?.url === undefined ? undefined : issuerFunctionUrlHost(issuerFunction.url.url));
  // A fleet member's issuer is `<domain>/<name>`: its provider's ARN is known from it.
  const fleetHostPath =
    fleet === undefined
      ? undefined
      : (target.issuerHostPath ??
        (distribution === undefined ? undefined : `${distribution.domainName}/${target.name}`));
  const provider =
    fleet !== undefined
      ? fleetHostPath === undefined
        ? undefined
        : await observeProviderByArn(
            clients,
            oidcProviderArn(partitionForRegion(target.region).id, accountId, fleetHostPath),
          )
      : providerNow !== undefined
        ? earlyProvider
        : hostedAt === undefined
          ? undefined
          : await observeProvider(clients, hostedAt);
  // The provider of the issuer published today, when the run leads elsewhere (a migration).
  const published = publishedIssuer(bucket.discovery?.body);
  const current = fleetHostPath ?? target.issuerHostPath ?? hostedAt;
  const publishedIssuerProvider =
    published === undefined || issuerHostPath(published) === current || target.providerArn !== undefined
      ? undefined
      : await observeProvider(clients, issuerHostPath(published));
  return {
    accountId,
    bucket,
    originAccessControl: oac,
    distribution,
    provider,
    roles: new Map(target.roleNames.map((n, i) => [n, roles[i]])),
    ...(publishedIssuerProvider === undefined ? {} : { publishedIssuerProvider }),
    ...(issuerFunction === undefined ? {} : { issuerFunction }),
  };
}
