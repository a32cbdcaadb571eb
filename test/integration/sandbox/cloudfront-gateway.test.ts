import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDistributionCommand,
  CreateOriginAccessControlCommand,
  GetDistributionCommand,
  ListDistributionsCommand,
  type CloudFrontClient,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  CreateBucketCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createIssuerFetcher } from '../../../src/net/issuer-fetch.js';
import { serverErrorFault, throttlingFault } from '../../../src/sandbox/gateway.js';
import type { IssuerView } from '../../../src/webidentity/types.js';
import { startSandboxParts, TEST_CREDENTIALS, type SandboxParts } from '../../helpers/sandbox.js';
import { importSandboxCertificate } from '../../helpers/acm.js';

const ACCOUNT = '123456789012';
let sb: SandboxParts;
let s3: S3Client;
let cf: CloudFrontClient;
let fetcher: IssuerView;

function distributionConfig(
  ref: string,
  bucket: string,
  access: { oac?: string; oai?: string },
  aliases: string[] = [],
  certificateArn?: string,
): DistributionConfig {
  return {
    CallerReference: ref,
    Comment: '',
    Enabled: true,
    Aliases: { Quantity: aliases.length, Items: aliases },
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 'oidc',
          DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
          OriginPath: '',
          S3OriginConfig: { OriginAccessIdentity: access.oai ?? '' },
          ...(access.oac !== undefined ? { OriginAccessControlId: access.oac } : {}),
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 'oidc',
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
    ...(certificateArn === undefined
      ? {}
      : { ViewerCertificate: { ACMCertificateArn: certificateArn, SSLSupportMethod: 'sni-only' } }),
  };
}

/** An ACM certificate (us-east-1) for `names`: CloudFront, and the gateway, require one for aliases. */
const importCertificate = (names: string[]): Promise<string> =>
  importSandboxCertificate({
    ca: sb.cas.sandbox,
    endpoint: sb.gateway.endpoint,
    credentials: TEST_CREDENTIALS,
    names,
  });

const oacPolicy = (bucket: string, distributionArn: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: {
      Sid: 'AllowCloudFrontServicePrincipalReadOnly',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
      Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
    },
  });

async function privateBucket(bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: '.well-known/openid-configuration',
      Body: '{"issuer":"x"}',
      ContentType: 'application/json',
    }),
  );
}

async function createOac(name: string): Promise<string> {
  const oac = await cf.send(
    new CreateOriginAccessControlCommand({
      OriginAccessControlConfig: {
        Name: name,
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    }),
  );
  return oac.OriginAccessControl?.Id ?? '';
}

before(async () => {
  sb = await startSandboxParts();
  s3 = sb.s3();
  cf = sb.cloudfront();
  fetcher = createIssuerFetcher({
    trustedCaPems: [sb.cas.sandbox.rootPem],
    connectTo: sb.resolver.connectTo,
  });
});

after(async () => {
  await sb.stop();
});

test('CloudFront + OAC with the documented bucket policy serves a private bucket (domain and alias)', async () => {
  await privateBucket('oac-oidc');
  const oacId = await createOac('oac-oidc');
  const created = await cf.send(
    new CreateDistributionCommand({
      DistributionConfig: distributionConfig(
        'oac',
        'oac-oidc',
        { oac: oacId },
        ['oidc.example.com'],
        await importCertificate(['oidc.example.com']),
      ),
    }),
  );
  const dist = created.Distribution!;
  // The gateway hands out AWS's ARN form (moto's lacks the empty region field).
  assert.equal(dist.ARN, `arn:aws:cloudfront::${ACCOUNT}:distribution/${dist.Id!}`);
  // moto forgets OriginAccessControlId; the gateway recorded it.
  assert.equal(sb.gateway.distribution(dist.Id!)?.origins[0]?.originAccessControlId, oacId);
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'oac-oidc', Policy: oacPolicy('oac-oidc', dist.ARN) }));

  for (const host of [dist.DomainName!, 'oidc.example.com']) {
    const obs = await fetcher.fetch(`https://${host}/.well-known/openid-configuration`);
    assert.ok(obs.ok, host);
    assert.equal(obs.status, 200, host);
    assert.equal(obs.body, '{"issuer":"x"}');
    assert.equal(obs.tls.trustedByCaLibrary, true);
    assert.match(obs.headers['via'] ?? '', /cloudfront\.net \(CloudFront\)/);
  }
  // The bucket itself stays private to anonymous readers.
  const direct = await fetcher.fetch(
    'https://oac-oidc.s3.us-east-1.amazonaws.com/.well-known/openid-configuration',
  );
  assert.ok(direct.ok);
  assert.equal(direct.status, 403);
});

