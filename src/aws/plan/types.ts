import type { Desired, Observed } from '../model.js';
import type { IssuerMigration } from './identity.js';

/**
 * The plan's contract: every change names its resource (`kind`, `id`) and every differing field
 * a typed `attribute`, which is what apply dispatches on and what tools read from
 * `stsctl plan --output json` (docs/commands.md, "Plan JSON"). `field` is the label people read;
 * nothing decides anything by it.
 */

export const KNOWN_AFTER_APPLY = '(known after apply)';

export type ResourceKind =
  | 'bucket'
  | 'public-access-block'
  | 'origin-access-control'
  | 'distribution'
  | 'bucket-policy'
  | 'discovery-document'
  | 'jwks'
  | 'oidc-provider'
  | 'role'
  | 'function-role'
  | 'function'
  | 'function-url'
  | 'function-permission';

/** The distribution settings stsctl manages (src/aws/cloudfront-config.ts writes them). */
export const DISTRIBUTION_ATTRIBUTES = [
  'originDomain',
  'originAccessControlId',
  'originAccessIdentity',
  'viewerProtocolPolicy',
  'cachePolicyId',
  'enabled',
  'aliases',
  'acmCertificateArn',
] as const;

export type DistributionAttribute = (typeof DISTRIBUTION_ATTRIBUTES)[number];

/** What differs, by machine key. Each resource kind uses the subset listed in docs/commands.md. */
export type FieldAttribute =
  | 'tags'
  | 'publicAccessBlock'
  | 'bucketPolicy'
  | DistributionAttribute
  | 'document'
  | 'keys'
  | 'contentType'
  | 'clientIds'
  | 'thumbprints'
  | 'trustPolicy'
  | 'inlinePolicy'
  | 'permissionsBoundary'
  | 'description'
  | 'code'
  | 'configuration'
  | 'authType'
  | 'cors'
  | 'statement';

export interface FieldChange {
  /** The machine key of what differs. */
  readonly attribute: FieldAttribute;
  /** For JSON documents, the path of the differing value inside them (e.g. `Statement[0].Action`). */
  readonly path?: string;
  /** The label people read (`stsctl plan` prints it). */
  readonly field: string;
  readonly from: string | undefined;
  readonly to: string;
}

export interface Change {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly action: 'create' | 'update' | 'unchanged';
  readonly fields: readonly FieldChange[];
  /** Anything the user should know (e.g. keys kept from the published set). */
  readonly notes: readonly string[];
  /**
   * `sha256:<hex>` of the resource's observed state when the plan was made (`stsctl plan`;
   * src/aws/export/digest.ts): `create-all --plan` refuses a plan whose digests no longer match.
   */
  readonly observed?: string;
}

export interface Plan {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  /** The issuer URL, or undefined until the CloudFront distribution exists. */
  readonly issuer: string | undefined;
  readonly providerArn: string | undefined;
  readonly changes: readonly Change[];
  /** Set when the run would change the cluster's published issuer (refused without `--migrate-issuer`). */
  readonly migration?: IssuerMigration | undefined;
}

/** What every resource planner reads: the inputs and what the composer derived from them. */
export interface PlanContext {
  readonly desired: Desired;
  readonly observed: Observed;
  readonly partition: string;
  /** The issuer URL when it can be known now. */
  readonly issuer: string | undefined;
  /** The issuer without `https://`. */
  readonly hostPath: string | undefined;
  readonly providerArn: string | undefined;
}
