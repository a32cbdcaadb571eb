import type { Tag } from '../core/iam-documents.js';
import type { Jwks } from '../core/jwks.js';
import type { FunctionPackage } from './issuer-function.js';

/**
 * What provisioning reads from an account (observe) and wants there (desired). Plain data, so the
 * plan between them is a pure function (src/aws/plan.ts).
 */

export interface PublicAccessBlock {
  readonly BlockPublicAcls: boolean;
  readonly IgnorePublicAcls: boolean;
  readonly BlockPublicPolicy: boolean;
  readonly RestrictPublicBuckets: boolean;
}

export interface ObservedObject {
  readonly body: string;
  readonly contentType: string | undefined;
}

export interface ObservedBucket {
  readonly name: string;
  readonly exists: boolean;
  /** The bucket's region (GetBucketLocation), when it exists. */
  readonly region?: string | undefined;
  readonly tags: readonly Tag[];
  /** The bucket policy JSON, when one is set. */
  readonly policy: string | undefined;
  readonly publicAccessBlock: PublicAccessBlock | undefined;
  readonly discovery: ObservedObject | undefined;
  readonly jwks: ObservedObject | undefined;
}

export interface ObservedOriginAccessControl {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export interface ObservedDistribution {
  readonly id: string;
  readonly arn: string;
  readonly domainName: string;
  readonly status: string;
  readonly enabled: boolean;
  readonly comment: string;
  readonly aliases: readonly string[];
  readonly originDomain: string;
  readonly originAccessControlId: string;
  readonly originAccessIdentity: string;
  readonly viewerProtocolPolicy: string;
  readonly cachePolicyId: string;
  readonly acmCertificateArn: string | undefined;
  readonly tags: readonly Tag[];
}

export interface ObservedProvider {
  readonly arn: string;
  /** As IAM returns it: no scheme. */
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly tags: readonly Tag[];
}

export interface ObservedRole {
  readonly name: string;
  readonly arn: string;
  readonly description: string;
  /** Decoded JSON text. */
  readonly trustPolicy: string;
  /** The inline policy named after the role, decoded JSON text. */
  readonly inlinePolicy: string | undefined;
  readonly permissionsBoundaryArn: string | undefined;
  readonly tags: readonly Tag[];
}

/** The issuer function's configuration (`--hosting lambda`; Lambda GetFunction). */
export interface ObservedFunction {
  readonly arn: string;
  readonly role: string;
  readonly runtime: string;
  readonly handler: string;
  /** Lambda's base64 SHA-256 of the deployment package. */
  readonly codeSha256: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
}

/** The function URL (GetFunctionUrlConfig). */
export interface ObservedFunctionUrl {
  /** As Lambda returns it (`https://<url-id>.lambda-url.<region>.on.aws/`). */
  readonly url: string;
  readonly authType: string;
  readonly allowMethods: readonly string[];
  readonly allowOrigins: readonly string[];
}

/** Everything of `--hosting lambda` besides the bucket; undefined parts do not exist. */
export interface ObservedIssuerFunction {
  readonly role: ObservedRole | undefined;
  readonly function: ObservedFunction | undefined;
  readonly url: ObservedFunctionUrl | undefined;
  /** The function's resource policy JSON (GetPolicy), when it has one. */
  readonly policy: string | undefined;
}

export interface Observed {
  readonly accountId: string;
  readonly bucket: ObservedBucket;
  readonly originAccessControl: ObservedOriginAccessControl | undefined;
  readonly distribution: ObservedDistribution | undefined;
  readonly provider: ObservedProvider | undefined;
  /** By role name; undefined when the role does not exist. */
  readonly roles: ReadonlyMap<string, ObservedRole | undefined>;
  /**
   * The IAM OIDC provider of the issuer the bucket's discovery document names, when that is not
   * the issuer this run leads to (a migration; see src/aws/plan/identity.ts).
   */
  readonly publishedIssuerProvider?: ObservedProvider | undefined;
  /** The issuer function, its role and URL (`--hosting lambda`). */
  readonly issuerFunction?: ObservedIssuerFunction | undefined;
}

/**
 * Where a self-hosted issuer's two documents are kept for the operator's own server (or
 * `stsctl serve`). A port, so the plan and apply stay free of file I/O (src/aws may not import
 * src/files, eslint.config.js `layers`); src/commands implements it on the output directory.
 */
export interface SelfHostedDocuments {
  /** Where the documents live, for plan ids and messages (a directory). */
  readonly location: string;
  /** The documents as they are now; undefined for one that does not exist. */
  read(): Promise<{
    readonly discovery: ObservedObject | undefined;
    readonly jwks: ObservedObject | undefined;
  }>;
  /** Writes the documents given (bytes exactly as passed). */
  write(documents: { readonly discovery?: string; readonly jwks?: string }): Promise<void>;
}

export type HostingSpec =
  | { readonly kind: 'public' }
  | {
      readonly kind: 'cloudfront';
      readonly customDomain?: string | undefined;
      readonly acmCertificateArn?: string | undefined;
      /**
       * `--shared-issuer <fleet>`: the cluster is one of a fleet under one bucket
       * (`<fleet>-oidc`) and one distribution, its documents under `<cluster>/` and its issuer
       * `https://<domain>/<cluster>` (src/aws/plan/fleet.ts).
       */
      readonly sharedIssuer?: string | undefined;
    }
  | {
      /** The operator serves the documents at `issuerUrl`; AWS holds only the provider and roles. */
      readonly kind: 'self';
      readonly issuerUrl: string;
      readonly documents: SelfHostedDocuments;
    }
  | {
      /**
       * A function stsctl ships serves the documents from the private bucket behind a Lambda
       * function URL; the issuer is the URL (src/aws/issuer-function.ts).
       */
      readonly kind: 'lambda';
      readonly code: FunctionPackage;
    };

export interface DesiredRole {
  readonly name: string;
  readonly description: string;
  /** Builds the trust policy once the provider ARN and issuer host are known. */
  readonly trustPolicy: (providerArn: string, issuerHostPath: string) => string;
  readonly inlinePolicy: string;
  readonly permissionsBoundaryArn: string | undefined;
  readonly tags: readonly Tag[];
  /** Secret this role serves, `<ns>/<name>`, for messages. */
  readonly serves: string;
}

/** Inputs of a provisioning run (what the flags say). */
export interface Desired {
  readonly name: string;
  readonly region: string;
  readonly bucket: string;
  readonly hosting: HostingSpec;
  readonly tags: readonly Tag[];
  /** Our signing keys as a JWKS. */
  readonly jwks: Jwks;
  /** Replace a published keys.json holding other keys instead of merging (`--force`). */
  readonly replaceKeys: boolean;
  /** Provision the issuer (bucket, hosting, documents, provider). False for create-iam-roles. */
  readonly issuer: boolean;
  readonly roles: readonly DesiredRole[];
  /** Thumbprints to register, when known (from the live TLS chain). */
  readonly thumbprints?: readonly string[] | undefined;
  /** Allow a run that changes the published issuer (`--migrate-issuer`); default false. */
  readonly migrateIssuer?: boolean | undefined;
}
