import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { CACHING_DISABLED_POLICY_ID } from '../core/ccoctl-files.js';
import { s3VirtualHost } from '../core/issuer.js';
import type { HostingSpec } from './model.js';
import { ownershipComment } from './plan.js';

/**
 * The CloudFront distribution that serves a private issuer bucket: one S3 origin reached through
 * origin access control (OAC, not the legacy OAI ccoctl uses), HTTPS only, GET/HEAD only, the
 * managed CachingDisabled policy (a rotated key is served at once), and for a custom domain the
 * alias with an ACM certificate (us-east-1, SNI). aws-sts-oidc.md §8.
 */
export function distributionConfig(input: {
  readonly name: string;
  readonly bucket: string;
  readonly region: string;
  readonly originAccessControlId: string;
  readonly hosting: Extract<HostingSpec, { kind: 'cloudfront' }>;
  /** Kept from an existing distribution: CloudFront refuses to change it. */
  readonly callerReference?: string;
}): DistributionConfig {
  const origin = s3VirtualHost(input.bucket, input.region);
  const domain = input.hosting.customDomain;
  return {
    CallerReference: input.callerReference ?? `${input.name}-${Date.now()}`,
    Comment: ownershipComment(input.name),
    Enabled: true,
    Aliases: domain === undefined ? { Quantity: 0, Items: [] } : { Quantity: 1, Items: [domain] },
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: origin,
          DomainName: origin,
          OriginPath: '',
          CustomHeaders: { Quantity: 0, Items: [] },
          // With OAC the OAI field must be present and empty.
          S3OriginConfig: { OriginAccessIdentity: '' },
          OriginAccessControlId: input.originAccessControlId,
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: origin,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: {
        Quantity: 2,
        Items: ['HEAD', 'GET'],
        CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
      },
      Compress: false,
      CachePolicyId: CACHING_DISABLED_POLICY_ID,
    },
    PriceClass: 'PriceClass_All',
    ViewerCertificate:
      domain === undefined || input.hosting.acmCertificateArn === undefined
        ? { CloudFrontDefaultCertificate: true }
        : {
            ACMCertificateArn: input.hosting.acmCertificateArn,
            SSLSupportMethod: 'sni-only',
            MinimumProtocolVersion: 'TLSv1.2_2021',
          },
  };
}
