import { bucketArn, partitionForRegion } from '../../core/partitions.js';
import type { Tag } from '../../core/iam-documents.js';
import type { Desired } from '../model.js';
import type { PlanContext } from './types.js';

/**
 * A fleet issuer (`--shared-issuer <fleet>`): several clusters under one private bucket
 * (`<fleet>-oidc`) and one CloudFront distribution with origin access control. Each cluster's two
 * documents live under its own prefix (`<cluster>/.well-known/openid-configuration`,
 * `<cluster>/keys.json`) and its issuer is `https://<domain>/<cluster>`: IAM OIDC providers and
 * STS accept issuers with a path, and the trust policy's condition keys then carry it
 * (`<domain>/<cluster>:sub`, aws-sts-2026.md §7).
 *
 * The shared hosting (bucket, public-access block, OAC, distribution, bucket policy) is planned
 * as the fleet's, not the cluster's: named and tagged after the fleet, and with a bucket policy
 * that lets the distribution read every key (`<bucket>/*`), so adding or removing a cluster
 * never changes any of it. The cluster's documents, provider and roles carry the cluster's own
 * ownership tags, as for any other hosting. Pure.
 */

/** The tag key that marks the shared hosting of a fleet (its value is the fleet's name). */
export const FLEET_TAG_KEY = 'stsctl.io/shared-issuer';

/** The fleet's tags: `stsctl.io/shared-issuer=<fleet>` and `Name=<fleet>`. */
export function fleetTags(fleet: string): Tag[] {
  return [
    { Key: FLEET_TAG_KEY, Value: fleet },
    { Key: 'Name', Value: fleet },
  ];
}

/** Whether `tags` mark the shared hosting of `fleet`. */
export function isFleetTagged(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[],
  fleet: string,
): boolean {
  return tags.some((t) => t.Key === FLEET_TAG_KEY && t.Value === fleet);
}

/** The fleet a desired state shares its issuer with, if any. */
export function sharedIssuerOf(desired: Desired): string | undefined {
  return desired.hosting.kind === 'cloudfront' ? desired.hosting.sharedIssuer : undefined;
}

/** Where the cluster's documents live in the bucket: `<cluster>/` in a fleet, the root otherwise. */
export function documentPrefix(desired: Desired): string {
  return sharedIssuerOf(desired) === undefined ? '' : `${desired.name}/`;
}

/**
 * The desired state of the hosting family: for a fleet member, the fleet's name and tags (the
 * bucket, OAC and distribution are the fleet's); otherwise the desired state itself.
 */
export function hostingDesired(desired: Desired): Desired {
  const fleet = sharedIssuerOf(desired);
  return fleet === undefined ? desired : { ...desired, name: fleet, tags: fleetTags(fleet) };
}

/** {@link hostingDesired} for a plan context. */
export function hostingContext(ctx: PlanContext): PlanContext {
  const desired = hostingDesired(ctx.desired);
  return desired === ctx.desired ? ctx : { ...ctx, desired };
}

/**
 * The fleet bucket's policy: only the fleet's distribution may read, and it may read every key.
 * Granting `<bucket>/*` (not a list of the clusters' keys) is what lets a cluster be added or
 * removed without touching the policy; the bucket stays private (its public-access block blocks
 * everything) and holds nothing but issuer documents.
 */
export function fleetBucketPolicy(region: string, bucket: string, distributionArn: string): object {
  const p = partitionForRegion(region).id;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowCloudFrontServicePrincipalReadOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `${bucketArn(p, bucket)}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      },
    ],
  };
}

/** A fleet member's issuer from the fleet's base URL (`https://<domain>`): `<base>/<cluster>`. */
export function fleetMemberIssuer(base: string, cluster: string): string {
  return `${base}/${cluster}`;
}
