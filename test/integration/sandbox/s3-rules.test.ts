import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateDistributionCommand,
  CreateOriginAccessControlCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createIssuerFetcher } from '../../../src/net/issuer-fetch.js';
import type { IssuerView } from '../../../src/webidentity/types.js';
import { oacBucketPolicy } from '../../helpers/oac-issuer.js';
import { startSandboxParts, TEST_CREDENTIALS, type SandboxParts } from '../../helpers/sandbox.js';

/**
 * One S3 evaluator for the edge (the public internet) and the gateway (`AWS_ENDPOINT_URL`):
 * anonymous reads get S3's answer whichever way they arrive, where moto alone would serve them
 * (test/integration/s3-access/moto-differential.test.ts). The gateway side is exercised with the
 * real aws CLI's `--no-sign-request`.
 */

const run = promisify(execFile);
let sb: SandboxParts;
let s3: S3Client;
let cloudfront: CloudFrontClient;
let fetcher: IssuerView;
let dir: string;
const JWKS = '{"keys":[]}';

async function bucketWithKeys(bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'keys.json', Body: JWKS, ContentType: 'application/json' }),
  );
}

/** `aws s3api get-object --no-sign-request` through the gateway: exit code, stderr, body. */
async function unsignedGet(
  bucket: string,
  key: string,
): Promise<{ code: number; stderr: string; body: string | undefined }> {
  const out = join(dir, `${bucket}-${key.replace(/\W/g, '_')}`);
  rmSync(out, { force: true });
  try {
    await run(
      'aws',
      ['s3api', 'get-object', '--no-sign-request', '--bucket', bucket, '--key', key, out, '--output', 'json'],
      {
        env: {
          PATH: process.env['PATH'],
          HOME: dir,
          AWS_CONFIG_FILE: join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
          AWS_ENDPOINT_URL: sb.gateway.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        },
      },
    );
    return { code: 0, stderr: '', body: readFileSync(out, 'utf8') };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '', body: undefined };
  }
}

/** An HTTPS GET on "the internet" that got an HTTP answer. */
async function get(url: string): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  const obs = await fetcher.fetch(url);
  assert.ok(obs.ok, url);
  return { status: obs.status, body: obs.body, headers: { ...obs.headers } };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stsctl-s3-rules-'));
  sb = await startSandboxParts();
  s3 = sb.s3();
  cloudfront = sb.cloudfront();
  fetcher = createIssuerFetcher({
    trustedCaPems: [sb.cas.sandbox.rootPem],
    connectTo: sb.resolver.connectTo,
    timeoutMs: 5000,
  });
});

after(async () => {
  await sb.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('--no-sign-request on a private issuer object through AWS_ENDPOINT_URL is 403, as on S3 (moto serves it)', async () => {
  await bucketWithKeys('private-gw-oidc');
  const got = await unsignedGet('private-gw-oidc', 'keys.json');
  assert.notEqual(got.code, 0);
  assert.match(got.stderr, /\(AccessDenied\)/);
  assert.equal(got.body, undefined);
  // A signed read by the owner is unchanged: moto answers it.
  const signed = await run(
    'aws',
    ['s3api', 'head-object', '--bucket', 'private-gw-oidc', '--key', 'keys.json', '--output', 'json'],
    {
      env: {
        PATH: process.env['PATH'],
        HOME: dir,
        AWS_CONFIG_FILE: join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
        AWS_ENDPOINT_URL: sb.gateway.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      },
    },
  );
  assert.equal((JSON.parse(signed.stdout) as { ContentLength: number }).ContentLength, JWKS.length);
});

test('--no-sign-request reads a public-policy object through AWS_ENDPOINT_URL, and a missing key is 403', async () => {
  await bucketWithKeys('public-gw-oidc');
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: 'public-gw-oidc',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::public-gw-oidc/*',
          },
        ],
      }),
    }),
  );
  const got = await unsignedGet('public-gw-oidc', 'keys.json');
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.body, JWKS);
  // No s3:ListBucket for anonymous callers: S3 hides the missing key behind AccessDenied.
  const missing = await unsignedGet('public-gw-oidc', 'no-such.json');
  assert.match(missing.stderr, /\(AccessDenied\)/);
});

test('a public-read object ACL issuer is served through the edge; with IgnorePublicAcls it is 403', async () => {
  await bucketWithKeys('acl-oidc');
  await s3.send(
    new PutObjectCommand({
      Bucket: 'acl-oidc',
      Key: 'acl.json',
      Body: JWKS,
      ContentType: 'application/json',
      ACL: 'public-read',
    }),
  );
  const url = 'https://acl-oidc.s3.us-east-1.amazonaws.com/acl.json';
  const open = await get(url);
  assert.equal(open.status, 200);
  assert.equal(open.body, JWKS);
  // The object without the ACL stays private.
  assert.equal((await get('https://acl-oidc.s3.us-east-1.amazonaws.com/keys.json')).status, 403);
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: 'acl-oidc',
      PublicAccessBlockConfiguration: { IgnorePublicAcls: true },
    }),
  );
  const blocked = await get(url);
  assert.equal(blocked.status, 403);
  assert.match(blocked.body, /<Code>AccessDenied<\/Code>/);
  assert.match((await unsignedGet('acl-oidc', 'acl.json')).stderr, /\(AccessDenied\)/);
});

test('an OAC-only bucket policy keeps anonymous readers out, through the edge and with --no-sign-request', async () => {
  await bucketWithKeys('oac-only-oidc');
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: 'oac-only-oidc',
      Policy: oacBucketPolicy(
        'oac-only-oidc',
        'arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE',
      ),
    }),
  );
  const edge = await get('https://oac-only-oidc.s3.us-east-1.amazonaws.com/keys.json');
  assert.equal(edge.status, 403);
  assert.match(edge.body, /<Code>AccessDenied<\/Code>/);
  const gw = await unsignedGet('oac-only-oidc', 'keys.json');
  assert.notEqual(gw.code, 0);
  assert.match(gw.stderr, /\(AccessDenied\)/);
});

test('a CloudFront origin naming another region than its bucket answers S3 PermanentRedirect (301) through CloudFront', async () => {
  await bucketWithKeys('far-origin-oidc'); // us-east-1
  const oac = await cloudfront.send(
    new CreateOriginAccessControlCommand({
      OriginAccessControlConfig: {
        Name: 'far-origin',
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    }),
  );
  const dist = await cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: 'far-origin',
        Comment: 'origin in the wrong region',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 'oidc',
              DomainName: 'far-origin-oidc.s3.eu-west-1.amazonaws.com',
              S3OriginConfig: { OriginAccessIdentity: '' },
              OriginAccessControlId: oac.OriginAccessControl?.Id ?? '',
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 'oidc',
          ViewerProtocolPolicy: 'https-only',
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        },
      },
    }),
  );
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: 'far-origin-oidc',
      Policy: oacBucketPolicy('far-origin-oidc', dist.Distribution?.ARN ?? ''),
    }),
  );
  const obs = await get(`https://${dist.Distribution?.DomainName ?? ''}/keys.json`);
  assert.equal(obs.status, 301);
  assert.match(obs.body, /<Code>PermanentRedirect<\/Code>/);
  assert.match(obs.body, /<Endpoint>far-origin-oidc\.s3\.us-east-1\.amazonaws\.com<\/Endpoint>/);
  assert.match(obs.headers['via'] ?? '', /CloudFront/);
});
