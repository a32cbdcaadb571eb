/**
 * The contract of the S3 access evaluator: who asks, for what, against which bucket state, and the
 * decision with the S3 rule that made it. Pure data; `evaluate.ts` holds the rules.
 */
import type { BucketPolicy } from './policy.js';

/**
 * Who is asking S3.
 * - `anonymous`: an unsigned request (STS fetching an issuer on the public internet).
 * - `service`: an AWS service principal signing for itself, e.g. CloudFront with origin access
 *   control (`cloudfront.amazonaws.com`, with `aws:SourceArn` = the distribution ARN and
 *   `aws:SourceAccount` = its account).
 * - `oai`: a legacy CloudFront origin access identity; bucket policies name it by its ARN
 *   `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity <id>` or by its canonical user.
 * - `iam`: an IAM principal (user, role session, account root) of some account. What its own
 *   identity policies say is IAM's rule family, not S3's: the caller passes the outcome.
 */
export type S3Requester =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'service';
      /** The service principal, e.g. `cloudfront.amazonaws.com`. */
      readonly service: string;
      readonly sourceArn?: string;
      readonly sourceAccount?: string;
    }
  | {
      readonly kind: 'oai';
      /** The OAI id, e.g. `E2QWRUHAPOMQZL`. */
      readonly id: string;
      /** Its S3 canonical user id, when known. */
      readonly canonicalUserId?: string;
      /** Partition of the OAI's ARN; default `aws` (the OAI ARN form exists there only). */
      readonly partition?: string;
    }
  | {
      readonly kind: 'iam';
      /** e.g. `arn:aws:iam::123456789012:role/reader` or `…:root`. */
      readonly arn: string;
      readonly accountId: string;
      /** The canonical user id of its account, for ACL grants naming the account. */
      readonly canonicalUserId?: string;
      /** What the principal's identity-based policies decide for this request; default `none`. */
      readonly identityPolicy?: 'allow' | 'deny' | 'none';
    };

/** One ACL grant, in the shape of S3's `GetObjectAcl` / `GetBucketAcl` answer (`Grants[]`). */
export interface S3AclGrant {
  // `| undefined` throughout: the SDK's `Grant` (with exactOptionalPropertyTypes) is accepted as is.
  readonly Grantee?:
    | {
        readonly Type?: string | undefined;
        /** Group grantees: `http://acs.amazonaws.com/groups/global/AllUsers` and friends. */
        readonly URI?: string | undefined;
        /** Canonical user grantees. */
        readonly ID?: string | undefined;
      }
    | undefined;
  readonly Permission?: string | undefined;
}

/** A public access block configuration (bucket or account level), as S3 returns it. */
export interface S3PublicAccessBlock {
  readonly BlockPublicAcls?: boolean | undefined;
  readonly IgnorePublicAcls?: boolean | undefined;
  readonly BlockPublicPolicy?: boolean | undefined;
  readonly RestrictPublicBuckets?: boolean | undefined;
}

/** A block public access setting. */
export type S3BlockSetting = keyof S3PublicAccessBlock;

/** Where a block setting is on: the bucket, the owning account, or both. */
export type S3BlockLevel = 'bucket' | 'account' | 'bucket+account';

/** S3 Object Ownership; absent = the pre-2023 default, ACLs enabled (`ObjectWriter`). */
export type S3ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

