import { goJsonMarshal } from './go-json.js';
import { bucketArn, type PartitionId } from './partitions.js';
import type { Tag } from './iam-documents.js';

/**
 * The request files ccoctl writes with `--dry-run` (ccoctl.md §2, §3, §4), byte-compatible where
 * ccoctl's bytes are known (test/fixtures/ccoctl-aws-derived). Each file is valid
 * `--cli-input-json` for the matching `aws` CLI command.
 */

export const DRY_RUN_FILES = {
  bucket: '01-oidc-bucket.json',
  discovery: '02-openid-configuration',
  jwks: '03-keys.json',
  identityProvider: '04-iam-identity-provider.json',
  originAccessIdentity: '05-cloudfront-origin-access-identity.json',
  bucketPolicyForOai: '06-put-bucket-policy-to-allow-origin-access-identity.json',
  blockPublicAccess: '07-block-public-access-to-oidc-bucket.json',
  distribution: '08-cloudfront-distribution.json',
} as const;

export const PLACEHOLDER_CLOUDFRONT_URL = '<enter_cloudfront_distribution_url_here>';
export const PLACEHOLDER_THUMBPRINT = '<enter_tls_fingerprint_for_issuer_url_here>';
export const PLACEHOLDER_OAI = '<enter_cloudfront_origin_access_identity_here>';
export const PLACEHOLDER_ISSUER = '<enter_issuer_url_here>';
export const PLACEHOLDER_ACCOUNT_ID = '<enter_aws_account_id_here>';
export const PLACEHOLDER_PROVIDER_ARN = '<enter_identity_provider_arn_here>';

/** CloudFront's managed "CachingDisabled" cache policy. */
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

/** `05-<i>-<full role name>-role.json` (ccoctl's `"05-%d-%s-role.json"`). */
export function roleRequestFileName(index: number, fullRoleName: string): string {
  return `05-${index}-${fullRoleName}-role.json`;
}

/** `06-<i>-<full role name>-policy.json`. */
export function policyRequestFileName(index: number, fullRoleName: string): string {
  return `06-${index}-${fullRoleName}-policy.json`;
}

/** `aws s3api create-bucket` input; us-east-1 takes no LocationConstraint. */
export function bucketRequestFile(bucket: string, region: string): string {
  const lines = ['{', '\t"ACL": "private",', `\t"Bucket": "${bucket}"${region === 'us-east-1' ? '' : ','}`];
  if (region !== 'us-east-1') {
    lines.push('\t"CreateBucketConfiguration": {', `\t\t"LocationConstraint": "${region}"`, '\t}');
  }
  lines.push('}');
  return lines.join('\n');
}

/** `aws iam create-open-id-connect-provider` input (ends with a newline, like ccoctl's template). */
export function identityProviderRequestFile(
  issuer: string,
  thumbprint: string = PLACEHOLDER_THUMBPRINT,
): string {
  return [
    '{',
    `\t"Url": "${issuer}",`,
    '\t"ClientIDList": [',
    '\t\t"openshift",',
    '\t\t"sts.amazonaws.com"',
    '\t],',
    '\t"ThumbprintList": [',
    `\t\t"${thumbprint}"`,
    '\t]',
    '}',
    '',
  ].join('\n');
}

/**
 * Pretty JSON in the style of ccoctl's hand-written CloudFront templates: `indent` spaces, no
 * space after the colon.
 */
export function templateJson(value: unknown, indent: number, level = 0): string {
  const pad = ' '.repeat(indent * (level + 1));
  const close = ' '.repeat(indent * level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + templateJson(v, indent, level + 1)).join(',\n')}\n${close}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}:${templateJson(v, indent, level + 1)}`).join(',\n')}\n${close}}`;
  }
  return JSON.stringify(value);
}

/** `aws cloudfront create-cloud-front-origin-access-identity` input. */
export function originAccessIdentityRequestFile(name: string): string {
  return templateJson(
    {
      CloudFrontOriginAccessIdentityConfig: {
        CallerReference: name,
        Comment: `openshift.io/cloud-credential-operator/${name}`,
      },
    },
    3,
  );
}

