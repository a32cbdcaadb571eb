import { CreateDistributionCommand, CreateOriginAccessControlCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../src/aws/clients.js';
import { ensureOidcProvider, ensureRole } from '../../src/aws/operations.js';
import {
  buildJwks,
  issuerHostPath,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  trustPolicy,
  type PrivateKeyInfo,
} from '../../src/core/index.js';
import { PERMISSIONS } from './web-identity.js';

/** An issuer in a private bucket behind CloudFront with OAC, its provider, and a role trusting `ns:sa`. */
export interface OacIssuer {
  readonly bucket: string;
  readonly distributionArn: string;
  readonly issuerUrl: string;
  readonly roleArn: string;
}

/**
 * Builds the private-bucket-behind-CloudFront setup by hand (bucket, OAC, distribution with the
 * managed CachingDisabled policy, issuer documents, provider, role), leaving the bucket policy to
 * the test: {@link oacBucketPolicy} grants a distribution.
 */
export async function oacIssuer(
  aws: AwsClients,
  o: {
    readonly bucket: string;
    readonly region: string;
    readonly key: PrivateKeyInfo;
    readonly namespace: string;
    readonly serviceAccount: string;
    readonly comment: string;
  },
): Promise<OacIssuer> {
  await aws.s3.send(new CreateBucketCommand({ Bucket: o.bucket }));
  const oac = await aws.cloudfront.send(
    new CreateOriginAccessControlCommand({
      OriginAccessControlConfig: {
        Name: o.bucket,
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    }),
  );
  const dist = await aws.cloudfront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: o.bucket,
        Comment: o.comment,
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 'oidc',
              DomainName: `${o.bucket}.s3.${o.region}.amazonaws.com`,
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
  const issuerUrl = `https://${dist.Distribution?.DomainName ?? ''}`;
  for (const [k, body] of [
    ['.well-known/openid-configuration', renderDiscoveryDocument(issuerUrl)],
    ['keys.json', renderJwks(buildJwks([o.key.publicKey]))],
  ] as const) {
    await aws.s3.send(
      new PutObjectCommand({ Bucket: o.bucket, Key: k, Body: body, ContentType: 'application/json' }),
    );
  }
  const provider = await ensureOidcProvider(aws, issuerUrl);
  const role = await ensureRole(aws, {
    roleName: `${o.bucket}-role`,
    description: 'test',
    trustPolicy: renderPolicy(
      trustPolicy(provider.arn, issuerHostPath(issuerUrl), o.namespace, [o.serviceAccount]),
    ),
    permissionsPolicy: PERMISSIONS,
    tags: [],
  });
  return { bucket: o.bucket, distributionArn: dist.Distribution?.ARN ?? '', issuerUrl, roleArn: role.arn };
}

/** The documented OAC bucket policy: CloudFront may read the bucket for the distribution `sourceArn` only. */
export function oacBucketPolicy(bucket: string, sourceArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': sourceArn } },
      },
    ],
  });
}