/** One request S3 authorizes, with everything about the bucket that decides it. */
export interface S3AccessInput {
  readonly requester: S3Requester;
  /** The S3 action, e.g. `s3:GetObject`, `s3:ListBucket`. */
  readonly action: string;
  readonly bucket: string;
  /** The object key for object actions; absent for bucket actions. */
  readonly key?: string;
  /** ARN partition of the bucket; default `aws`. */
  readonly partition?: string;
  /** The bucket policy: JSON text as S3 stores it, a parsed policy, or absent. */
  readonly policy?: string | BucketPolicy;
  /** The object's ACL grants (object actions); absent = none besides the owner's. */
  readonly objectAcl?: readonly S3AclGrant[];
  /** The bucket's ACL grants (bucket actions and missing-key listing). */
  readonly bucketAcl?: readonly S3AclGrant[];
  readonly objectOwnership?: S3ObjectOwnership;
  readonly bucketPublicAccessBlock?: S3PublicAccessBlock;
  readonly accountPublicAccessBlock?: S3PublicAccessBlock;
  /** The account that owns the bucket (RestrictPublicBuckets keeps its principals' access). */
  readonly bucketOwnerAccountId?: string;
  /** Whether the object exists (object actions); default true. */
  readonly objectExists?: boolean;
  /** `aws:SecureTransport`: the request came over TLS; default true. */
  readonly secureTransport?: boolean;
  /** `aws:SourceIp` of the request, when known. */
  readonly sourceIp?: string;
  /** Further request context keys (e.g. `aws:Referer`, `s3:prefix`); names case-insensitive. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** The typed reason of a decision: the S3 rule that decided it. */
export type S3AccessReason =
  /** A Deny statement of the bucket policy matches the request. */
  | 'policy-explicit-deny'
  /** The requester's identity-based policy denies (IAM principals). */
  | 'identity-explicit-deny'
  /** An Allow statement of the bucket policy matches. */
  | 'policy-allow'
  /** The requester's identity-based policy allows, in the bucket owner's account. */
  | 'identity-allow'
  /** An object ACL grant (AllUsers, AuthenticatedUsers or the requester's canonical user) allows. */
  | 'object-acl-allow'
  /** A bucket ACL grant allows (bucket actions). */
  | 'bucket-acl-allow'
  /** A public ACL grant would allow, but IgnorePublicAcls makes S3 ignore it. */
  | 'public-acl-ignored'
  /** An ACL grant would allow, but Object Ownership `BucketOwnerEnforced` disables ACLs. */
  | 'acls-disabled'
  /** A policy Allow would apply, but the policy is public and RestrictPublicBuckets is on. */
  | 'public-policy-restricted'
  /** Cross-account: the bucket grants, but the requester's own account does not allow it. */
  | 'identity-not-allowed'
  /** Nothing grants the request (S3 denies by default). */
  | 'no-grant'
  /** The object does not exist and the requester may list the bucket: 404 NoSuchKey. */
  | 'no-such-key'
  /** The object does not exist and the requester may not list the bucket: 403, like a denial. */
  | 'no-such-key-unlistable';

/** What decided: a policy statement, an ACL grant, a block setting, Object Ownership, or nothing. */
export type S3DecidedBy =
  | {
      readonly rule: 'bucket-policy';
      /** 0-based index in the policy's `Statement` list. */
      readonly statement: number;
      readonly sid?: string;
      readonly effect: 'Allow' | 'Deny';
    }
  | { readonly rule: 'identity-policy'; readonly effect: 'Allow' | 'Deny' }
  | {
      readonly rule: 'object-acl' | 'bucket-acl';
      /** 0-based index in the grant list. */
      readonly grant: number;
      readonly grantee: string;
      readonly permission: string;
    }
  | {
      readonly rule: 'block-public-access';
      readonly setting: S3BlockSetting;
      readonly level: S3BlockLevel;
    }
  | { readonly rule: 'object-ownership'; readonly setting: 'BucketOwnerEnforced' }
  | { readonly rule: 'default-deny' };

/** A grant that would have allowed the request but did not count, and why. */
export interface S3SuppressedGrant {
  readonly grant: S3DecidedBy;
  readonly by: S3DecidedBy;
}

/** The decision for one request. */
export interface S3AccessDecision {
  readonly allowed: boolean;
  /** The HTTP status S3 answers: 200, 403 AccessDenied, or 404 NoSuchKey. */
  readonly status: 200 | 403 | 404;
  readonly reason: S3AccessReason;
  readonly decidedBy: S3DecidedBy;
  /** Grants that would have allowed but were ignored (public ACLs, ACLs disabled, restricted policy). */
  readonly suppressed: readonly S3SuppressedGrant[];
  /**
   * Condition operators the evaluator does not know, met in statements that otherwise match: an
   * Allow carrying one is not counted, a Deny carrying one is (both err towards 403).
   */
  readonly unevaluated: readonly { readonly statement: number; readonly operator: string }[];
  /** One sentence naming the rule, e.g. for the doctor. */
  readonly message: string;
}
