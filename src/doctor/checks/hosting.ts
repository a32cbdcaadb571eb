import type {
  BucketObservation,
  DistributionObservation,
  IdentityObserver,
  PublicAccessBlock,
} from '../ports.js';
import { grantsCloudFront, publiclyReadableKeys } from '../bucket-policy.js';
import type { Memo } from '../context.js';
import type { TemplateVars } from '../findings/registry.js';
import { classifyIssuerHost } from '../issuer-host.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import { couldNotCheck, passed, reasonOf, withFindings } from './check.js';

/**
 * How the issuer is hosted, read from AWS: for public S3 hosting the bucket policy and the
 * public-access block of the bucket and of the account (aws-sts-oidc.md §7); for private hosting
 * behind CloudFront the distribution's origin access (OAC or OAI) and the bucket policy that must
 * grant it (§8). These findings explain a 403 the model turns into "Couldn't retrieve verification
 * key…"; the verdict itself always comes from the model.
 */

const ID = 'issuer.hosting';
const TITLE = 'Issuer hosting (S3 bucket policy, public-access blocks, CloudFront origin access)';

/** Keys of the two issuer objects inside the bucket, from the issuer URL and jwks_uri. */
export function issuerObjectKeys(
  issuer: string,
  jwksUri: string | undefined,
): { discovery: string; jwks: string } {
  const host = classifyIssuerHost(issuer);
  const url = new URL(issuer);
  let prefix = url.pathname.replace(/^\/+/, '');
  if (host?.kind === 's3' && host.style === 'path') prefix = prefix.split('/').slice(1).join('/');
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  let jwks = `${prefix}keys.json`;
  if (jwksUri !== undefined) {
    try {
      const j = new URL(jwksUri);
      if (j.host === url.host) {
        let key = j.pathname.replace(/^\/+/, '');
        if (host?.kind === 's3' && host.style === 'path') key = key.split('/').slice(1).join('/');
        jwks = decodeURIComponent(key);
      }
    } catch {
      // keep the default
    }
  }
  return { discovery: `${prefix}.well-known/openid-configuration`, jwks };
}

function restricts(block: PublicAccessBlock | undefined): boolean {
  return block?.restrictPublicBuckets === true;
}

function describeBlock(block: PublicAccessBlock | undefined): string {
  if (block === undefined) return 'none';
  const on = Object.entries(block)
    .filter(([, v]) => v)
    .map(([k]) => k);
  return on.length === 0 ? 'all off' : on.join(', ');
}

/** Inputs of the hosting check. */
export interface HostingInput {
  readonly issuer: string;
  readonly jwksUri: string | undefined;
  readonly aws: IdentityObserver | undefined;
  readonly awsUnavailable: string;
  readonly memo: Memo;
  /** Account of the provider/role, for the account-level public-access block. */
  readonly accountId: string | undefined;
  readonly partition: string;
  readonly vars: TemplateVars;
}

async function s3Findings(
  input: HostingInput,
  aws: IdentityObserver,
  bucketName: string,
  region: string,
): Promise<CheckResult> {
  const vars: TemplateVars = { ...input.vars, bucket: bucketName, region };
  const bucket = await input.memo.get<BucketObservation>(`bucket:${bucketName}`, () =>
    aws.getBucket(bucketName),
  );
  if (!bucket.exists) {
    return withFindings(
      ID,
      TITLE,
      'issuer',
      [makeFinding('S3_BUCKET_MISSING', `bucket ${bucketName} does not exist`, vars)],
      '',
    );
  }
  let account: PublicAccessBlock | undefined;
  let accountProblem: string | undefined;
  if (input.accountId !== undefined) {
    const accountId = input.accountId;
    try {
      account = await input.memo.get(`account-bpa:${accountId}`, () =>
        aws.getAccountPublicAccessBlock(accountId),
      );
    } catch (e) {
      accountProblem = reasonOf(e);
    }
  }
  const keys = issuerObjectKeys(input.issuer, input.jwksUri);
  const wanted = [keys.discovery, keys.jwks];
  const open = publiclyReadableKeys(bucket.policy, input.partition, bucketName, wanted);
  const closed = wanted.filter((k) => !open.includes(k));
  const findings: Finding[] = [];
  const blocks = `public-access block: bucket ${describeBlock(bucket.publicAccessBlock)}; account ${
    input.accountId === undefined ? 'not read (account unknown)' : (accountProblem ?? describeBlock(account))
  }`;
  const withAccount: TemplateVars = {
    ...vars,
    ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
  };
  if (closed.length > 0) {
    findings.push(
      makeFinding(
        'ISSUER_PRIVATE_BUCKET',
        `bucket ${bucketName}: ${bucket.policy === undefined ? 'no bucket policy' : 'the bucket policy grants no anonymous s3:GetObject'} on ${closed.join(', ')} (${blocks})`,
        withAccount,
      ),
    );
  } else if (restricts(account)) {
    findings.push(
      makeFinding(
        'S3_ACCOUNT_PUBLIC_ACCESS_BLOCK',
        `account ${input.accountId ?? ''} has RestrictPublicBuckets on: the public policy of ${bucketName} is ignored for anonymous readers`,
        withAccount,
      ),
    );
  } else if (restricts(bucket.publicAccessBlock)) {
    findings.push(
      makeFinding(
        'S3_BUCKET_PUBLIC_ACCESS_BLOCK',
        `bucket ${bucketName} has RestrictPublicBuckets on: its public policy is ignored for anonymous readers`,
        withAccount,
      ),
    );
  }
  if (open.length > 0) {
    const others = publiclyReadableKeys(
      bucket.policy,
      input.partition,
      bucketName,
      bucket.objectKeys.filter((k) => !wanted.includes(k)),
    );
    if (others.length > 0) {
      findings.push(
        makeFinding(
          'S3_BUCKET_EXPOSES_OTHER_OBJECTS',
          `besides the issuer documents, ${others.length} object(s) are public: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}`,
          vars,
        ),
      );
    }
  }
  const result = withFindings(
    ID,
    TITLE,
    'issuer',
    findings,
    `bucket ${bucketName}: issuer objects public (${blocks})`,
  );
  if (accountProblem !== undefined && findings.length === 0) {
    return couldNotCheck(ID, TITLE, 'issuer', `account public-access block: ${accountProblem}`);
  }
  return result;
}

