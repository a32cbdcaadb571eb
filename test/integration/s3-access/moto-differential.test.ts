import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import { startMoto, type MotoServer } from '../../../src/sandbox/moto.js';
import { evaluateS3Access, type S3AccessDecision } from '../../../src/core/index.js';

/**
 * The S3 access evaluator against moto_server (moto 5.2, the sandbox's emulator), for anonymous
 * reads: the bucket is configured through the SDK, the state moto stores (policy, object ACL,
 * public access block) is read back and given to the evaluator, and an unsigned `fetch` asks moto.
 * Where moto enforces S3's rules the two agree; where it does not, the test pins the disagreement,
 * which is the evidence docs/sandbox.md ("S3 access rules") cites for the edge using the evaluator.
 */

let moto: MotoServer;
let s3: S3Client;

before(async () => {
  moto = await startMoto();
  s3 = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
  });
});

after(async () => {
  s3.destroy();
  await moto.stop();
});

const KEY = 'keys.json';
const policy = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const publicRead = (bucket: string): object => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${bucket}/*`,
});

interface Setup {
  readonly policy?: (bucket: string) => string;
  readonly acl?: 'public-read';
  readonly block?: PublicAccessBlockConfiguration;
  /** Upload the object (default true). */
  readonly object?: boolean;
}

let counter = 0;

/** Configures a fresh bucket on moto; answers what moto says to an anonymous GET and what the evaluator says. */
async function compare(setup: Setup): Promise<{ moto: number; evaluator: S3AccessDecision }> {
  const bucket = `diff-${++counter}-oidc`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (setup.object !== false) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: KEY,
        Body: '{"keys":[]}',
        ...(setup.acl === undefined ? {} : { ACL: setup.acl }),
      }),
    );
  }
  // The object ACL is read before the policy goes on: moto applies a Deny on s3:GetObject to
  // signed GetObjectAcl calls as well.
  const grants =
    setup.object === false
      ? []
      : ((await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: KEY }))).Grants ?? []);
  if (setup.policy !== undefined) {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: setup.policy(bucket) }));
  }
  if (setup.block !== undefined) {
    await s3.send(
      new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: setup.block }),
    );
  }
  // What moto stores, as the edge and the doctor would read it.
  const stored = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
    (r) => r.Policy,
    () => undefined,
  );
  const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
    (r) => r.PublicAccessBlockConfiguration,
    () => undefined,
  );
  const evaluator = evaluateS3Access({
    requester: { kind: 'anonymous' },
    action: 's3:GetObject',
    bucket,
    key: KEY,
    ...(stored === undefined ? {} : { policy: stored }),
    objectAcl: grants,
    ...(block === undefined ? {} : { bucketPublicAccessBlock: block }),
    objectExists: setup.object !== false,
  });
  const response = await fetch(`${moto.endpoint}/${bucket}/${KEY}`);
  await response.arrayBuffer();
  return { moto: response.status, evaluator };
}

describe('where moto enforces S3 for anonymous reads, it and the evaluator agree', () => {
  const agree: [string, Setup, number][] = [
    ['no policy, no public ACL', {}, 403],
    ['bucket policy Principal "*" s3:GetObject', { policy: (b) => policy(publicRead(b)) }, 200],
    ['object ACL public-read, no policy', { acl: 'public-read' }, 200],
    [
      'a public Allow and an explicit Deny on the key',
      {
        policy: (b) =>
          policy(publicRead(b), {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${b}/${KEY}`,
          }),
      },
      403,
    ],
    [
      'a public Allow on another prefix only',
      { policy: (b) => policy({ ...publicRead(b), Resource: `arn:aws:s3:::${b}/public/*` }) },
      403,
    ],
  ];
  for (const [name, setup, status] of agree) {
    test(`${name} → ${status}`, async () => {
      const r = await compare(setup);
      assert.equal(r.evaluator.status, status, r.evaluator.message);
      assert.equal(r.moto, status, 'moto');
    });
  }
});

describe('where moto does not enforce S3 (docs/sandbox.md "S3 access rules"), the evaluator keeps to S3', () => {
  test('a policy granting only an origin access identity: moto serves the anonymous reader, S3 does not', async () => {
    const r = await compare({
      policy: (b) =>
        policy({
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EDIFFOAI' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${b}/*`,
        }),
    });
    assert.equal(r.moto, 200);
    assert.equal(r.evaluator.status, 403);
    assert.equal(r.evaluator.reason, 'no-grant');
  });

  test('the documented OAC policy: moto serves the anonymous reader (a Service principal matches anyone), S3 does not', async () => {
    const r = await compare({
      policy: (b) =>
        policy({
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${b}/*`,
          Condition: {
            StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::123456789012:distribution/EDIFF' },
          },
        }),
    });
    assert.equal(r.moto, 200);
    assert.equal(r.evaluator.status, 403);
    assert.equal(r.evaluator.reason, 'no-grant');
  });

  test('a public-read ACL under IgnorePublicAcls: moto serves it, S3 ignores the ACL', async () => {
    const r = await compare({ acl: 'public-read', block: { IgnorePublicAcls: true } });
    assert.equal(r.moto, 200);
    assert.equal(r.evaluator.status, 403);
    assert.equal(r.evaluator.reason, 'public-acl-ignored');
  });

  test('a public policy under RestrictPublicBuckets: moto serves it, S3 restricts it', async () => {
    const r = await compare({ policy: (b) => policy(publicRead(b)), block: { RestrictPublicBuckets: true } });
    assert.equal(r.moto, 200);
    assert.equal(r.evaluator.status, 403);
    assert.equal(r.evaluator.reason, 'public-policy-restricted');
  });

  test('a missing key without s3:ListBucket: moto answers 404, S3 403', async () => {
    const r = await compare({ policy: (b) => policy(publicRead(b)), object: false });
    assert.equal(r.moto, 404);
    assert.equal(r.evaluator.status, 403);
    assert.equal(r.evaluator.reason, 'no-such-key-unlistable');
  });
});
