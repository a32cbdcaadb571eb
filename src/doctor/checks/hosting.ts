import type {
  BucketObservation,
  DistributionConfigObservation,
  DistributionObservation,
  IdentityObserver,
  PublicAccessBlock,
} from '../ports.js';
import { s3VirtualHost } from '../../core/issuer.js';
import { parseArn } from '../../core/partitions.js';
import {
  describeDecidedBy,
  describeRequester,
  evaluateS3Access,
  type S3AccessDecision,
  type S3PublicAccessBlock,
  type S3Requester,
} from '../../core/s3-access.js';
import type { HttpObservation } from '../../webidentity/types.js';
import type { Memo } from '../context.js';
import type { FindingCode, TemplateVars } from '../findings/registry.js';
import { classifyIssuerHost } from '../issuer-host.js';
import type { Fix } from '../fix.js';
import { hostingFix, originRegionFix } from '../fixes.js';
import { makeFinding, withRemedy, type CheckResult, type Finding } from '../report.js';
import { couldNotCheck, passed, reasonOf, withFindings } from './check.js';
import { FUNCTION_URL_HOST, checkFunctionUrlHosting } from './hosting-lambda.js';

/**
 * How the issuer is hosted, read from AWS: for public S3 hosting the bucket policy and the
 * public-access block of the bucket and of the account (aws-sts-oidc.md §7); for private hosting
 * behind CloudFront the distribution's origin access (OAC or OAI) and the bucket policy that must
 * grant it (§8). S3's decision comes from the one S3 access evaluator (src/core/s3-access.ts) fed
 * with everything read — policy, the documents' object ACLs (ccoctl ≤ 4.12 publishes with
 * public-read ACLs), Object Ownership, bucket and account blocks — and is compared with what the
 * anonymous fetch got; where they differ, the difference is the finding. These findings explain a
 * 403 the model turns into "Couldn't retrieve verification key…"; the verdict itself always comes
 * from the model.
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

function describeBlock(block: PublicAccessBlock | undefined): string {
  if (block === undefined) return 'none';
  const on = Object.entries(block)
    .filter(([, v]) => v)
    .map(([k]) => k);
  return on.length === 0 ? 'all off' : on.join(', ');
}

/** The port's block in the evaluator's (S3 API) shape. */
function s3Block(block: PublicAccessBlock | undefined): S3PublicAccessBlock | undefined {
  return block === undefined
    ? undefined
    : {
        BlockPublicAcls: block.blockPublicAcls,
        IgnorePublicAcls: block.ignorePublicAcls,
        BlockPublicPolicy: block.blockPublicPolicy,
        RestrictPublicBuckets: block.restrictPublicBuckets,
      };
}

type ExistingBucket = Extract<BucketObservation, { exists: true }>;

/** S3's decision for `requester` reading `key` of the bucket, from everything that was read. */
function decide(
  bucket: ExistingBucket,
  bucketName: string,
  key: string,
  requester: S3Requester,
  partition: string,
  account: PublicAccessBlock | undefined,
  ownerAccountId: string | undefined,
): S3AccessDecision {
  const acl = bucket.objectAcls?.[key];
  return evaluateS3Access({
    requester,
    action: 's3:GetObject',
    bucket: bucketName,
    key,
    partition,
    ...(bucket.policy === undefined ? {} : { policy: bucket.policy }),
    ...(acl === undefined ? {} : { objectAcl: acl }),
    ...(bucket.objectOwnership === undefined ? {} : { objectOwnership: bucket.objectOwnership }),
    ...(bucket.publicAccessBlock === undefined
      ? {}
      : { bucketPublicAccessBlock: s3Block(bucket.publicAccessBlock) ?? {} }),
    ...(account === undefined ? {} : { accountPublicAccessBlock: s3Block(account) ?? {} }),
    ...(ownerAccountId === undefined ? {} : { bucketOwnerAccountId: ownerAccountId }),
    objectExists: bucket.objectKeysTruncated || bucket.objectKeys.includes(key),
  });
}

