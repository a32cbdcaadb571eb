import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateS3Access,
  isPolicyPublic,
  parseBucketPolicy,
  StsctlAggregateError,
  StsctlError,
  type S3AccessInput,
  type S3AclGrant,
  type S3Requester,
} from '../../../src/core/index.js';

/**
 * The S3 access evaluator against AWS's documented cases. Sources, cited per case:
 * - [BPA] S3 User Guide, access-control-block-public-access.md ("Block public access settings",
 *   "The meaning of 'public'"), read 2026-11-29;
 * - [OAC] CloudFront guide, private-content-restricting-access-to-s3.md (aws-sts-oidc.md §8, policy verbatim);
 * - [ccoctl] ccoctl.md §3.2 (public mode: policy + BPA flags; ≤ 4.12: public-read ACLs) and §4
 *   (private mode: OAI policy + all four BPA flags);
 * - [GetObject] S3 API reference, GetObject: missing key → 404 with s3:ListBucket, else 403;
 * - [Ownership] S3 API reference, PutBucketAcl: BucketOwnerEnforced → "ACLs are disabled and no
 *   longer affect permissions";
 * - [Eval] IAM reference_policies_evaluation-logic.md: "An explicit deny in any policy overrides any allows".
 */

const BUCKET = 'demo-oidc';
const KEY = '.well-known/openid-configuration';
const DIST = 'arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE';
const OAI_ID = 'E2QWRUHAPOMQZL';
const OAI_CANONICAL = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';

const anonymous: S3Requester = { kind: 'anonymous' };
const cloudfront = (sourceArn = DIST): S3Requester => ({
  kind: 'service',
  service: 'cloudfront.amazonaws.com',
  sourceArn,
  sourceAccount: '123456789012',
});
const oai: S3Requester = { kind: 'oai', id: OAI_ID, canonicalUserId: OAI_CANONICAL };

const policy = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** [ccoctl] §3.2 readOnlyAnonUserPolicyTemplate. */
const publicRead = {
  Sid: 'AllowReadPublicAccess',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};
