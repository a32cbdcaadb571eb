import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createIssuerFetcher } from '../../../src/net/issuer-fetch.js';
import type { IssuerView } from '../../../src/webidentity/types.js';
import { startSandboxParts, type SandboxParts } from '../../helpers/sandbox.js';

let sb: SandboxParts;
let s3: S3Client;
let fetcher: IssuerView;
const JWKS = '{"keys":[]}';

const publicReadPolicy = (bucket: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
    ],
  });

async function bucketWithKeys(bucket: string, region = 'us-east-1'): Promise<void> {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }),
    }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'keys.json', Body: JWKS, ContentType: 'application/json' }),
  );
}

before(async () => {
  sb = await startSandboxParts();
  s3 = sb.s3();
  fetcher = createIssuerFetcher({
    trustedCaPems: [sb.cas.sandbox.rootPem],
    connectTo: sb.resolver.connectTo,
    timeoutMs: 5000,
  });
  await bucketWithKeys('pub-oidc');
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'pub-oidc', Policy: publicReadPolicy('pub-oidc') }));
  await bucketWithKeys('priv-oidc');
});

after(async () => {
  await sb.stop();
});

test('a public-read bucket policy serves the object anonymously on every S3 host form, over trusted TLS', async () => {
  for (const url of [
    'https://pub-oidc.s3.us-east-1.amazonaws.com/keys.json',
    'https://s3.us-east-1.amazonaws.com/pub-oidc/keys.json',
    'https://pub-oidc.s3.amazonaws.com/keys.json',
    'https://pub-oidc.s3-us-east-1.amazonaws.com/keys.json',
  ]) {
    const obs = await fetcher.fetch(url);
    assert.ok(obs.ok, url);
    assert.equal(obs.status, 200, url);
    assert.equal(obs.body, JWKS);
    assert.equal(obs.headers['content-type'], 'application/json');
    assert.equal(obs.tls.trustedByCaLibrary, true, `${url}: ${obs.tls.verifyError ?? ''}`);
    // Leaf + intermediate, as real servers send; the intermediate is the sandbox CA's.
    assert.equal(obs.tls.chain.length, 2);
    assert.equal(obs.tls.chain[1]?.sha1, sb.cas.sandbox.intermediateSha1);
  }
});

test('a private bucket answers 403 AccessDenied XML like S3', async () => {
  const obs = await fetcher.fetch('https://priv-oidc.s3.us-east-1.amazonaws.com/keys.json');
  assert.ok(obs.ok);
  assert.equal(obs.status, 403);
  assert.equal(obs.headers['content-type'], 'application/xml');
  assert.equal(obs.headers['server'], 'AmazonS3');
  assert.match(obs.body, /<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
});

test('a missing key is 403 for anonymous readers (no s3:ListBucket), not moto 404', async () => {
  const obs = await fetcher.fetch('https://pub-oidc.s3.us-east-1.amazonaws.com/nothing-here.json');
  assert.ok(obs.ok);
  assert.equal(obs.status, 403);
});

test('RestrictPublicBuckets makes a public policy useless to anonymous readers (moto ignores it)', async () => {
  await bucketWithKeys('bpa-oidc');
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'bpa-oidc', Policy: publicReadPolicy('bpa-oidc') }));
  const before = await fetcher.fetch('https://bpa-oidc.s3.us-east-1.amazonaws.com/keys.json');
  assert.ok(before.ok);
  assert.equal(before.status, 200);
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: 'bpa-oidc',
      PublicAccessBlockConfiguration: { RestrictPublicBuckets: true },
    }),
  );
  const obs = await fetcher.fetch('https://bpa-oidc.s3.us-east-1.amazonaws.com/keys.json');
  assert.ok(obs.ok);
  assert.equal(obs.status, 403);
});

test('an OAI-only bucket policy does not let anonymous readers in (moto would)', async () => {
  await bucketWithKeys('oai-direct-oidc');
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1EXAMPLE' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::oai-direct-oidc/*',
      },
    ],
  });
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'oai-direct-oidc', Policy: policy }));
  const obs = await fetcher.fetch('https://oai-direct-oidc.s3.us-east-1.amazonaws.com/keys.json');
  assert.ok(obs.ok);
  assert.equal(obs.status, 403);
});

test('a bucket in another region answers 301 PermanentRedirect on the wrong regional host', async () => {
  await bucketWithKeys('eu-oidc', 'eu-west-1');
  const obs = await fetcher.fetch('https://eu-oidc.s3.us-east-1.amazonaws.com/keys.json');
  assert.ok(obs.ok);
  assert.equal(obs.status, 301);
  assert.match(obs.body, /<Endpoint>eu-oidc\.s3\.eu-west-1\.amazonaws\.com<\/Endpoint>/);
});

test('a bucket name with dots fails hostname verification on the wildcard certificate', async () => {
  const obs = await fetcher.fetch('https://my.dotted.bucket.s3.us-east-1.amazonaws.com/keys.json');
  assert.ok(obs.ok);
  assert.equal(obs.tls.trustedByCaLibrary, false);
  assert.match(obs.tls.verifyError ?? '', /does not match|not in the cert's altnames/i);
});
