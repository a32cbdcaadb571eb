import { renderDiscoveryDocument } from '../../../src/core/discovery.js';
import { ownershipTags, type Tag } from '../../../src/core/iam-documents.js';
import { issuerHostPath, publicS3IssuerUrl, s3VirtualHost } from '../../../src/core/issuer.js';
import { renderJwks, type Jwk } from '../../../src/core/jwks.js';
import { CACHING_DISABLED_POLICY_ID } from '../../../src/core/ccoctl-files.js';
import type { FunctionPackage } from '../../../src/aws/issuer-function.js';
import type {
  Desired,
  DesiredRole,
  Observed,
  ObservedIssuerFunction,
  ObservedRole,
} from '../../../src/aws/model.js';
import { CLIENT_IDS, publicIssuerBucketPolicy } from '../../../src/aws/operations.js';
import { desiredPublicAccessBlock, oacBucketPolicy } from '../../../src/aws/plan.js';

/**
 * A cluster "demo" in us-east-1 and the account state that matches it exactly, for the planner's
 * table tests: each case starts from the in-sync state and changes one thing.
 */

export const NAME = 'demo';
export const REGION = 'us-east-1';
export const BUCKET = 'demo-oidc';
export const ACCOUNT = '123456789012';
export const PUBLIC_ISSUER = publicS3IssuerUrl(BUCKET, REGION);
export const TAGS: readonly Tag[] = ownershipTags(NAME);
export const DIST_DOMAIN = 'd111111abcdef8.cloudfront.net';
export const DIST_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2QWRUHEXAMPLE`;
export const OAC_ID = 'E3OACEXAMPLE';

/** Two RSA public JWKs (the values need not be real keys: the planner compares by kid and bytes). */
export const KEY_A: Jwk = { use: 'sig', kty: 'RSA', kid: 'kid-a', alg: 'RS256', n: 'AQID', e: 'AQAB' };
export const KEY_B: Jwk = { use: 'sig', kty: 'RSA', kid: 'kid-b', alg: 'RS256', n: 'BAUG', e: 'AQAB' };

export const ROLE_NAME = 'demo-openshift-image-registry-installer-cloud-credentials';

function trust(providerArn: string, hostPath: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${hostPath}:sub`]: ['system:serviceaccount:openshift-image-registry:registry'],
          },
        },
      },
    ],
  });
}

export const INLINE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:CreateBucket'], Resource: '*' }],
});

export const ROLE: DesiredRole = {
  name: ROLE_NAME,
  description: 'OpenShift role for openshift-image-registry/installer-cloud-credentials',
  trustPolicy: trust,
  inlinePolicy: INLINE_POLICY,
  permissionsBoundaryArn: undefined,
  tags: TAGS,
  serves: 'openshift-image-registry/installer-cloud-credentials',
};

export function desired(overrides: Partial<Desired> = {}): Desired {
  return {
    name: NAME,
    region: REGION,
    bucket: BUCKET,
    hosting: { kind: 'public' },
    tags: TAGS,
    jwks: { keys: [KEY_A] },
    replaceKeys: false,
    issuer: true,
    roles: [ROLE],
    ...overrides,
  };
}

export const CLOUDFRONT = { kind: 'cloudfront' } as const;

export function providerArnFor(issuer: string): string {
  return `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerHostPath(issuer)}`;
}

/** The role as IAM holds it when it matches `ROLE` for `issuer`. */
export function observedRole(issuer: string, overrides: Partial<ObservedRole> = {}): ObservedRole {
  return {
    name: ROLE_NAME,
    arn: `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`,
    description: ROLE.description,
    trustPolicy: trust(providerArnFor(issuer), issuerHostPath(issuer)),
    inlinePolicy: INLINE_POLICY,
    permissionsBoundaryArn: undefined,
    tags: TAGS,
    ...overrides,
  };
}

/** The account exactly as `desired(...)` wants it, for public S3 or CloudFront hosting. */
export function inSync(hosting: 'public' | 'cloudfront' = 'public'): Observed {
  const issuer = hosting === 'public' ? PUBLIC_ISSUER : `https://${DIST_DOMAIN}`;
  return {
    accountId: ACCOUNT,
    bucket: {
      name: BUCKET,
      exists: true,
      tags: TAGS,
      policy: JSON.stringify(
        hosting === 'public'
          ? publicIssuerBucketPolicy('aws', BUCKET)
          : oacBucketPolicy(REGION, BUCKET, DIST_ARN),
      ),
      publicAccessBlock: desiredPublicAccessBlock(hosting),
      discovery: { body: renderDiscoveryDocument(issuer), contentType: 'application/json' },
      jwks: { body: renderJwks({ keys: [KEY_A] }), contentType: 'application/json' },
    },
    originAccessControl:
      hosting === 'public'
        ? undefined
        : { id: OAC_ID, name: BUCKET, description: `openshift.io/cloud-credential-operator/${NAME}` },
    distribution:
      hosting === 'public'
        ? undefined
        : {
            id: 'E2QWRUHEXAMPLE',
            arn: DIST_ARN,
            domainName: DIST_DOMAIN,
            status: 'Deployed',
            enabled: true,
            comment: `openshift.io/cloud-credential-operator/${NAME}`,
            aliases: [],
            originDomain: s3VirtualHost(BUCKET, REGION),
            originAccessControlId: OAC_ID,
            originAccessIdentity: '',
            viewerProtocolPolicy: 'https-only',
            cachePolicyId: CACHING_DISABLED_POLICY_ID,
            acmCertificateArn: undefined,
            tags: TAGS,
          },
    provider: {
      arn: providerArnFor(issuer),
      url: issuerHostPath(issuer),
      clientIds: [...CLIENT_IDS],
      thumbprints: [],
      tags: TAGS,
    },
    roles: new Map([[ROLE_NAME, observedRole(issuer)]]),
  };
}

/** Nothing exists yet. */
export function empty(): Observed {
  return {
    accountId: ACCOUNT,
    bucket: {
      name: BUCKET,
      exists: false,
      tags: [],
      policy: undefined,
      publicAccessBlock: undefined,
      discovery: undefined,
      jwks: undefined,
    },
    originAccessControl: undefined,
    distribution: undefined,
    provider: undefined,
    roles: new Map([[ROLE_NAME, undefined]]),
  };
}

/** Cluster "c" hosted by an issuer function packaged as `code`, with no roles (`--hosting lambda`). */
export function lambdaDesired(code: FunctionPackage): Desired {
  return {
    name: 'c',
    region: 'us-east-1',
    bucket: 'c-oidc',
    hosting: { kind: 'lambda', code },
    tags: [{ Key: 'openshift.io/cloud-credential-operator/c', Value: 'owned' }],
    jwks: { keys: [] },
    replaceKeys: false,
    issuer: true,
    roles: [],
  };
}

/** The account of {@link lambdaDesired}: nothing of cluster "c" yet, or only its issuer function. */
export function lambdaObserved(issuerFunction?: ObservedIssuerFunction): Observed {
  const nothing = empty();
  return {
    ...nothing,
    bucket: { ...nothing.bucket, name: 'c-oidc' },
    roles: new Map(),
    ...(issuerFunction === undefined ? {} : { issuerFunction }),
  };
}