/** The registry code for an anonymous read S3's rules deny. */
function denialCode(d: S3AccessDecision): FindingCode {
  if (d.decidedBy.rule === 'block-public-access') {
    return d.decidedBy.level === 'bucket'
      ? 'S3_BUCKET_PUBLIC_ACCESS_BLOCK'
      : 'S3_ACCOUNT_PUBLIC_ACCESS_BLOCK';
  }
  return 'ISSUER_PRIVATE_BUCKET';
}

/** Why S3 decided, in words: the rule, and the grants that did not count. */
function explainDecision(key: string, d: S3AccessDecision): string {
  const suppressed = d.suppressed.map(
    (x) => `${describeDecidedBy(x.grant)} is ignored because of ${describeDecidedBy(x.by)}`,
  );
  return `${key}: ${d.status} (${d.reason}, decided by ${describeDecidedBy(d.decidedBy)}): ${d.message}${suppressed.length === 0 ? '' : `; ${suppressed.join('; ')}`}`;
}

/** The status the anonymous fetch got for a document, when it got an HTTP answer. */
function fetchedStatus(o: HttpObservation | undefined): number | undefined {
  return o?.ok === true ? o.status : undefined;
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
  /** What the anonymous fetch of the two documents got (the model's view), to compare with S3's rules. */
  readonly fetched?: { readonly discovery?: HttpObservation; readonly jwks?: HttpObservation };
}

