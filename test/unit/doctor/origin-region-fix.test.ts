import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConcrete } from '../../../src/doctor/fix.js';
import { DISTRIBUTION_CONFIG_FILE, originRegionFix } from '../../../src/doctor/fixes.js';
import { checkHosting } from '../../../src/doctor/checks/hosting.js';
import { Memo } from '../../../src/doctor/context.js';
import type {
  DistributionConfigDocument,
  DistributionConfigObservation,
  IdentityObserver,
} from '../../../src/doctor/ports.js';
import type { Finding } from '../../../src/doctor/report.js';

/**
 * CLOUDFRONT_ORIGIN_REGION_MISMATCH as data: the distribution's configuration as
 * GetDistributionConfig returns it goes in, the `update-distribution` + `wait distribution-deployed`
 * steps come out with the one origin's domain corrected, everything else sent back as read.
 */

const BUCKET = 'demo-oidc';
const DIST = 'E2QWRUHAPOMQZL';
const ETAG = 'E3UN6WX5RRO2AG';

/** A configuration shaped like CloudFront's answer: two origins, a cache behaviour, aliases, logging. */
function config(originDomain: string): DistributionConfigDocument {
  return {
    CallerReference: 'demo-2026-11-30',
    Aliases: { Quantity: 1, Items: ['oidc.example.com'] },
    DefaultRootObject: '',
    Origins: {
      Quantity: 2,
      Items: [
        {
          Id: 'logs',
          DomainName: 'demo-logs.s3.eu-west-1.amazonaws.com',
          OriginPath: '',
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '' },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginAccessControlId: 'E1OAC',
        },
        {
          Id: 'oidc',
          DomainName: originDomain,
          OriginPath: '/cluster-a',
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '' },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginAccessControlId: 'E2OAC',
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 'oidc',
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
    },
    Comment: 'issuer of cluster-a',
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: 'PriceClass_All',
    Enabled: true,
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
  };
}

function observed(originDomain: string): DistributionConfigObservation {
  return { id: DIST, etag: ETAG, config: config(originDomain) };
}

test('the fix rewrites only the wrong origin, then updates with the ETag and waits for the deployment', () => {
  const before = observed(`${BUCKET}.s3.us-west-2.amazonaws.com`);
  const fix = originRegionFix({
    distribution: before,
    originId: 'oidc',
    bucket: BUCKET,
    region: 'us-east-1',
  });
  assert.ok(fix !== undefined);
  assert.equal(isConcrete(fix), true);
  assert.match(
    fix.summary,
    /origin oidc of distribution E2QWRUHAPOMQZL at demo-oidc\.s3\.us-east-1\.amazonaws\.com/,
  );
  const [update, wait, ...rest] = fix.steps;
  assert.deepEqual(rest, []);
  assert.ok(update !== undefined && wait !== undefined);
  assert.deepEqual(update.argv, [
    'aws',
    'cloudfront',
    'update-distribution',
    '--id',
    DIST,
    '--if-match',
    ETAG,
    '--distribution-config',
    `file://${DISTRIBUTION_CONFIG_FILE}`,
  ]);
  assert.equal(update.kind, 'aws-cli');
  assert.deepEqual(wait.argv, ['aws', 'cloudfront', 'wait', 'distribution-deployed', '--id', DIST]);
  assert.equal(wait.files, undefined);
  // The file is the observed configuration with one field changed: the wrong origin's DomainName.
  assert.equal(update.files?.length, 1);
  const file = update.files[0];
  assert.ok(file !== undefined);
  assert.equal(file.name, 'distribution-config.json');
  const sent = JSON.parse(file.content) as DistributionConfigDocument;
  const expected = config(`${BUCKET}.s3.us-east-1.amazonaws.com`);
  assert.deepEqual(sent, expected);
  // The other origin, in another region on purpose, is left alone; the input is not mutated.
  assert.equal(sent.Origins?.Items?.[0]?.DomainName, 'demo-logs.s3.eu-west-1.amazonaws.com');
  assert.deepEqual(before.config, config(`${BUCKET}.s3.us-west-2.amazonaws.com`));
});

test('a bucket in China gets the .amazonaws.com.cn endpoint of its partition', () => {
  const fix = originRegionFix({
    distribution: observed(`${BUCKET}.s3.cn-northwest-1.amazonaws.com.cn`),
    originId: 'oidc',
    bucket: BUCKET,
    region: 'cn-north-1',
  });
  const sent = JSON.parse(fix?.steps[0]?.files?.[0]?.content ?? '{}') as DistributionConfigDocument;
  assert.equal(sent.Origins?.Items?.[1]?.DomainName, `${BUCKET}.s3.cn-north-1.amazonaws.com.cn`);
  assert.match(fix?.steps[0]?.description ?? '', /to demo-oidc\.s3\.cn-north-1\.amazonaws\.com\.cn/);
});

