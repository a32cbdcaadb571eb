import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import {
  CreateCloudFrontOriginAccessIdentityCommand,
  CreateDistributionWithTagsCommand,
  DeleteCloudFrontOriginAccessIdentityCommand,
  GetCloudFrontOriginAccessIdentityCommand,
  ListCloudFrontOriginAccessIdentitiesCommand,
} from '@aws-sdk/client-cloudfront';
import { CreateOpenIDConnectProviderCommand, TagOpenIDConnectProviderCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { buildJwks, readPrivateKeyPem, renderDiscoveryDocument, renderJwks } from '../../src/core/index.js';
import { mintServiceAccountToken } from '../../src/core/tokens.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';
import { sdkAssume } from '../helpers/web-identity.js';

// A cluster set up by `ccoctl aws create-identity-provider --create-private-s3-bucket`: a private
// bucket behind CloudFront through a legacy origin access identity (OAI), made here with ccoctl's
// exact calls (ccoctl.md §4). stsctl must take it over without changing the issuer (every cluster
// token names it), move it to origin access control, and delete it cleanly, OAI included.

const NAME = 'legacy';
const BUCKET = `${NAME}-oidc`;
const REGION = 'us-east-1';
const OWNED = `openshift.io/cloud-credential-operator/${NAME}`;

let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox('stsctl-ccoctl-oai-', { region: REGION, issuerCacheTtlMs: 0 }, (box) => {
  ({ sb, tmp, env } = box);
});

/** What ccoctl's create-identity-provider --create-private-s3-bucket leaves behind. */
async function ccoctlPrivateBucket(publicKeyPem: string): Promise<{ issuer: string; oaiId: string }> {
  const aws = sb.clients(REGION);
  const tags = {
    TagSet: [
      { Key: OWNED, Value: 'owned' },
      { Key: 'Name', Value: NAME },
    ],
  };
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await aws.s3.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: tags }));
  const oai = await aws.cloudfront.send(
    new CreateCloudFrontOriginAccessIdentityCommand({
      CloudFrontOriginAccessIdentityConfig: { CallerReference: NAME, Comment: OWNED },
    }),
  );
  const oaiId = oai.CloudFrontOriginAccessIdentity?.Id ?? '';
  assert.match(oaiId, /^E[A-Z0-9]{13}$/);
  await aws.s3.send(
    new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify(
        {
          Version: '2008-10-17',
          Id: 'PolicyForCloudFrontPrivateContent',
          Statement: [
            {
              Sid: '1',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${oaiId}` },
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${BUCKET}/*`,
            },
          ],
        },
        null,
        4,
      ),
    }),
  );
  await aws.s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: BUCKET,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  const origin = `${BUCKET}.s3.${REGION}.amazonaws.com`;
  const dist = await aws.cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: {
        DistributionConfig: {
          CallerReference: NAME,
          Comment: OWNED,
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: `https://${origin}`,
                DomainName: origin,
                S3OriginConfig: { OriginAccessIdentity: `origin-access-identity/cloudfront/${oaiId}` },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: `https://${origin}`,
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: {
              Quantity: 2,
              Items: ['HEAD', 'GET'],
              CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
            },
            CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          },
          ViewerCertificate: { CloudFrontDefaultCertificate: true },
        },
        Tags: {
          Items: [
            { Key: OWNED, Value: 'owned' },
            { Key: 'Name', Value: NAME },
          ],
        },
      },
    }),
  );
  const issuer = `https://${dist.Distribution?.DomainName ?? ''}`;
  const key = readPrivateKeyPem(publicKeyPem);
  for (const [Key, Body] of [
    ['.well-known/openid-configuration', renderDiscoveryDocument(issuer)],
    ['keys.json', renderJwks(buildJwks([key.publicKey]))],
  ] as const) {
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key,
        Body,
        ContentType: 'application/json',
        Tagging: `${OWNED}=owned`,
      }),
    );
  }
  const provider = await aws.iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: issuer,
      ClientIDList: ['openshift', 'sts.amazonaws.com'],
      ThumbprintList: ['A9D53002E97E00E043244F3D170D6F4C414104FD'],
    }),
  );
  await aws.iam.send(
    new TagOpenIDConnectProviderCommand({
      OpenIDConnectProviderArn: provider.OpenIDConnectProviderArn,
      Tags: [{ Key: OWNED, Value: 'owned' }],
    }),
  );
  return { issuer, oaiId };
}