async function s3Findings(
  input: HostingInput,
  aws: IdentityObserver,
  bucketName: string,
  urlRegion: string,
): Promise<CheckResult> {
  const keys = issuerObjectKeys(input.issuer, input.jwksUri);
  const wanted = [keys.discovery, keys.jwks];
  const bucket = await input.memo.get<BucketObservation>(`bucket:${bucketName}:${wanted.join(',')}`, () =>
    aws.getBucket(bucketName, wanted),
  );
  // Fixes act on the bucket where it really is (GetBucketLocation), not where the URL says.
  const region = bucket.exists ? (bucket.region ?? urlRegion) : urlRegion;
  const vars: TemplateVars = { ...input.vars, bucket: bucketName, region };
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
  const findings: Finding[] = [];
  const blocks = `public-access block: bucket ${describeBlock(bucket.publicAccessBlock)}; account ${
    input.accountId === undefined ? 'not read (account unknown)' : (accountProblem ?? describeBlock(account))
  }`;
  const withAccount: TemplateVars = {
    ...vars,
    ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
  };
  if (bucket.region !== undefined && bucket.region !== urlRegion) {
    findings.push(
      makeFinding(
        'S3_ISSUER_REGION_MISMATCH',
        `the issuer URL names region ${urlRegion}, but bucket ${bucketName} is in ${bucket.region}`,
        withAccount,
      ),
    );
  }
  const anonymous: S3Requester = { kind: 'anonymous' };
  const decisions = wanted.map(
    (key) =>
      [key, decide(bucket, bucketName, key, anonymous, input.partition, account, input.accountId)] as const,
  );
  const fetched = [fetchedStatus(input.fetched?.discovery), fetchedStatus(input.fetched?.jwks)];
  // A missing document is the documents check's finding (DISCOVERY_/JWKS_HTTP_STATUS), not hosting's.
  const missing = (d: S3AccessDecision): boolean =>
    d.reason === 'no-such-key' || d.reason === 'no-such-key-unlistable';
  const denied = decisions.filter(([, d]) => !d.allowed && !missing(d));
  if (denied.length > 0) {
    const [, first] = denied[0] as (typeof denied)[number];
    const detail = `bucket ${bucketName}: S3's rules deny the anonymous reader: ${denied.map(([k, d]) => explainDecision(k, d)).join(' | ')} (${blocks})`;
    // S3's rules as read say 403/404, yet the fetch from where STS stands got 200 (a cache, a CDN,
    // or a rule the evaluator does not model): that difference is what to report, not an error.
    const servedAnyway = decisions.every(([, d], i) => d.allowed || missing(d) || fetched[i] === 200);
    findings.push(
      servedAnyway
        ? makeFinding(
            'HOSTING_RULES_DISAGREE_WITH_FETCH',
            `${detail}; yet the anonymous fetch got 200 for both documents`,
            withAccount,
          )
        : withRemedy(
            makeFinding(denialCode(first), detail, withAccount),
            hostingFix(denialCode(first), {
              partition: input.partition,
              bucket: bucketName,
              region,
              policy: bucket.policy,
              keys: wanted,
              bucketBlock: bucket.publicAccessBlock,
              accountBlock: account,
              accountId: input.accountId,
            }),
          ),
    );
  } else {
    const allowedFetchFailed = decisions.some(
      ([, d], i) => d.allowed && fetched[i] !== undefined && fetched[i] !== 200,
    );
    if (allowedFetchFailed) {
      findings.push(
        makeFinding(
          'HOSTING_RULES_DISAGREE_WITH_FETCH',
          `bucket ${bucketName}: S3's rules let the anonymous reader in (${decisions.map(([k, d]) => `${k}: ${describeDecidedBy(d.decidedBy)}`).join('; ')}), yet the fetch got HTTP ${fetched.map((f) => f ?? 'no answer').join(' and ')}`,
          withAccount,
        ),
      );
    }
    const others = bucket.objectKeys
      .filter((k) => !wanted.includes(k))
      .filter(
        (k) =>
          decide(
            { ...bucket, objectAcls: {} },
            bucketName,
            k,
            anonymous,
            input.partition,
            account,
            input.accountId,
          ).allowed,
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
  const how = decisions.map(([k, d]) => `${k} by ${describeDecidedBy(d.decidedBy)}`).join('; ');
  const result = withFindings(
    ID,
    TITLE,
    'issuer',
    findings,
    `bucket ${bucketName}: issuer objects public in ${region}, the anonymous reader may read ${how} (${blocks})`,
  );
  if (accountProblem !== undefined && findings.length === 0) {
    return couldNotCheck(ID, TITLE, 'issuer', `account public-access block: ${accountProblem}`);
  }
  return result;
}

/**
 * The fix of an origin naming the wrong region, from the distribution's whole configuration and
 * ETag (read only when the mismatch is found). Without them — an observer that cannot read the
 * configuration, or a caller refused cloudfront:GetDistributionConfig — the finding keeps the
 * registry's text: the mismatch is still what STS trips on.
 */
async function originRegionRemedy(
  input: HostingInput,
  aws: IdentityObserver,
  distributionId: string,
  originId: string,
  bucket: string,
  region: string,
): Promise<Fix | undefined> {
  if (aws.getDistributionConfig === undefined) return undefined;
  const read = aws.getDistributionConfig.bind(aws);
  let distribution: DistributionConfigObservation | undefined;
  try {
    distribution = await input.memo.get(`distribution-config:${distributionId}`, () => read(distributionId));
  } catch {
    return undefined;
  }
  return distribution === undefined ? undefined : originRegionFix({ distribution, originId, bucket, region });
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
  // CloudFront prepends OriginPath to the request path (§8).
  const prefix = origin.originPath.replace(/^\/+/, '');
  // The issuer's path is part of the key (a fleet member's documents are under `<cluster>/`).
  const keys = issuerObjectKeys(input.issuer, input.jwksUri);
  const objectKey = (k: string): string => (prefix === '' ? k : `${prefix.replace(/\/+$/, '')}/${k}`);
  const wanted = [keys.discovery, keys.jwks].map(objectKey);
  const bucket = await input.memo.get<BucketObservation>(`bucket:${bucketName}:${wanted.join(',')}`, () =>
    aws.getBucket(bucketName, wanted),
  );
  const region = bucket.exists ? (bucket.region ?? originHost.region) : originHost.region;
  const bucketVars: TemplateVars = { ...vars, bucket: bucketName, region };
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
  const oac = origin.originAccessControlId !== undefined && origin.originAccessControlId !== '';
  const oaiMatch = /origin-access-identity\/cloudfront\/(.+)$/.exec(origin.originAccessIdentity ?? '');
  const oaiId = oaiMatch?.[1];
  const findings: Finding[] = [];
  if (bucket.region !== undefined && bucket.region !== originHost.region) {
    const bucketRegion = bucket.region;
    findings.push(
      withRemedy(
        makeFinding(
          'CLOUDFRONT_ORIGIN_REGION_MISMATCH',
          `origin ${origin.domainName} of ${distribution.id} names region ${originHost.region}, but bucket ${bucketName} is in ${bucketRegion}`,
          { ...bucketVars, originDomain: s3VirtualHost(bucketName, bucketRegion) },
        ),
        await originRegionRemedy(input, aws, distribution.id, origin.id, bucketName, bucketRegion),
      ),
    );
  }
  const distributionAccount = parseArn(distribution.arn)?.account;
  const requester: S3Requester = oac
    ? {
        kind: 'service',
        service: 'cloudfront.amazonaws.com',
        sourceArn: distribution.arn,
        ...(distributionAccount === undefined || distributionAccount === ''
          ? {}
          : { sourceAccount: distributionAccount }),
      }
    : oaiId !== undefined
      ? { kind: 'oai', id: oaiId, partition: input.partition }
      : { kind: 'anonymous' };
  let account: PublicAccessBlock | undefined;
  if (input.accountId !== undefined) {
    const accountId = input.accountId;
    try {
      account = await input.memo.get(`account-bpa:${accountId}`, () =>
        aws.getAccountPublicAccessBlock(accountId),
      );
    } catch {
      // Only anonymous reads depend on it, and those are reported as unprotected anyway.
    }
  }
  const decisions = wanted.map(
    (k) => [k, decide(bucket, bucketName, k, requester, input.partition, account, input.accountId)] as const,
  );
  const denied = decisions.filter(
    ([, d]) => !d.allowed && d.reason !== 'no-such-key' && d.reason !== 'no-such-key-unlistable',
  );
  if (requester.kind === 'anonymous') {
    findings.push(
      makeFinding(
        'CLOUDFRONT_ORIGIN_UNPROTECTED',
        `origin ${origin.id} (${origin.domainName}) of ${distribution.id} has no OAC and no OAI`,
        bucketVars,
      ),
    );
  }
  if (denied.length > 0) {
    findings.push(
      withRemedy(
        makeFinding(
          'CLOUDFRONT_ORIGIN_ACCESS_DENIED',
          `S3's rules deny ${describeRequester(requester)} on bucket ${bucketName}: ${denied.map(([k, d]) => explainDecision(k, d)).join(' | ')}`,
          bucketVars,
        ),
        hostingFix('CLOUDFRONT_ORIGIN_ACCESS_DENIED', {
          partition: input.partition,
          bucket: bucketName,
          region,
          policy: bucket.policy,
          keys: wanted,
          bucketBlock: bucket.publicAccessBlock,
          accountBlock: account,
          accountId: input.accountId,
          ...(oac ? { distributionArn: distribution.arn } : oaiId === undefined ? {} : { oaiId }),
        }),
      ),
    );
  }
  return withFindings(
    ID,
    TITLE,
    'issuer',
    findings,
    `distribution ${distribution.id} (${distribution.status}) reads ${bucketName} (${region}) as ${describeRequester(requester)}: ${decisions.map(([k, d]) => `${k} by ${describeDecidedBy(d.decidedBy)}`).join('; ')}`,
  );
}

/** Runs the hosting check for one issuer. */
export async function checkHosting(input: HostingInput): Promise<CheckResult> {
  const host = classifyIssuerHost(input.issuer);
  if (host === undefined) return couldNotCheck(ID, TITLE, 'issuer', `${input.issuer} is not a URL`);
  const aws = input.aws;
  if (aws === undefined) return couldNotCheck(ID, TITLE, 'issuer', input.awsUnavailable);
  try {
    if (host.kind === 'other' && FUNCTION_URL_HOST.test(host.host)) {
      return await checkFunctionUrlHosting({
        host: host.host,
        aws,
        memo: input.memo,
        vars: input.vars,
        ...(input.fetched === undefined ? {} : { fetched: input.fetched }),
      });
    }
    if (host.kind === 's3') return await s3Findings(input, aws, host.bucket, host.region);
    return await cloudFrontFindings(input, aws, host.host, host.kind === 'cloudfront');
  } catch (e) {
    return couldNotCheck(ID, TITLE, 'issuer', reasonOf(e));
  }
}
