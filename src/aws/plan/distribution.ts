import { CACHING_DISABLED_POLICY_ID } from '../../core/ccoctl-files.js';
import { s3VirtualHost } from '../../core/issuer.js';
import { change, tagField } from './fields.js';
import {
  DISTRIBUTION_ATTRIBUTES,
  KNOWN_AFTER_APPLY,
  type Change,
  type DistributionAttribute,
  type FieldChange,
  type PlanContext,
} from './types.js';

/**
 * CloudFront hosting's family: the origin access control and the distribution. A distribution
 * still reading through ccoctl's legacy origin access identity (`--create-private-s3-bucket`)
 * plans as an update of `originAccessIdentity` (to none) and `originAccessControlId`: the move
 * from OAI to OAC. Pure.
 */

/** `openshift.io/cloud-credential-operator/<name>`: the Comment and OAC description that mark ours. */
export function ownershipComment(name: string): string {
  return `openshift.io/cloud-credential-operator/${name}`;
}

/** The OAC and the distribution; `distributionArn` for the bucket policy when the distribution exists. */
export function planDistribution(ctx: PlanContext): {
  changes: Change[];
  distributionArn: string | undefined;
} {
  const { desired, observed } = ctx;
  if (desired.hosting.kind !== 'cloudfront') return { changes: [], distributionArn: undefined };
  const oac = observed.originAccessControl;
  const d = observed.distribution;
  const domain = desired.hosting.customDomain;
  const want: Record<DistributionAttribute, string> = {
    originDomain: s3VirtualHost(desired.bucket, desired.region),
    originAccessControlId: oac?.id ?? KNOWN_AFTER_APPLY,
    originAccessIdentity: '',
    viewerProtocolPolicy: 'https-only',
    cachePolicyId: CACHING_DISABLED_POLICY_ID,
    enabled: 'true',
    aliases: domain ?? '',
    acmCertificateArn: desired.hosting.acmCertificateArn ?? '',
  };
  const fields: FieldChange[] = [];
  if (d !== undefined) {
    const have: Record<DistributionAttribute, string> = {
      originDomain: d.originDomain,
      originAccessControlId: d.originAccessControlId,
      originAccessIdentity: d.originAccessIdentity,
      viewerProtocolPolicy: d.viewerProtocolPolicy,
      cachePolicyId: d.cachePolicyId,
      enabled: String(d.enabled),
      aliases: d.aliases.join(','),
      acmCertificateArn: d.acmCertificateArn ?? '',
    };
    for (const k of DISTRIBUTION_ATTRIBUTES) {
      if (have[k] !== want[k])
        fields.push({ attribute: k, field: k, from: have[k] || '(none)', to: want[k] || '(none)' });
    }
    fields.push(...tagField(desired.tags, d.tags));
  }
  return {
    changes: [
      change('origin-access-control', desired.bucket, oac !== undefined, []),
      change(
        'distribution',
        d?.id ?? desired.bucket,
        d !== undefined,
        fields,
        d === undefined ? [] : [`${d.domainName} (${d.status})`],
      ),
    ],
    distributionArn: d?.arn,
  };
}