test('a ccoctl OAI cluster: served through the edge, moved to OAC with its issuer kept, then deleted with its OAI', async () => {
  const out = join(tmp, 'out');
  mkdirSync(out, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  writeFileSync(join(out, 'serviceaccount-signer.private'), privatePem, { mode: 0o600 });
  writeFileSync(
    join(out, 'serviceaccount-signer.public'),
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );
  const { issuer, oaiId } = await ccoctlPrivateBucket(privatePem);
  // As ccoctl left it, the issuer answers through CloudFront with the OAI (and only so: the bucket
  // itself is private).
  const viaOai = await sb.issuerFetcher.fetch(`${issuer}/keys.json`);
  assert.ok(viaOai.ok && viaOai.status === 200, JSON.stringify(viaOai));
  const direct = await sb.issuerFetcher.fetch(`https://${BUCKET}.s3.${REGION}.amazonaws.com/keys.json`);
  assert.ok(direct.ok && direct.status === 403, JSON.stringify(direct));

  const flags = [
    '--name',
    NAME,
    '--region',
    REGION,
    '--hosting',
    'cloudfront',
    '--credentials-requests-dir',
    join(CREDREQS, 'aws'),
    '--output-dir',
    out,
  ];
  // The plan: same issuer, the distribution's origin moves from the OAI to an OAC, the bucket
  // policy from the OAI principal to the distribution.
  const planned = await runStsctl(['plan', ...flags, '--output', 'json'], { env });
  assert.equal(planned.code, 0, planned.stderr);
  const plan = JSON.parse(planned.stdout) as {
    issuer: string;
    changes: {
      kind: string;
      action: string;
      fields: { attribute: string; field: string; from?: string; to?: string }[];
    }[];
  };
  assert.equal(plan.issuer, issuer);
  const byKind = (k: string) => plan.changes.find((c) => c.kind === k);
  assert.equal(byKind('origin-access-control')?.action, 'create');
  const dist = byKind('distribution');
  assert.equal(dist?.action, 'update');
  // The plan JSON keys each field by its attribute (docs/commands.md, "Plan JSON").
  assert.deepEqual(
    dist.fields.find((f) => f.field === 'originAccessIdentity'),
    {
      attribute: 'originAccessIdentity',
      field: 'originAccessIdentity',
      from: `origin-access-identity/cloudfront/${oaiId}`,
      to: '(none)',
    },
  );
  assert.deepEqual(dist.fields.map((f) => f.attribute).sort(), [
    'originAccessControlId',
    'originAccessIdentity',
  ]);
  assert.equal(byKind('bucket-policy')?.action, 'update');
  assert.equal(byKind('oidc-provider')?.action, 'update'); // ccoctl's fixed thumbprint → the live chain

  const created = await runStsctl(['create-all', ...flags, '--output', 'json'], { env });
  assert.equal(created.code, 0, created.stderr);
  const result = JSON.parse(created.stdout) as {
    issuer: string;
    roles: { roleName: string; roleArn: string }[];
  };
  assert.equal(result.issuer, issuer, 'the issuer every cluster token names is kept');

  const aws = sb.clients(REGION);
  const distId = new URL(issuer).hostname;
  const policy = await aws.s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
  assert.doesNotMatch(policy.Policy ?? '', /Origin Access Identity/);
  assert.match(policy.Policy ?? '', /"Service":"cloudfront\.amazonaws\.com"/);
  assert.ok(distId.endsWith('.cloudfront.net'));

  // A token signed with the cluster's (kept) key still assumes, now through OAC.
  const ingress = result.roles.find((r) => r.roleName.includes('ingress-operator'));
  assert.ok(ingress !== undefined);
  const key = readPrivateKeyPem(privatePem);
  const token = await mintServiceAccountToken({
    issuer,
    namespace: 'openshift-ingress-operator',
    serviceAccount: 'ingress-operator',
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
  const answer = await sdkAssume(sb, ingress.roleArn, token, 'oai');
  assert.ok(answer.ok, JSON.stringify(answer));
  assert.match(answer.arn, /assumed-role\/legacy-openshift-ingress-operator/);

  // The OAI is no longer used; delete removes it with everything else.
  const deleted = await runStsctl(
    ['delete', '--name', NAME, '--region', REGION, '--yes', '--output', 'json'],
    { env },
  );
  assert.equal(deleted.code, 0, deleted.stderr);
  const gone = JSON.parse(deleted.stdout) as { deleted: { kind: string; id: string }[] };
  assert.ok(
    gone.deleted.some((d) => d.kind === 'origin-access-identity' && d.id === oaiId),
    deleted.stdout,
  );
  assert.ok(
    gone.deleted.some((d) => d.kind === 'origin-access-control'),
    deleted.stdout,
  );
  const left = await aws.cloudfront.send(new ListCloudFrontOriginAccessIdentitiesCommand({}));
  assert.equal(left.CloudFrontOriginAccessIdentityList?.Quantity, 0);
});

test('the sandbox OAI API answers as CloudFront: in use while a distribution names it, ETag required', async () => {
  const aws = sb.clients(REGION);
  const made = await aws.cloudfront.send(
    new CreateCloudFrontOriginAccessIdentityCommand({
      CloudFrontOriginAccessIdentityConfig: { CallerReference: 'inuse', Comment: 'in use test' },
    }),
  );
  const id = made.CloudFrontOriginAccessIdentity?.Id ?? '';
  const origin = 'inuse-oidc.s3.us-east-1.amazonaws.com';
  await aws.cloudfront.send(
    new CreateDistributionWithTagsCommand({
      DistributionConfigWithTags: {
        DistributionConfig: {
          CallerReference: 'inuse',
          Comment: 'in use test',
          Enabled: true,
          Origins: {
            Quantity: 1,
            Items: [
              {
                Id: 'o',
                DomainName: origin,
                S3OriginConfig: { OriginAccessIdentity: `origin-access-identity/cloudfront/${id}` },
              },
            ],
          },
          DefaultCacheBehavior: {
            TargetOriginId: 'o',
            ViewerProtocolPolicy: 'https-only',
            CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          },
        },
        Tags: { Items: [] },
      },
    }),
  );
  const got = await aws.cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: id }));
  await assert.rejects(
    aws.cloudfront.send(new DeleteCloudFrontOriginAccessIdentityCommand({ Id: id, IfMatch: 'EWRONG' })),
    (e: Error) => e.name === 'PreconditionFailed',
  );
  await assert.rejects(
    aws.cloudfront.send(new DeleteCloudFrontOriginAccessIdentityCommand({ Id: id, IfMatch: got.ETag })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) =>
      e.name === 'CloudFrontOriginAccessIdentityInUse' && e.$metadata?.httpStatusCode === 409,
  );
  await assert.rejects(
    aws.cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: 'ENOSUCHIDENTITY' })),
    (e: Error) => e.name === 'NoSuchCloudFrontOriginAccessIdentity',
  );
});
