import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetBucketPolicyCommand, GetObjectCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { startMoto, type MotoServer } from '../../../src/sandbox/moto.js';
import { createAwsClients, type AwsClients } from '../../../src/aws/clients.js';
import {
  allowPublicIssuerReads,
  ensureBucket,
  ensureOidcProvider,
  ensureRole,
  makeBucketPrivate,
  putIssuerDocuments,
} from '../../../src/aws/operations.js';
import { ownershipTags, renderDiscoveryDocument } from '../../../src/core/index.js';

let moto: MotoServer;
let clients: AwsClients;
const region = 'eu-west-1';
const bucket = 'ops-oidc';

before(async () => {
  moto = await startMoto();
  clients = createAwsClients(
    {
      region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
    },
    {},
  );
});
after(async () => {
  clients.destroy();
  await moto.stop();
});

/** An anonymous GET straight to moto's S3 (path style), as the public internet would do it. */
async function anonymousGet(key: string): Promise<number> {
  const res = await fetch(`${moto.endpoint}/${bucket}/${key}`);
  await res.arrayBuffer();
  return res.status;
}

describe('public issuer hosting', () => {
  test('bucket, tags, policy scoped to the two issuer objects, JSON content type', async () => {
    assert.equal(await ensureBucket(clients, bucket, region, ownershipTags('ops')), 'created');
    assert.equal(await ensureBucket(clients, bucket, region, ownershipTags('ops')), 'exists');
    await allowPublicIssuerReads(clients, bucket, region);
    await putIssuerDocuments(clients, bucket, 'ops', {
      discovery: renderDiscoveryDocument(`https://${bucket}.s3.${region}.amazonaws.com`),
      jwks: '{"keys":[]}',
    });
    const policy = JSON.parse(
      (await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}',
    ) as { Statement: { Resource: string[] }[] };
    assert.deepEqual(policy.Statement[0]?.Resource, [
      `arn:aws:s3:::${bucket}/.well-known/openid-configuration`,
      `arn:aws:s3:::${bucket}/keys.json`,
    ]);
    const obj = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'keys.json' }));
    assert.equal(obj.ContentType, 'application/json');
    assert.equal(await anonymousGet('keys.json'), 200);
  });

  test('making the bucket private blocks anonymous reads', async () => {
    await makeBucketPrivate(clients, bucket);
    const pab = await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    assert.equal(pab.PublicAccessBlockConfiguration?.RestrictPublicBuckets, true);
    assert.equal(await anonymousGet('keys.json'), 403);
  });
});

describe('IAM', () => {
  const issuer = `https://${bucket}.s3.${region}.amazonaws.com`;
  test('the OIDC provider is created once and found again by URL', async () => {
    const first = await ensureOidcProvider(clients, issuer, { tags: ownershipTags('ops') });
    assert.equal(first.created, true);
    assert.equal(first.arn, `arn:aws:iam::123456789012:oidc-provider/${bucket}.s3.${region}.amazonaws.com`);
    const second = await ensureOidcProvider(clients, issuer);
    assert.deepEqual(second, { arn: first.arn, created: false });
  });

  test('a role is created, then its trust policy and inline policy are brought up to date', async () => {
    const spec = {
      roleName: 'ops-ns-secret',
      description: 'OpenShift role for ns/secret',
      trustPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Federated: 'x' }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ],
      }),
      permissionsPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
      }),
      tags: ownershipTags('ops'),
    };
    const created = await ensureRole(clients, spec);
    assert.equal(created.created, true);
    assert.equal(created.arn, 'arn:aws:iam::123456789012:role/ops-ns-secret');
    const newTrust = spec.trustPolicy.replace('"x"', '"y"');
    const again = await ensureRole(clients, { ...spec, trustPolicy: newTrust });
    assert.equal(again.created, false);
    const role = await clients.iam.send(new GetRoleCommand({ RoleName: 'ops-ns-secret' }));
    assert.match(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''), /"Federated":"y"/);
    const inline = await clients.iam.send(
      new GetRolePolicyCommand({ RoleName: 'ops-ns-secret', PolicyName: 'ops-ns-secret' }),
    );
    assert.match(decodeURIComponent(inline.PolicyDocument ?? ''), /s3:GetObject/);
  });
});
