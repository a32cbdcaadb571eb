import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  evaluateS3Access,
  type S3AccessInput,
  type S3AclGrant,
  type S3BlockSetting,
  type S3PublicAccessBlock,
  type S3Requester,
} from '../../../src/core/index.js';

/**
 * Properties S3's rules guarantee whatever the configuration:
 * - "An explicit deny in any policy overrides any allows" (IAM reference_policies_evaluation-logic.md):
 *   adding a Deny statement that covers the request never turns a refusal into a 200 — the
 *   answer is then always 403;
 * - Block Public Access settings only take access away ("S3 Block Public Access settings override
 *   these policies and permissions so that you can limit public access", S3 User Guide,
 *   access-control-block-public-access.md): turning one on never turns a refusal into a 200.
 */

const BUCKET = 'prop-oidc';
const DIST = 'arn:aws:cloudfront::123456789012:distribution/EPROP';
const OAI_ID = 'EPROPOAI';

const requesters: S3Requester[] = [
  { kind: 'anonymous' },
  { kind: 'service', service: 'cloudfront.amazonaws.com', sourceArn: DIST, sourceAccount: '123456789012' },
  {
    kind: 'service',
    service: 'cloudfront.amazonaws.com',
    sourceArn: 'arn:aws:cloudfront::123456789012:distribution/EOTHER',
    sourceAccount: '123456789012',
  },
  { kind: 'oai', id: OAI_ID, canonicalUserId: 'oai-canonical' },
  {
    kind: 'iam',
    arn: 'arn:aws:iam::123456789012:role/r',
    accountId: '123456789012',
    identityPolicy: 'allow',
  },
  {
    kind: 'iam',
    arn: 'arn:aws:iam::210987654321:role/x',
    accountId: '210987654321',
    identityPolicy: 'allow',
  },
];

/** Statements seen on issuer buckets and their neighbours. */
const statementPool: object[] = [
  { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
  { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' },
  { Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
  {
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
    Condition: { StringEquals: { 'AWS:SourceArn': DIST } },
  },
  {
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${OAI_ID}` },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  },
  {
    Effect: 'Allow',
    Principal: { AWS: '210987654321' },
    Action: 's3:*',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  },
  {
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
  },
  { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/private/*` },
  {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: '*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  },
];

const grantPool: S3AclGrant[] = [
  { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
  {
    Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' },
    Permission: 'READ',
  },
  { Grantee: { Type: 'CanonicalUser', ID: 'oai-canonical' }, Permission: 'READ' },
  { Grantee: { Type: 'CanonicalUser', ID: 'owner' }, Permission: 'FULL_CONTROL' },
];

const SETTINGS: S3BlockSetting[] = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
];

const block: fc.Arbitrary<S3PublicAccessBlock | undefined> = fc.option(
  fc.record({
    BlockPublicAcls: fc.boolean(),
    IgnorePublicAcls: fc.boolean(),
    BlockPublicPolicy: fc.boolean(),
    RestrictPublicBuckets: fc.boolean(),
  }),
  { nil: undefined },
);

const configuration: fc.Arbitrary<S3AccessInput> = fc
  .record({
    requester: fc.constantFrom(...requesters),
    action: fc.constantFrom('s3:GetObject', 's3:ListBucket'),
    key: fc.constantFrom('keys.json', '.well-known/openid-configuration', 'private/x'),
    statements: fc.subarray(statementPool),
    objectAcl: fc.subarray(grantPool),
    bucketAcl: fc.subarray(grantPool),
    ownership: fc.constantFrom(undefined, 'BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'),
    bucketBlock: block,
    accountBlock: block,
    objectExists: fc.boolean(),
    secureTransport: fc.boolean(),
  })
  .map((c) => ({
    requester: c.requester,
    action: c.action,
    bucket: BUCKET,
    ...(c.action === 's3:GetObject' ? { key: c.key } : {}),
    ...(c.statements.length === 0
      ? {}
      : { policy: JSON.stringify({ Version: '2012-10-17', Statement: c.statements }) }),
    objectAcl: c.objectAcl,
    bucketAcl: c.bucketAcl,
    ...(c.ownership === undefined ? {} : { objectOwnership: c.ownership }),
    ...(c.bucketBlock === undefined ? {} : { bucketPublicAccessBlock: c.bucketBlock }),
    ...(c.accountBlock === undefined ? {} : { accountPublicAccessBlock: c.accountBlock }),
    bucketOwnerAccountId: '123456789012',
    objectExists: c.objectExists,
    secureTransport: c.secureTransport,
  }));

function withDenyCovering(input: S3AccessInput): S3AccessInput {
  const statements: object[] =
    typeof input.policy === 'string' ? (JSON.parse(input.policy) as { Statement: object[] }).Statement : [];
  const deny = { Effect: 'Deny', Principal: '*', Action: input.action, Resource: `arn:aws:s3:::${BUCKET}*` };
  return { ...input, policy: JSON.stringify({ Version: '2012-10-17', Statement: [...statements, deny] }) };
}

test('adding an explicit Deny that covers the request never turns a refusal into a 200: the answer is 403', () => {
  fc.assert(
    fc.property(configuration, (input) => {
      const before = evaluateS3Access(input);
      const after = evaluateS3Access(withDenyCovering(input));
      assert.equal(after.status, 403, after.message);
      assert.equal(after.reason, 'policy-explicit-deny');
      if (before.status !== 200) assert.notEqual(after.status, 200);
    }),
    { numRuns: 500 },
  );
});

test('turning on any Block Public Access setting, at bucket or account level, never turns a refusal into a 200', () => {
  fc.assert(
    fc.property(
      configuration,
      fc.constantFrom(...SETTINGS),
      fc.constantFrom('bucketPublicAccessBlock', 'accountPublicAccessBlock'),
      (input, setting, level) => {
        const before = evaluateS3Access(input);
        const after = evaluateS3Access({ ...input, [level]: { ...input[level], [setting]: true } });
        if (before.status !== 200)
          assert.notEqual(after.status, 200, `${setting} on ${level}: ${after.message}`);
        // And a grant it takes away is named.
        if (before.status === 200 && after.status !== 200) {
          assert.ok(
            after.suppressed.some((s) => s.by.rule === 'block-public-access' && s.by.setting === setting),
            after.message,
          );
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('the order of the statements does not change the status', () => {
  fc.assert(
    fc.property(configuration, (input) => {
      if (typeof input.policy !== 'string') return;
      const statements = (JSON.parse(input.policy) as { Statement: object[] }).Statement;
      const reversed = { ...input, policy: JSON.stringify({ Statement: [...statements].reverse() }) };
      assert.equal(evaluateS3Access(reversed).status, evaluateS3Access(input).status);
    }),
    { numRuns: 300 },
  );
});