/** [OAC] verbatim structure. */
const oacRead = {
  Sid: 'AllowCloudFrontServicePrincipalReadOnly',
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringEquals: { 'AWS:SourceArn': DIST } },
};
/** [ccoctl] §4 oidcBucketTemplateAllowingOAIAccess. */
const oaiRead = {
  Sid: '1',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${OAI_ID}` },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};
const publicList = {
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:ListBucket',
  Resource: `arn:aws:s3:::${BUCKET}`,
};
/** The canned ACL `public-read`: owner FULL_CONTROL + AllUsers READ. */
const publicReadAcl: S3AclGrant[] = [
  { Grantee: { Type: 'CanonicalUser', ID: 'owner-canonical-id' }, Permission: 'FULL_CONTROL' },
  { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
];

const read = (over: Partial<S3AccessInput> = {}): S3AccessInput => ({
  requester: anonymous,
  action: 's3:GetObject',
  bucket: BUCKET,
  key: KEY,
  ...over,
});

interface Case {
  readonly name: string;
  readonly input: S3AccessInput;
  readonly status: 200 | 403 | 404;
  readonly reason: string;
  readonly decidedBy?: object;
}

const cases: Case[] = [
  {
    name: '[ccoctl §3.2] public policy: anonymous GetObject → 200 by statement 0',
    input: read({ policy: policy(publicRead) }),
    status: 200,
    reason: 'policy-allow',
    decidedBy: { rule: 'bucket-policy', statement: 0, sid: 'AllowReadPublicAccess', effect: 'Allow' },
  },
  {
    name: '[ccoctl §3.2] public mode as ccoctl sets it (BlockPublicAcls + IgnorePublicAcls on): still 200',
    input: read({
      policy: policy(publicRead),
      bucketPublicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[ccoctl ≤ 4.12] public-read object ACL, no policy → 200 by the AllUsers grant',
    input: read({ objectAcl: publicReadAcl }),
    status: 200,
    reason: 'object-acl-allow',
    decidedBy: { rule: 'object-acl', grant: 1, grantee: 'AllUsers', permission: 'READ' },
  },
  {
    name: '[BPA] public-read ACL with IgnorePublicAcls on the bucket → 403',
    input: read({ objectAcl: publicReadAcl, bucketPublicAccessBlock: { IgnorePublicAcls: true } }),
    status: 403,
    reason: 'public-acl-ignored',
    decidedBy: { rule: 'block-public-access', setting: 'IgnorePublicAcls', level: 'bucket' },
  },
  {
    name: '[BPA] public-read ACL with IgnorePublicAcls on the account only → 403 ("most restrictive combination")',
    input: read({ objectAcl: publicReadAcl, accountPublicAccessBlock: { IgnorePublicAcls: true } }),
    status: 403,
    reason: 'public-acl-ignored',
    decidedBy: { rule: 'block-public-access', setting: 'IgnorePublicAcls', level: 'account' },
  },
  {
    name: '[Ownership] BucketOwnerEnforced + public-read ACL → 403, ACLs disabled',
    input: read({ objectAcl: publicReadAcl, objectOwnership: 'BucketOwnerEnforced' }),
    status: 403,
    reason: 'acls-disabled',
    decidedBy: { rule: 'object-ownership', setting: 'BucketOwnerEnforced' },
  },
  {
    name: '[Ownership] BucketOwnerPreferred keeps ACLs: public-read ACL → 200',
    input: read({ objectAcl: publicReadAcl, objectOwnership: 'BucketOwnerPreferred' }),
    status: 200,
    reason: 'object-acl-allow',
  },
  {
    name: '[OAC] CloudFront with the distribution named in aws:SourceArn → 200',
    input: read({ requester: cloudfront(), policy: policy(oacRead) }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[OAC] CloudFront for another distribution → 403',
    input: read({
      requester: cloudfront('arn:aws:cloudfront::123456789012:distribution/EOTHER'),
      policy: policy(oacRead),
    }),
    status: 403,
    reason: 'no-grant',
    decidedBy: { rule: 'default-deny' },
  },
  {
    name: '[OAC] the anonymous reader → 403 (service principal only)',
    input: read({ policy: policy(oacRead) }),
    status: 403,
    reason: 'no-grant',
  },
  {
    name: '[OAC] under all four BPA settings the (non-public) OAC policy still serves CloudFront → 200',
    input: read({
      requester: cloudfront(),
      policy: policy(oacRead),
      accountPublicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[ccoctl §4] OAI policy (ARN form) with all four BPA settings: the OAI → 200',
    input: read({
      requester: oai,
      policy: policy(oaiRead),
      bucketPublicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[ccoctl §4] OAI policy: the anonymous reader → 403',
    input: read({ policy: policy(oaiRead) }),
    status: 403,
    reason: 'no-grant',
  },
  {
    name: '[OAC guide, legacy OAI] OAI named by its canonical user → 200 for the OAI',
    input: read({
      requester: oai,
      policy: policy({ ...oaiRead, Principal: { CanonicalUser: OAI_CANONICAL } }),
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[OAC guide, legacy OAI] canonical-user form: the anonymous reader → 403',
    input: read({ policy: policy({ ...oaiRead, Principal: { CanonicalUser: OAI_CANONICAL } }) }),
    status: 403,
    reason: 'no-grant',
  },
  {
    name: '[BPA] RestrictPublicBuckets + public policy: the anonymous reader → 403',
    input: read({
      policy: policy(publicRead, oacRead),
      bucketPublicAccessBlock: { RestrictPublicBuckets: true },
    }),
    status: 403,
    reason: 'public-policy-restricted',
    decidedBy: { rule: 'block-public-access', setting: 'RestrictPublicBuckets', level: 'bucket' },
  },
  {
    name: '[BPA] RestrictPublicBuckets + public policy: the OAC service principal → 200',
    input: read({
      requester: cloudfront(),
      policy: policy(publicRead, oacRead),
      bucketPublicAccessBlock: { RestrictPublicBuckets: true },
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[BPA] RestrictPublicBuckets + public policy also cuts non-public delegation (the OAI) → 403',
    input: read({
      requester: oai,
      policy: policy(publicRead, oaiRead),
      accountPublicAccessBlock: { RestrictPublicBuckets: true },
    }),
    status: 403,
    reason: 'public-policy-restricted',
  },
  {
    name: '[Eval] an explicit Deny beats a public Allow',
    input: read({
      policy: policy(publicRead, {
        Sid: 'NoDiscovery',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${BUCKET}/.well-known/*`,
      }),
    }),
    status: 403,
    reason: 'policy-explicit-deny',
    decidedBy: { rule: 'bucket-policy', statement: 1, sid: 'NoDiscovery', effect: 'Deny' },
  },
  {
    name: '[Eval] an explicit Deny beats a public-read ACL too',
    input: read({
      objectAcl: publicReadAcl,
      policy: policy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: '*' }),
    }),
    status: 403,
    reason: 'policy-explicit-deny',
  },
  {
    name: '[GetObject] missing key, policy grants s3:ListBucket → 404',
    input: read({ policy: policy(publicRead, publicList), objectExists: false }),
    status: 404,
    reason: 'no-such-key',
    decidedBy: { rule: 'bucket-policy', statement: 1, effect: 'Allow' },
  },
  {
    name: '[GetObject] missing key without s3:ListBucket → 403',
    input: read({ policy: policy(publicRead), objectExists: false }),
    status: 403,
    reason: 'no-such-key-unlistable',
  },
  {
    name: '[GetObject] missing key, bucket ACL grants AllUsers READ (= ListBucket) → 404',
    input: read({ bucketAcl: publicReadAcl, objectExists: false }),
    status: 404,
    reason: 'no-such-key',
    decidedBy: { rule: 'bucket-acl', grant: 1, grantee: 'AllUsers', permission: 'READ' },
  },
  {
    name: '[GetObject + BPA] missing key, public bucket ACL ignored → 403',
    input: read({
      bucketAcl: publicReadAcl,
      objectExists: false,
      accountPublicAccessBlock: { IgnorePublicAcls: true },
    }),
    status: 403,
    reason: 'no-such-key-unlistable',
  },
  {
    name: '[IAM Bool] Deny when aws:SecureTransport is false: plain HTTP → 403',
    input: read({
      secureTransport: false,
      policy: policy(publicRead, {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    }),
    status: 403,
    reason: 'policy-explicit-deny',
  },
  {
    name: '[IAM Bool] the same Deny over HTTPS does not apply → 200',
    input: read({
      policy: policy(publicRead, {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[IAM missing key] Deny unless aws:SourceAccount is ours: the anonymous reader (no such key) is denied',
    input: read({
      policy: policy(publicRead, {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringNotEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    }),
    status: 403,
    reason: 'policy-explicit-deny',
  },
  {
    name: '[IAM IfExists] an Allow pinned by StringEqualsIfExists on aws:SourceArn admits the anonymous reader, who carries no such key → 200',
    input: read({
      policy: policy({ ...publicRead, Condition: { StringEqualsIfExists: { 'aws:SourceArn': DIST } } }),
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[IAM ArnLike] OAC grant written with ArnLike and a wildcard distribution id → 200',
    input: read({
      requester: cloudfront(),
      policy: policy({
        ...oacRead,
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/*' } },
      }),
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[IAM IpAddress] a grant pinned to 203.0.113.0/24: a reader from 203.0.113.9 → 200',
    input: read({
      sourceIp: '203.0.113.9',
      policy: policy({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[IAM IpAddress] … from 198.51.100.7 → 403',
    input: read({
      sourceIp: '198.51.100.7',
      policy: policy({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
    }),
    status: 403,
    reason: 'no-grant',
  },
  {
    name: '[Resource] a grant on another prefix does not cover the key → 403',
    input: read({ policy: policy({ ...publicRead, Resource: `arn:aws:s3:::${BUCKET}/public/*` }) }),
    status: 403,
    reason: 'no-grant',
  },
  {
    name: '[Resource] ARNs are case-sensitive: a grant on DEMO-OIDC does not cover demo-oidc → 403',
    input: read({ policy: policy({ ...publicRead, Resource: 'arn:aws:s3:::DEMO-OIDC/*' }) }),
    status: 403,
    reason: 'no-grant',
  },
  {
    name: '[Action] actions are case-insensitive: "S3:getobject" covers s3:GetObject → 200',
    input: read({ policy: policy({ ...publicRead, Action: 'S3:getobject' }) }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[NotAction] Allow NotAction s3:Delete* covers GetObject → 200',
    input: read({
      policy: policy({
        Effect: 'Allow',
        Principal: '*',
        NotAction: 's3:Delete*',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
      }),
    }),
    status: 200,
    reason: 'policy-allow',
  },
  {
    name: '[Eval] IAM principal of the owner account allowed by its identity policy → 200',
    input: read({
      requester: {
        kind: 'iam',
        arn: 'arn:aws:iam::123456789012:role/reader',
        accountId: '123456789012',
        identityPolicy: 'allow',
      },
      bucketOwnerAccountId: '123456789012',
    }),
    status: 200,
    reason: 'identity-allow',
  },
  {
    name: '[Eval] IAM principal of another account granted by the bucket but not by its own account → 403',
    input: read({
      requester: { kind: 'iam', arn: 'arn:aws:iam::210987654321:role/reader', accountId: '210987654321' },
      bucketOwnerAccountId: '123456789012',
      policy: policy({ ...publicRead, Principal: { AWS: 'arn:aws:iam::210987654321:root' } }),
    }),
    status: 403,
    reason: 'identity-not-allowed',
  },
];

describe('evaluateS3Access: documented cases', () => {
  for (const c of cases) {
    test(c.name, () => {
      const d = evaluateS3Access(c.input);
      assert.equal(d.status, c.status, d.message);
      assert.equal(d.allowed, c.status === 200);
      assert.equal(d.reason, c.reason, d.message);
      if (c.decidedBy !== undefined) assert.deepEqual(d.decidedBy, c.decidedBy);
    });
  }
});

describe('evaluateS3Access: the explanation', () => {
  test('names the ignored ACL grant and the block level, for the doctor to print', () => {
    const d = evaluateS3Access(
      read({ objectAcl: publicReadAcl, accountPublicAccessBlock: { IgnorePublicAcls: true } }),
    );
    assert.equal(
      d.message,
      `object ACL grant 1 (AllUsers READ) would allow s3:GetObject on arn:aws:s3:::${BUCKET}/${KEY} to the anonymous reader, but IgnorePublicAcls (account level) makes S3 ignore public ACLs`,
    );
    assert.deepEqual(d.suppressed, [
      {
        grant: { rule: 'object-acl', grant: 1, grantee: 'AllUsers', permission: 'READ' },
        by: { rule: 'block-public-access', setting: 'IgnorePublicAcls', level: 'account' },
      },
    ]);
  });

  test('a block on both levels says so', () => {
    const d = evaluateS3Access(
      read({
        objectAcl: publicReadAcl,
        bucketPublicAccessBlock: { IgnorePublicAcls: true },
        accountPublicAccessBlock: { IgnorePublicAcls: true },
      }),
    );
    assert.deepEqual(d.decidedBy, {
      rule: 'block-public-access',
      setting: 'IgnorePublicAcls',
      level: 'bucket+account',
    });
    assert.match(d.message, /IgnorePublicAcls \(bucket and account level\)/);
  });

  test('a missing key explains why listing is refused', () => {
    const d = evaluateS3Access(read({ policy: policy(publicRead), objectExists: false }));
    assert.match(d.message, /does not exist .* may not list the bucket .*403 AccessDenied, not 404/);
    assert.match(d.message, /s3:ListBucket on arn:aws:s3:::demo-oidc/);
  });

  test('an operator the evaluator does not know: an Allow grants nothing and is reported', () => {
    const d = evaluateS3Access(
      read({
        policy: policy({
          ...publicRead,
          Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
        }),
      }),
    );
    assert.equal(d.status, 403);
    assert.deepEqual(d.unevaluated, [{ statement: 0, operator: 'DateGreaterThan' }]);
  });

  test('an operator the evaluator does not know: a Deny is taken to apply', () => {
    const d = evaluateS3Access(
      read({
        policy: policy(publicRead, {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { NumericLessThan: { 's3:max-keys': '10' } },
        }),
      }),
    );
    assert.equal(d.status, 403);
    assert.equal(d.reason, 'policy-explicit-deny');
    assert.deepEqual(d.unevaluated, [{ statement: 1, operator: 'NumericLessThan' }]);
  });

  test('partition: an aws-cn bucket is matched with arn:aws-cn ARNs', () => {
    const cn = policy({ ...publicRead, Resource: `arn:aws-cn:s3:::${BUCKET}/*` });
    assert.equal(evaluateS3Access(read({ policy: cn, partition: 'aws-cn' })).status, 200);
    assert.equal(evaluateS3Access(read({ policy: cn })).status, 403);
  });
});

describe('isPolicyPublic: "The meaning of public" (S3 User Guide, read 2026-11-29)', () => {
  const stmt = (over: object): string =>
    policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', ...over });
  const table: [string, string | undefined, boolean][] = [
    ['no policy', undefined, false],
    [
      'doc example: Federated graph.facebook.com',
      stmt({ Principal: { Federated: 'graph.facebook.com' } }),
      true,
    ],
    ['doc example: Principal "*"', stmt({}), true],
    [
      'doc example: StringLike aws:SourceVpc vpc-*',
      stmt({ Condition: { StringLike: { 'aws:SourceVpc': 'vpc-*' } } }),
      true,
    ],
    [
      'doc example: StringEquals aws:SourceVpc vpc-91237329',
      stmt({ Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } } }),
      false,
    ],
    ['ccoctl public template', policy(publicRead), true],
    ['the OAC policy (fixed service principal)', policy(oacRead), false],
    ['the OAI policy (fixed principal)', policy(oaiRead), false],
    [
      '{"AWS": "*"} pinned by aws:SourceAccount',
      stmt({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }),
      false,
    ],
    [
      'aws:PrincipalOrgID fixed',
      stmt({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
      false,
    ],
    [
      'aws:SourceIp /8 is not broader than /8',
      stmt({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      false,
    ],
    [
      'aws:SourceIp /7 is broader than /8',
      stmt({ Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/7' } } }),
      true,
    ],
    ['aws:SourceIp IPv6 /32', stmt({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } } }), false],
    ['aws:SourceIp IPv6 /31', stmt({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/31' } } }), true],
    [
      'a negated operator pins nothing',
      stmt({ Condition: { StringNotEquals: { 'aws:SourceAccount': '123456789012' } } }),
      true,
    ],
    [
      '…IfExists lets requests without the key in',
      stmt({ Condition: { StringEqualsIfExists: { 'aws:SourceArn': DIST } } }),
      true,
    ],
    [
      'a policy variable is not a fixed value',
      stmt({ Condition: { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } } }),
      true,
    ],
    [
      'a key not in the list (aws:Referer) does not restrict',
      stmt({ Condition: { StringEquals: { 'aws:Referer': 'https://example.com' } } }),
      true,
    ],
    [
      's3:DataAccessPointArn with a wildcard access point name, fixed account',
      stmt({
        Condition: {
          StringLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:123456789012:accesspoint/*' },
        },
      }),
      false,
    ],
    [
      'Deny statements never make a policy public',
      policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }),
      false,
    ],
    [
      'Allow with NotPrincipal grants to (almost) everyone',
      policy({
        Effect: 'Allow',
        NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' },
        Action: 's3:GetObject',
        Resource: '*',
      }),
      true,
    ],
    [
      'one public statement among fixed ones makes the whole policy public',
      policy(oacRead, oaiRead, publicRead),
      true,
    ],
  ];
  for (const [name, text, expected] of table) {
    test(`${name} → ${expected ? 'public' : 'not public'}`, () => {
      assert.equal(isPolicyPublic(text), expected);
    });
  }
});

describe('parseBucketPolicy: bad input names the field', () => {
  const problem = (text: string): StsctlError => {
    try {
      parseBucketPolicy(text, 'bucket policy of demo-oidc');
    } catch (err) {
      assert.ok(err instanceof StsctlError);
      return err as StsctlError;
    }
    assert.fail('expected S3_POLICY_INVALID');
  };

  test('text that is not JSON', () => {
    const err = problem('{"Statement": [');
    assert.equal(err.code, 'S3_POLICY_INVALID');
    assert.equal(err.kind, 'usage');
    assert.equal(err.file, 'bucket policy of demo-oidc');
    assert.match(err.message, /^not JSON/);
  });

  test('a wrong Effect, with its path', () => {
    const err = problem(policy(publicRead, { ...publicRead, Effect: 'Permit' }));
    assert.equal(err.path, 'Statement[1].Effect');
    assert.equal(
      err.describe(),
      'bucket policy of demo-oidc, Statement[1].Effect: expected "Allow" or "Deny"',
    );
  });

  test('every problem at once', () => {
    const err = problem(
      JSON.stringify({ Statement: { Effect: 'Allow', Action: 7, Resource: '*', Principal: { Who: 'me' } } }),
    );
    assert.ok(err instanceof StsctlAggregateError);
    assert.deepEqual(
      err.errors.map((e) => e.path),
      ['Statement.Principal.Who', 'Statement.Action'],
    );
  });

  test('Principal and NotPrincipal together, and neither Action nor NotAction', () => {
    const err = problem(policy({ Effect: 'Allow', Principal: '*', NotPrincipal: '*', Resource: '*' }));
    assert.ok(err instanceof StsctlAggregateError);
    assert.deepEqual(
      err.errors.map((e) => e.describe()),
      [
        'bucket policy of demo-oidc, Statement[0].Principal: expected exactly one of Principal and NotPrincipal',
        'bucket policy of demo-oidc, Statement[0].Action: expected exactly one of Action and NotAction',
      ],
    );
  });

  test('evaluateS3Access names the bucket when its policy text is invalid', () => {
    assert.throws(
      () => evaluateS3Access(read({ policy: '[]' })),
      (err: unknown) =>
        err instanceof StsctlError &&
        err.code === 'S3_POLICY_INVALID' &&
        err.file === `bucket policy of ${BUCKET}`,
    );
  });
});
