import { StsctlError } from '../../core/errors.js';
import type { Desired, Observed } from '../model.js';

/**
 * No silent identity change. A cluster's identity is its issuer URL: the `iss` of every token it
 * signs, the URL of its IAM OIDC provider and the prefix of its roles' condition keys. A re-run
 * with other flags (another `--hosting`, `--custom-domain`, `--region`) would otherwise rewrite the
 * published discovery document to another issuer, move the roles' trust to another provider and
 * leave every running component with tokens no role accepts. The published discovery document
 * says which issuer the cluster has; when the run leads elsewhere, the plan names the move and its
 * consequences, and apply refuses it unless `--migrate-issuer` asks for it. Pure.
 */

export interface IssuerMigration {
  /** The issuer published today (the bucket's discovery document). */
  readonly from: string;
  /** The issuer the run leads to; undefined until a CloudFront distribution exists. */
  readonly to: string | undefined;
  /** The IAM OIDC provider of `from`, kept by the migration. */
  readonly previousProviderArn: string | undefined;
  /** What changes for the cluster, for people. */
  readonly consequences: readonly string[];
}

/** The `issuer` of a published discovery document, when it has one. */
export function publishedIssuer(discoveryBody: string | undefined): string | undefined {
  if (discoveryBody === undefined) return undefined;
  try {
    const doc = JSON.parse(discoveryBody) as unknown;
    if (typeof doc !== 'object' || doc === null || !('issuer' in doc)) return undefined;
    const issuer = doc.issuer;
    return typeof issuer === 'string' && issuer.startsWith('https://') ? issuer : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a bucket that lives in another region than `--region`: its issuer URL names its own
 * region, and S3 serves it only from there (bucket names are global, so `--region` cannot make
 * another one).
 */
export function checkBucketRegion(desired: Desired, observed: Observed): void {
  const region = observed.bucket.region;
  if (!desired.issuer || !observed.bucket.exists || region === undefined || region === desired.region) return;
  throw new StsctlError(
    'BUCKET_REGION_MISMATCH',
    `the bucket ${desired.bucket} exists in ${region}, not in ${desired.region} (--region): the cluster "${desired.name}" was created in ${region}`,
    {
      path: '--region',
      hint: `run with --region ${region}; a cluster cannot move its bucket to another region in place`,
    },
  );
}

/** The migration the run would make, or undefined when the issuer stays (or nothing is published). */
export function planMigration(
  desired: Desired,
  observed: Observed,
  issuer: string | undefined,
): IssuerMigration | undefined {
  if (!desired.issuer) return undefined;
  const from = publishedIssuer(observed.bucket.discovery?.body);
  if (from === undefined || from === issuer) return undefined;
  const to =
    issuer ??
    (desired.hosting.kind === 'lambda'
      ? '(a new Lambda function URL, known after apply)'
      : '(a new CloudFront domain, known after apply)');
  const previousProviderArn = observed.publishedIssuerProvider?.arn;
  const consequences = [
    `the discovery document is rewritten to ${to}: tokens the cluster signs must carry that issuer (its Authentication serviceAccountIssuer changes; the manifests are rewritten)`,
    `the roles trust the IAM OIDC provider of ${to}: tokens issued by ${from} are refused as soon as they are updated`,
    previousProviderArn === undefined
      ? `no IAM OIDC provider of ${from} exists`
      : `the IAM OIDC provider ${previousProviderArn} of ${from} is kept (delete it once no token of ${from} is in use)`,
    'the published keys are kept in keys.json (merged by kid)',
  ];
  if ((desired.hosting.kind === 'cloudfront' || desired.hosting.kind === 'lambda') && from.includes('.s3.'))
    consequences.push(`the bucket becomes private: ${from} is no longer served`);
  return { from, to: issuer, previousProviderArn, consequences };
}
