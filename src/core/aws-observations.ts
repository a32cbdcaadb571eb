/**
 * What AWS holds about an issuer's hosting and an identity, as read-only observations: the data
 * the doctor's AWS port returns (src/doctor/ports.ts) and the aws adapter builds
 * (src/aws/observe-identity.ts). Pure types, declared once below both so neither copies them.
 */
import type { IdentityPolicy } from './identity-policy.js';

/** S3's block-public-access settings (bucket or account). */
export interface PublicAccessBlock {
  readonly blockPublicAcls: boolean;
  readonly ignorePublicAcls: boolean;
  readonly blockPublicPolicy: boolean;
  readonly restrictPublicBuckets: boolean;
}

/** What S3 says about an issuer bucket. */
export type BucketObservation =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** The bucket policy JSON, or undefined when the bucket has none. */
      readonly policy: string | undefined;
      /** Undefined when the bucket has no public-access-block configuration. */
      readonly publicAccessBlock: PublicAccessBlock | undefined;
      /** Object keys (the first 1000). */
      readonly objectKeys: readonly string[];
      readonly objectKeysTruncated: boolean;
      /** The bucket's region (GetBucketLocation; empty LocationConstraint = us-east-1). */
      readonly region?: string;
      /** Object Ownership; undefined when the bucket has no ownership controls (ACLs enabled). */
      readonly objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
      /** ACL grants of the objects asked for (GetObjectAcl), by key; absent for missing objects. */
      readonly objectAcls?: Readonly<Record<string, readonly ObjectAclGrant[]>>;
    };

/** One ACL grant as S3 returns it (GetObjectAcl `Grants[]`). */
export interface ObjectAclGrant {
  readonly Grantee?: { readonly Type?: string; readonly URI?: string; readonly ID?: string };
  readonly Permission?: string;
}

/** One origin of a CloudFront distribution. */
export interface DistributionOrigin {
  readonly id: string;
  readonly domainName: string;
  readonly originPath: string;
  /** Origin access control id; undefined or empty when none. */
  readonly originAccessControlId: string | undefined;
  /** `origin-access-identity/cloudfront/<id>`; undefined or empty when none. */
  readonly originAccessIdentity: string | undefined;
}

/** The CloudFront distribution serving a host. */
export interface DistributionObservation {
  readonly id: string;
  readonly arn: string;
  readonly domainName: string;
  readonly aliases: readonly string[];
  readonly status: string;
  readonly enabled: boolean;
  readonly defaultOriginId: string | undefined;
  readonly origins: readonly DistributionOrigin[];
}

/** One origin of a `DistributionConfig`, as CloudFront returns it (the fields the doctor reads are typed). */
export interface DistributionConfigOrigin {
  readonly Id?: string;
  readonly DomainName?: string;
  readonly [field: string]: unknown;
}

/**
 * A distribution's complete `DistributionConfig` as `GetDistributionConfig` returns it, plain JSON
 * (the API's member names). Only the origins are typed: a fix edits one origin and hands the rest
 * back to `UpdateDistribution` unchanged, since UpdateDistribution replaces the whole configuration
 * and a field left out is reset to its default (CloudFront API reference, UpdateDistribution).
 */
export interface DistributionConfigDocument {
  readonly Origins?: {
    readonly Quantity?: number;
    readonly Items?: readonly DistributionConfigOrigin[];
    readonly [field: string]: unknown;
  };
  readonly [field: string]: unknown;
}

/** What `UpdateDistribution` needs: the configuration and the `ETag` it must be sent back with (`IfMatch`). */
export interface DistributionConfigObservation {
  readonly id: string;
  /** The version of the configuration read; UpdateDistribution refuses another (PreconditionFailed). */
  readonly etag: string;
  readonly config: DistributionConfigDocument;
}

/** A Lambda function URL and its function (function URL hosting of an issuer). */
export interface FunctionUrlObservation {
  readonly functionName: string;
  readonly functionArn: string;
  /** As Lambda returns it (`https://<url-id>.lambda-url.<region>.on.aws/`). */
  readonly functionUrl: string;
  /** `NONE` or `AWS_IAM` (GetFunctionUrlConfig `AuthType`). */
  readonly authType: string;
  /** The function's resource policy JSON (GetPolicy); undefined when it has none. */
  readonly policy: string | undefined;
  /** Whether everyone may invoke the function through its URL (auth type NONE + the public statements). */
  readonly publicInvoke: boolean;
  /** The resource policy's invoke statements, described. */
  readonly invokeStatements: readonly string[];
  /** The execution role ARN. */
  readonly roleArn: string;
  /** The function's environment variables (stsctl's function reads `ISSUER_BUCKET`). */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * A role's identity-based policies: its inline policies (ListRolePolicies, GetRolePolicy) by name
 * and its attached managed policies (ListAttachedRolePolicies, GetPolicy, GetPolicyVersion of the
 * default version) by ARN, each document URL-decoded.
 */
export interface RolePoliciesObservation {
  readonly inline: readonly IdentityPolicy[];
  readonly attached: readonly IdentityPolicy[];
}

/** The answer of a live `AssumeRoleWithWebIdentity` (credentials are dropped, never returned). */
export type LiveAnswer =
  | { readonly ok: true; readonly assumedRoleArn: string }
  | { readonly ok: false; readonly code: string; readonly status: number; readonly message: string };