test('no fix when the configuration has no such origin, or the origin already names the right endpoint', () => {
  const wrong = observed(`${BUCKET}.s3.us-west-2.amazonaws.com`);
  assert.equal(
    originRegionFix({ distribution: wrong, originId: 'gone', bucket: BUCKET, region: 'us-east-1' }),
    undefined,
  );
  assert.equal(
    originRegionFix({
      distribution: observed(`${BUCKET}.s3.us-east-1.amazonaws.com`),
      originId: 'oidc',
      bucket: BUCKET,
      region: 'us-east-1',
    }),
    undefined,
  );
});

/** A port whose distribution's default origin names us-west-2 while the bucket is in us-east-1. */
function mismatchedAws(getDistributionConfig?: IdentityObserver['getDistributionConfig']): IdentityObserver {
  const unused = (): Promise<never> => Promise.reject(new Error('not read by the hosting check'));
  return {
    listOidcProviders: unused,
    getRole: unused,
    getBucket: () =>
      Promise.resolve({
        exists: true,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
          ],
        }),
        publicAccessBlock: undefined,
        objectKeys: ['cluster-a/.well-known/openid-configuration', 'cluster-a/keys.json'],
        objectKeysTruncated: false,
        region: 'us-east-1',
      }),
    getAccountPublicAccessBlock: () => Promise.resolve(undefined),
    findDistribution: () =>
      Promise.resolve({
        id: DIST,
        arn: `arn:aws:cloudfront::123456789012:distribution/${DIST}`,
        domainName: 'd111111abcdef8.cloudfront.net',
        aliases: [],
        status: 'Deployed',
        enabled: true,
        defaultOriginId: 'oidc',
        origins: [
          {
            id: 'oidc',
            domainName: `${BUCKET}.s3.us-west-2.amazonaws.com`,
            originPath: '/cluster-a',
            originAccessControlId: undefined,
            originAccessIdentity: '',
          },
        ],
      }),
    ...(getDistributionConfig === undefined ? {} : { getDistributionConfig }),
    assumeRoleWithWebIdentity: unused,
    destroy: () => undefined,
  };
}

async function regionFinding(aws: IdentityObserver): Promise<Finding | undefined> {
  const result = await checkHosting({
    issuer: 'https://d111111abcdef8.cloudfront.net',
    jwksUri: 'https://d111111abcdef8.cloudfront.net/keys.json',
    aws,
    awsUnavailable: '',
    memo: new Memo(),
    accountId: '123456789012',
    partition: 'aws',
    vars: {},
  });
  const outcome = result.outcome;
  assert.ok(outcome.status === 'fail', JSON.stringify(outcome));
  return outcome.findings.find((f) => f.code === 'CLOUDFRONT_ORIGIN_REGION_MISMATCH');
}

test('the hosting check carries the fix when the port reads the configuration, read once', async () => {
  const reads: string[] = [];
  const finding = await regionFinding(
    mismatchedAws((id) => {
      reads.push(id);
      return Promise.resolve(observed(`${BUCKET}.s3.us-west-2.amazonaws.com`));
    }),
  );
  assert.deepEqual(reads, [DIST]);
  assert.ok(finding !== undefined);
  assert.deepEqual(
    finding.remedy?.steps.map((s) => s.argv.slice(0, 3)),
    [
      ['aws', 'cloudfront', 'update-distribution'],
      ['aws', 'cloudfront', 'wait'],
    ],
  );
  // The printed fix is the steps as shell lines: a here-document of the configuration, then the update.
  assert.match(finding.fix[0] ?? '', /^cat > distribution-config\.json <<'EOF'\n/);
  assert.match(finding.fix[1] ?? '', /^aws cloudfront wait distribution-deployed --id E2QWRUHAPOMQZL$/);
});

test('without the configuration (unreadable, or a port that cannot read it) the finding stays, with the registry text', async () => {
  for (const aws of [
    mismatchedAws(() => Promise.reject(new Error('AccessDenied: cloudfront:GetDistributionConfig'))),
    mismatchedAws(),
  ]) {
    const finding = await regionFinding(aws);
    assert.equal(finding?.remedy, undefined);
    assert.equal(
      finding?.fix[0],
      "set the origin domain of E2QWRUHAPOMQZL to demo-oidc.s3.us-east-1.amazonaws.com (the bucket's regional endpoint)",
    );
  }
});
