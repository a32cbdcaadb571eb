import { bucketArn, partitionForRegion } from '../../core/partitions.js';
import type { Desired, HostingSpec, PublicAccessBlock } from '../model.js';
import { publicIssuerBucketPolicy } from '../operations.js';
import { change, jsonFields, tagField } from './fields.js';
import { fleetBucketPolicy, sharedIssuerOf } from './fleet.js';
import { KNOWN_AFTER_APPLY, type Change, type PlanContext } from './types.js';

/** The issuer bucket's family: the bucket (tags), its public-access block and its policy. Pure. */

/**
 * The public-access block each hosting needs: public reads by policy only, or nothing public
 * (CloudFront, and any other hosting whose bucket only a service principal reads).
 */
export function desiredPublicAccessBlock(kind: HostingSpec['kind']): PublicAccessBlock {
  return kind === 'public'
    ? {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      }
    : { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
}

/**
 * The bucket policy for CloudFront with origin access control: only the distribution may read,
 * and only the two issuer objects (AWS's documented OAC policy, aws-sts-oidc.md §8).
 */
export function oacBucketPolicy(region: string, bucket: string, distributionArn: string): object {
  const p = partitionForRegion(region).id;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowCloudFrontServicePrincipalReadOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: [
          `${bucketArn(p, bucket)}/.well-known/openid-configuration`,
          `${bucketArn(p, bucket)}/keys.json`,
        ],
        Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      },
    ],
  };
}

/** The bucket policy the hosting needs (`distributionArn` for CloudFront, when known). */
export function desiredBucketPolicy(desired: Desired, distributionArn: string | undefined): object {
  if (sharedIssuerOf(desired) !== undefined)
    return fleetBucketPolicy(desired.region, desired.bucket, distributionArn ?? KNOWN_AFTER_APPLY);
  return desired.hosting.kind === 'public'
    ? publicIssuerBucketPolicy(partitionForRegion(desired.region).id, desired.bucket)
    : oacBucketPolicy(desired.region, desired.bucket, distributionArn ?? KNOWN_AFTER_APPLY);
}

/** The bucket (attribute `tags`) and its public-access block (attribute `publicAccessBlock`). */
export function planBucket(ctx: PlanContext): Change[] {
  const { desired } = ctx;
  const b = ctx.observed.bucket;
  return [
    change('bucket', desired.bucket, b.exists, b.exists ? tagField(desired.tags, b.tags) : []),
    change(
      'public-access-block',
      desired.bucket,
      b.publicAccessBlock !== undefined,
      jsonFields(
        'publicAccessBlock',
        'PublicAccessBlockConfiguration',
        b.publicAccessBlock === undefined ? undefined : JSON.stringify(b.publicAccessBlock),
        desiredPublicAccessBlock(desired.hosting.kind),
      ),
    ),
  ];
}

/** The bucket policy (attribute `bucketPolicy`), after the distribution whose ARN it may name. */
export function planBucketPolicy(ctx: PlanContext, distributionArn: string | undefined): Change {
  const b = ctx.observed.bucket;
  return change(
    'bucket-policy',
    ctx.desired.bucket,
    b.policy !== undefined,
    b.policy === undefined
      ? []
      : jsonFields('bucketPolicy', 'Policy', b.policy, desiredBucketPolicy(ctx.desired, distributionArn)),
  );
}
