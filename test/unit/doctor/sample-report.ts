import { componentReport, makeFinding, summarize, type DoctorReport } from '../../../src/doctor/report.js';
import { FINDINGS } from '../../../src/doctor/findings/registry.js';

/** A fixed report for the renderers' golden tests: a private bucket breaking one component. */
export function sampleReport(): DoctorReport {
  const issuer = 'https://demo-oidc.s3.us-east-1.amazonaws.com';
  const vars = {
    issuer,
    iss: issuer,
    bucket: 'demo-oidc',
    region: 'us-east-1',
    partition: 'aws',
    accountId: '123456789012',
  };
  const cnr = FINDINGS.ISSUER_PRIVATE_BUCKET.predicts();
  const privateBucket = makeFinding(
    'ISSUER_PRIVATE_BUCKET',
    'bucket demo-oidc: no bucket policy on .well-known/openid-configuration, keys.json (public-access block: bucket all four on; account none)',
    vars,
  );
  const issuerGroup = componentReport({
    name: issuer,
    kind: 'issuer',
    checks: [
      {
        id: 'issuer.form',
        title: 'Issuer URL form',
        hop: 'issuer',
        outcome: { status: 'pass', detail: `${issuer}: S3 virtual (bucket demo-oidc, us-east-1)` },
      },
      {
        id: 'issuer.documents',
        title: 'Discovery and JWKS, anonymously from the internet',
        hop: 'discovery',
        outcome: {
          status: 'fail',
          findings: [
            makeFinding(
              'DISCOVERY_HTTP_STATUS',
              `${issuer}/.well-known/openid-configuration: HTTP 403`,
              vars,
            ),
          ],
        },
      },
      {
        id: 'issuer.hosting',
        title: 'Issuer hosting',
        hop: 'issuer',
        outcome: { status: 'fail', findings: [privateBucket] },
      },
    ],
  });
  const registry = componentReport({
    name: 'openshift-image-registry/installer-cloud-credentials',
    kind: 'component',
    roleArn: 'arn:aws:iam::123456789012:role/demo-openshift-image-registry-installer-cloud-credentials',
    serviceAccounts: ['cluster-image-registry-operator', 'registry'],
    verdicts: [
      {
        ok: false,
        serviceAccount: 'registry',
        error: { code: cnr.code, status: cnr.status, message: cnr.message },
        rule: 'discovery.status',
        detail: `${issuer}/.well-known/openid-configuration: HTTP 403`,
      },
    ],
    checks: [
      {
        id: 'component.secret',
        title: 'Credentials Secret',
        hop: 'credentials',
        outcome: { status: 'pass', detail: 'openshift-image-registry/installer-cloud-credentials' },
      },
      {
        id: 'token.request',
        title: 'Token for cluster-image-registry-operator',
        hop: 'token',
        outcome: {
          status: 'could-not-check',
          reason: 'service account openshift-image-registry/cluster-image-registry-operator does not exist',
        },
      },
      {
        id: 'sts.verdict',
        title: 'What STS answers for registry',
        hop: 'issuer',
        outcome: {
          status: 'fail',
          findings: [
            {
              ...privateBucket,
              predictedError: { code: cnr.code, status: cnr.status, message: cnr.message },
              decisive: true,
            },
          ],
        },
      },
    ],
  });
  const ingress = componentReport({
    name: 'openshift-ingress-operator/cloud-credentials',
    kind: 'component',
    roleArn: 'arn:aws:iam::123456789012:role/demo-openshift-ingress-operator-cloud-credentials',
    serviceAccounts: ['ingress-operator'],
    verdicts: [],
    checks: [
      {
        id: 'role.trust',
        title: 'Role and trust policy',
        hop: 'role',
        outcome: { status: 'pass', detail: 'trust policy allows ingress-operator' },
      },
      {
        id: 'role.smells',
        title: 'Trust policy hygiene',
        hop: 'role',
        outcome: {
          status: 'fail',
          findings: [
            makeFinding(
              'TRUST_POLICY_WILDCARD_SUB',
              'StringLike :sub ["system:serviceaccount:openshift-ingress-operator:*"]',
              {
                ...vars,
                roleName: 'demo-openshift-ingress-operator-cloud-credentials',
                namespace: 'openshift-ingress-operator',
                serviceAccount: 'ingress-operator',
                issuerHostPath: 'demo-oidc.s3.us-east-1.amazonaws.com',
              },
            ),
          ],
        },
      },
    ],
  });
  const components = [issuerGroup, registry, ingress];
  return {
    schemaVersion: 1,
    generatedAt: '2026-11-23T10:00:00.000Z',
    mode: 'cluster',
    issuer,
    components,
    summary: summarize(components),
  };
}