/** The bucket policy letting a CloudFront OAI read the issuer objects. */
export function oaiBucketPolicy(partition: PartitionId, bucket: string, oaiId: string): object {
  return {
    Version: '2008-10-17',
    Id: 'PolicyForCloudFrontPrivateContent',
    Statement: [
      {
        Sid: '1',
        Effect: 'Allow',
        Principal: {
          AWS: `arn:${partition}:iam::cloudfront:user/CloudFront Origin Access Identity ${oaiId}`,
        },
        Action: 's3:GetObject',
        Resource: `${bucketArn(partition, bucket)}/*`,
      },
    ],
  };
}

/** `aws s3api put-bucket-policy` input for the OAI policy (ccoctl escapes `/` as `\/`). */
export function oaiBucketPolicyRequestFile(partition: PartitionId, bucket: string): string {
  const policy = JSON.stringify(oaiBucketPolicy(partition, bucket, PLACEHOLDER_OAI));
  const escaped = JSON.stringify(policy).replace(/\//g, '\\/');
  return ['{', `        "Bucket": "${bucket}",`, `        "Policy": ${escaped}`, '}'].join('\n');
}

/** `aws s3api put-public-access-block` input with all four flags set. */
export function blockPublicAccessRequestFile(bucket: string): string {
  return [
    '{',
    `\t"Bucket": "${bucket}",`,
    '\t"PublicAccessBlockConfiguration": {',
    '        "BlockPublicAcls": true,',
    '        "IgnorePublicAcls": true,',
    '        "BlockPublicPolicy": true,',
    '        "RestrictPublicBuckets": true',
    '    }',
    '}',
  ].join('\n');
}

/**
 * `aws cloudfront create-distribution-with-tags` input. Unlike ccoctl's (which carries only
 * `Name`), it also carries the ownership tag, so `delete` (ccoctl's or stsctl's) finds a
 * distribution created from it (ccoctl.md §4).
 */
export function distributionRequestFile(name: string, originDomain: string, tags: readonly Tag[]): string {
  const config = {
    DistributionConfigWithTags: {
      DistributionConfig: {
        CallerReference: name,
        Aliases: { Quantity: 0 },
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: originDomain,
              DomainName: originDomain,
              OriginPath: '',
              CustomHeaders: { Quantity: 0 },
              S3OriginConfig: {
                OriginAccessIdentity: `origin-access-identity/cloudfront/${PLACEHOLDER_OAI}`,
              },
              ConnectionAttempts: 3,
              ConnectionTimeout: 10,
              OriginShield: { Enabled: false },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: originDomain,
          TrustedSigners: { Enabled: false, Quantity: 0 },
          TrustedKeyGroups: { Enabled: false, Quantity: 0 },
          ViewerProtocolPolicy: 'https-only',
          AllowedMethods: {
            Quantity: 2,
            Items: ['HEAD', 'GET'],
            CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
          },
          SmoothStreaming: false,
          Compress: false,
          LambdaFunctionAssociations: { Quantity: 0 },
          FunctionAssociations: { Quantity: 0 },
          FieldLevelEncryptionId: '',
          CachePolicyId: CACHING_DISABLED_POLICY_ID,
        },
        CacheBehaviors: { Quantity: 0 },
        CustomErrorResponses: { Quantity: 0 },
        Comment: `openshift.io/cloud-credential-operator/${name}`,
        Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
        PriceClass: 'PriceClass_All',
        Enabled: true,
        ViewerCertificate: { CloudFrontDefaultCertificate: true },
      },
      Tags: { Items: tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
    },
  };
  return templateJson(config, 3);
}

/** `aws iam create-role` input: a Go map, so keys sorted and `<>&` escaped. */
export function roleRequestFile(input: {
  readonly roleName: string;
  readonly description: string;
  readonly trustPolicy: string;
  readonly permissionsBoundary?: string | undefined;
  readonly tags: readonly Tag[];
}): string {
  const value: Record<string, unknown> = {
    AssumeRolePolicyDocument: input.trustPolicy,
    Description: input.description,
    RoleName: input.roleName,
    Tags: input.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
  };
  if (input.permissionsBoundary !== undefined && input.permissionsBoundary !== '') {
    value['PermissionsBoundary'] = input.permissionsBoundary;
  }
  return goJsonMarshal(value, { sortKeys: true });
}

/** `aws iam put-role-policy` input. */
export function policyRequestFile(input: { readonly roleName: string; readonly policy: string }): string {
  return goJsonMarshal(
    { PolicyDocument: input.policy, PolicyName: input.roleName, RoleName: input.roleName },
    { sortKeys: true },
  );
}