test('CloudFront + OAC with a policy naming another distribution answers 403 with S3 AccessDenied', async () => {
  await privateBucket('wrong-arn-oidc');
  const oacId = await createOac('wrong-arn-oidc');
  const created = await cf.send(
    new CreateDistributionCommand({
      DistributionConfig: distributionConfig('wrong', 'wrong-arn-oidc', { oac: oacId }),
    }),
  );
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: 'wrong-arn-oidc',
      Policy: oacPolicy('wrong-arn-oidc', `arn:aws:cloudfront::${ACCOUNT}:distribution/EOTHERDIST0000`),
    }),
  );
  const obs = await fetcher.fetch(
    `https://${created.Distribution!.DomainName!}/.well-known/openid-configuration`,
  );
  assert.ok(obs.ok);
  assert.equal(obs.status, 403);
  assert.match(obs.body, /<Code>AccessDenied<\/Code>/);
  assert.equal(obs.headers['x-cache'], 'Error from cloudfront');
});

test('CloudFront + legacy OAI is served only when the policy grants that OAI', async () => {
  await privateBucket('oai-oidc');
  const created = await cf.send(
    new CreateDistributionCommand({
      DistributionConfig: distributionConfig('oai', 'oai-oidc', {
        oai: 'origin-access-identity/cloudfront/E2OAITEST',
      }),
    }),
  );
  const url = `https://${created.Distribution!.DomainName!}/.well-known/openid-configuration`;
  const denied = await fetcher.fetch(url);
  assert.ok(denied.ok);
  assert.equal(denied.status, 403);
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: 'oai-oidc',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2OAITEST' },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::oai-oidc/*',
          },
        ],
      }),
    }),
  );
  const allowed = await fetcher.fetch(url);
  assert.ok(allowed.ok);
  assert.equal(allowed.status, 200);
});

test('the gateway can report InProgress for a while after a change', async () => {
  await privateBucket('slow-deploy-oidc');
  sb.gateway.setInProgressMs(60_000);
  try {
    const created = await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: distributionConfig('slow', 'slow-deploy-oidc', {}),
      }),
    );
    const id = created.Distribution!.Id!;
    const got = await cf.send(new GetDistributionCommand({ Id: id }));
    assert.equal(got.Distribution?.Status, 'InProgress');
    const listed = await cf.send(new ListDistributionsCommand({}));
    assert.equal(listed.DistributionList?.Items?.find((d) => d.Id === id)?.Status, 'InProgress');
    sb.gateway.setInProgressMs(0);
    const later = await cf.send(new GetDistributionCommand({ Id: id }));
    assert.equal(later.Distribution?.Status, 'Deployed');
  } finally {
    sb.gateway.setInProgressMs(0);
  }
});

test('fault injection: throttling is retried by the SDK, 500s surface once retries run out', async () => {
  sb.gateway.setFaultInjector(throttlingFault({ count: 2, service: 's3' }));
  const retried = await sb.s3({ maxAttempts: 3 }).send(new ListBucketsCommand({}));
  assert.ok(Array.isArray(retried.Buckets));

  sb.gateway.setFaultInjector(throttlingFault({ count: 1, service: 's3' }));
  await assert.rejects(sb.s3({ maxAttempts: 1 }).send(new ListBucketsCommand({})), { name: 'SlowDown' });

  sb.gateway.setFaultInjector(serverErrorFault({ count: 1, service: 'cloudfront' }));
  await assert.rejects(
    sb.cloudfront({ maxAttempts: 1 }).send(new ListDistributionsCommand({})),
    (err: unknown) => {
      const e = err as { name: string; $metadata: { httpStatusCode?: number } };
      return e.name === 'InternalFailure' && e.$metadata.httpStatusCode === 500;
    },
  );
  // Exhausted: traffic flows again.
  await sb.cloudfront({ maxAttempts: 1 }).send(new ListDistributionsCommand({}));
  sb.gateway.setFaultInjector(undefined);
});
