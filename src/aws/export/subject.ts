import { documentPrefix } from '../plan/fleet.js';
import { renderDiscoveryDocument } from '../../core/discovery.js';
import type { Tag } from '../../core/iam-documents.js';
import { issuerHostPath } from '../../core/issuer.js';
import { renderJwks } from '../../core/jwks.js';
import { partitionForRegion, type PartitionId } from '../../core/partitions.js';
import type { Desired, HostingSpec, Observed, PublicAccessBlock } from '../model.js';
import { CLIENT_IDS } from '../operations.js';
import { desiredBucketPolicy, desiredPublicAccessBlock } from '../plan/bucket.js';
import { plannedJwks } from '../plan/documents.js';
import type { Plan } from '../plan/types.js';

/**
 * What an exporter renders besides the plan's changes: the desired values of every resource
 * (documents, tags, thumbprints), resolved from the same inputs the plan was computed from. Values
 * that exist only once something is created (a new CloudFront distribution's domain, and so the
 * issuer, the provider ARN and the roles' condition keys) are {@link Placeholder}s: each exporter
 * turns them into its own reference (a shell variable, a CloudFormation `Fn::Sub`). Pure.
 */

/** Stand-ins for values known only after a create; they never occur in real documents. */
export const PLACEHOLDER = {
  /** The issuer without `https://` (host of a new distribution). */
  issuerHost: '@@STSCTL_ISSUER_HOST@@',
  /** The IAM OIDC provider's ARN. */
  providerArn: '@@STSCTL_PROVIDER_ARN@@',
  /** The ARN of the distribution the OAC bucket policy admits. */
  distributionArn: '@@STSCTL_DISTRIBUTION_ARN@@',
  /** The id of the origin access control the distribution reads through. */
  originAccessControlId: '@@STSCTL_OAC_ID@@',
  /** A CloudFront distribution's caller reference (its own per create; kept on update). */
  callerReference: '@@STSCTL_CALLER_REFERENCE@@',
} as const;

export type Placeholder = (typeof PLACEHOLDER)[keyof typeof PLACEHOLDER];

export interface ExportRole {
  readonly name: string;
  readonly arn: string;
  readonly description: string;
  /** JSON text; may hold {@link PLACEHOLDER} values. */
  readonly trustPolicy: string;
  readonly inlinePolicy: string;
  readonly permissionsBoundaryArn: string | undefined;
  readonly tags: readonly Tag[];
  /** `<ns>/<secret>` the role serves. */
  readonly serves: string;
}

export interface ExportSubject {
  readonly name: string;
  readonly region: string;
  readonly partition: PartitionId;
  readonly accountId: string;
  readonly bucket: string;
  /** Prefix of the issuer objects in the bucket: `<cluster>/` for a fleet member, else empty. */
  readonly documentPrefix: string;
  readonly hosting: HostingSpec;
  readonly tags: readonly Tag[];
  readonly publicAccessBlock: PublicAccessBlock;
  /** The bucket policy the hosting needs, as apply writes it (distribution ARN may be a placeholder). */
  readonly bucketPolicy: object;
  /**
   * The issuer URL when known at plan time, else `https://` + {@link PLACEHOLDER.issuerHost}
   * (a CloudFront distribution yet to be created).
   */
  readonly issuer: string;
  readonly issuerKnown: boolean;
  /** The discovery document (issuer may be a placeholder). */
  readonly discoveryDocument: string;
  /** The `keys.json` to publish: ours merged into what is published (never shrinking it). */
  readonly jwksDocument: string;
  readonly providerArn: string;
  readonly clientIds: readonly string[];
  /** The thumbprints the plan observed on the issuer's live TLS chain (empty when unreachable). */
  readonly thumbprints: readonly string[];
  /** The distribution found by observe, when there is one. */
  readonly distribution:
    { readonly id: string; readonly arn: string; readonly domainName: string } | undefined;
  /** The origin access control found by observe, when there is one. */
  readonly originAccessControlId: string | undefined;
  readonly roles: readonly ExportRole[];
}

/** Resolves the desired values of every resource the plan names. Pure. */
export function exportSubject(desired: Desired, observed: Observed, plan: Plan): ExportSubject {
  const partition = partitionForRegion(desired.region).id;
  const issuerKnown = plan.issuer !== undefined;
  const issuer = plan.issuer ?? `https://${PLACEHOLDER.issuerHost}`;
  const hostPath = issuerHostPath(issuer);
  const providerArn = plan.providerArn ?? PLACEHOLDER.providerArn;
  const d = observed.distribution;
  return {
    name: desired.name,
    region: desired.region,
    partition,
    accountId: plan.accountId,
    bucket: desired.bucket,
    documentPrefix: documentPrefix(desired),
    hosting: desired.hosting,
    tags: desired.tags,
    publicAccessBlock: desiredPublicAccessBlock(desired.hosting.kind),
    bucketPolicy: desiredBucketPolicy(desired, d?.arn ?? PLACEHOLDER.distributionArn),
    issuer,
    issuerKnown,
    discoveryDocument: renderDiscoveryDocument(issuer),
    jwksDocument: renderJwks(plannedJwks(desired, observed.bucket.jwks?.body).jwks),
    providerArn,
    clientIds: [...CLIENT_IDS],
    thumbprints: desired.thumbprints ?? [],
    distribution: d === undefined ? undefined : { id: d.id, arn: d.arn, domainName: d.domainName },
    originAccessControlId: observed.originAccessControl?.id,
    roles: desired.roles.map((r) => ({
      name: r.name,
      arn: `arn:${partition}:iam::${plan.accountId}:role/${r.name}`,
      description: r.description,
      trustPolicy: r.trustPolicy(providerArn, hostPath),
      inlinePolicy: r.inlinePolicy,
      permissionsBoundaryArn: r.permissionsBoundaryArn,
      tags: r.tags,
      serves: r.serves,
    })),
  };
}