async function cloudFrontFindings(
  input: HostingInput,
  aws: IdentityObserver,
  host: string,
  mustExist: boolean,
): Promise<CheckResult> {
  const distribution = await input.memo.get<DistributionObservation | undefined>(`distribution:${host}`, () =>
    aws.findDistribution(host),
  );
  if (distribution === undefined) {
    return mustExist
      ? withFindings(
          ID,
          TITLE,
          'issuer',
          [makeFinding('CLOUDFRONT_DISTRIBUTION_NOT_FOUND', `no distribution serves ${host}`, input.vars)],
          '',
        )
      : passed(ID, TITLE, 'issuer', `${host} is not an S3 or CloudFront host of this account: self-hosted`);
  }
  const origin =
    distribution.origins.find((o) => o.id === distribution.defaultOriginId) ?? distribution.origins[0];
  const vars: TemplateVars = {
    ...input.vars,
    distributionId: distribution.id,
    distributionArn: distribution.arn,
  };
  const originHost = origin === undefined ? undefined : classifyIssuerHost(`https://${origin.domainName}`);
  if (origin === undefined || originHost?.kind !== 's3') {
    return passed(
      ID,
      TITLE,
      'issuer',
      `distribution ${distribution.id}: origin is not an S3 bucket; origin access not checked`,
    );
  }
  const bucketName = originHost.bucket;
  const bucket = await input.memo.get<BucketObservation>(`bucket:${bucketName}`, () =>
    aws.getBucket(bucketName),
  );
  const bucketVars: TemplateVars = { ...vars, bucket: bucketName, region: originHost.region };
  if (!bucket.exists) {
    return withFindings(
      ID,
      TITLE,
      'issuer',
      [
        makeFinding(
          'S3_BUCKET_MISSING',
          `origin bucket ${bucketName} of distribution ${distribution.id} does not exist`,
          bucketVars,
        ),
      ],
      '',
    );
  }
  // CloudFront prepends OriginPath to the request path (§8).
  const prefix = origin.originPath.replace(/^\/+/, '');
  const keys = issuerObjectKeys(`https://${host}`, input.jwksUri);
  const objectKey = (k: string): string => (prefix === '' ? k : `${prefix.replace(/\/+$/, '')}/${k}`);
  const oac = origin.originAccessControlId !== undefined && origin.originAccessControlId !== '';
  const oaiMatch = /origin-access-identity\/cloudfront\/(.+)$/.exec(origin.originAccessIdentity ?? '');
  const oaiId = oaiMatch?.[1];
  const findings: Finding[] = [];
  const wanted = [keys.discovery, keys.jwks].map(objectKey);
  if (!oac && oaiId === undefined) {
    findings.push(
      makeFinding(
        'CLOUDFRONT_ORIGIN_UNPROTECTED',
        `origin ${origin.id} (${origin.domainName}) of ${distribution.id} has no OAC and no OAI`,
        bucketVars,
      ),
    );
    const closed = wanted.filter(
      (k) => !publiclyReadableKeys(bucket.policy, input.partition, bucketName, [k]).includes(k),
    );
    if (closed.length > 0) {
      findings.push(
        makeFinding(
          'CLOUDFRONT_ORIGIN_ACCESS_DENIED',
          `CloudFront reads ${bucketName} anonymously, but ${closed.join(', ')} are not public`,
          bucketVars,
        ),
      );
    }
  } else {
    const denied = wanted.filter(
      (k) =>
        !grantsCloudFront(
          bucket.policy,
          input.partition,
          bucketName,
          k,
          distribution.arn,
          oac ? undefined : oaiId,
        ),
    );
    if (denied.length > 0) {
      findings.push(
        makeFinding(
          'CLOUDFRONT_ORIGIN_ACCESS_DENIED',
          `the policy of ${bucketName} does not grant ${oac ? `cloudfront.amazonaws.com for ${distribution.arn}` : `OAI ${oaiId ?? ''}`} s3:GetObject on ${denied.join(', ')}`,
          bucketVars,
        ),
      );
    }
  }
  return withFindings(
    ID,
    TITLE,
    'issuer',
    findings,
    `distribution ${distribution.id} (${distribution.status}) reads ${bucketName} with ${oac ? 'origin access control' : `OAI ${oaiId ?? ''}`}`,
  );
}

/** Runs the hosting check for one issuer. */
export async function checkHosting(input: HostingInput): Promise<CheckResult> {
  const host = classifyIssuerHost(input.issuer);
  if (host === undefined) return couldNotCheck(ID, TITLE, 'issuer', `${input.issuer} is not a URL`);
  const aws = input.aws;
  if (aws === undefined) return couldNotCheck(ID, TITLE, 'issuer', input.awsUnavailable);
  try {
    if (host.kind === 's3') return await s3Findings(input, aws, host.bucket, host.region);
    return await cloudFrontFindings(input, aws, host.host, host.kind === 'cloudfront');
  } catch (e) {
    return couldNotCheck(ID, TITLE, 'issuer', reasonOf(e));
  }
}
