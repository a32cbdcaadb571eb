import type { IamOidcProvider, IamRole } from '../webidentity/types.js';
import type {
  PublicAccessBlock,
  BucketObservation,
  DistributionObservation,
  DistributionConfigObservation,
  FunctionUrlObservation,
  LiveAnswer,
  RolePoliciesObservation,
} from '../core/aws-observations.js';

/**
 * The doctor's ports: what it needs from AWS, declared here, by the side that uses them
 * (ports and adapters). src/aws/observe-identity.ts implements them structurally — it does not
 * import the doctor — and the CLI hands that implementation to the doctor; tests hand in fakes.
 * Every read is read-only; nothing here changes anything in AWS.
 */

export type {
  PublicAccessBlock,
  BucketObservation,
  ObjectAclGrant,
  DistributionOrigin,
  DistributionObservation,
  DistributionConfigDocument,
  DistributionConfigOrigin,
  DistributionConfigObservation,
  FunctionUrlObservation,
  LiveAnswer,
  RolePoliciesObservation,
} from '../core/aws-observations.js';

/** The AWS reads the doctor makes. Each throws a StsctlError when AWS cannot be read. */
export interface IdentityObserver {
  /** Every IAM OIDC provider of the caller's account, with client IDs and thumbprints. */
  listOidcProviders(): Promise<readonly IamOidcProvider[]>;
  /** The role named by the ARN, or undefined when no role has exactly that ARN. */
  getRole(roleArn: string): Promise<IamRole | undefined>;
  /** The bucket, with the ACLs of `objectKeys` (the issuer documents) when given. */
  getBucket(bucket: string, objectKeys?: readonly string[]): Promise<BucketObservation>;
  /** Every IAM role of the account, with its trust policy (to find the roles trusting a provider). */
  listRoles?(): Promise<readonly IamRole[]>;
  /** The account-level block, or undefined when the account has none. */
  getAccountPublicAccessBlock(accountId: string): Promise<PublicAccessBlock | undefined>;
  /** The distribution whose domain name or alias is `host`, or undefined. */
  findDistribution(host: string): Promise<DistributionObservation | undefined>;
  /**
   * The complete configuration of distribution `id` and its ETag (GetDistributionConfig), for a fix
   * that rewrites it; undefined when no distribution has that id.
   */
  getDistributionConfig?(id: string): Promise<DistributionConfigObservation | undefined>;
  /**
   * The function whose URL has `host` (`<url-id>.lambda-url.<region>.on.aws`), read in that region
   * (ListFunctions, GetFunctionUrlConfig, GetPolicy), or undefined when no function has it.
   */
  findFunctionUrl?(host: string): Promise<FunctionUrlObservation | undefined>;
  /**
   * The identity-based policies of the role named by the ARN (inline and attached managed), or
   * undefined when no role has that name (the issuer function's execution role).
   */
  getRolePolicies?(roleArn: string): Promise<RolePoliciesObservation | undefined>;
  assumeRoleWithWebIdentity(request: {
    readonly roleArn: string;
    readonly token: string;
    readonly sessionName: string;
    readonly durationSeconds?: number;
  }): Promise<LiveAnswer>;
  /** Releases the SDK clients' sockets. */
  destroy(): void;
}
