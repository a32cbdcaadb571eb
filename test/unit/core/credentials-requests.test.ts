import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  permissionsPolicy,
  readCredentialsRequests,
  StsctlAggregateError,
  StsctlError,
  trustPolicyForRequest,
  type InputFile,
  type ReadResult,
} from '../../../src/core/index.js';
import { CREDREQS } from '../../helpers/repo.js';

function load(dir: string, name: string): InputFile {
  return { name, content: readFileSync(join(CREDREQS, dir, name), 'utf8') };
}

function readDir(dir: string, enableTechPreview = false): ReadResult {
  const files = readdirSync(join(CREDREQS, dir))
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => load(dir, n));
  return readCredentialsRequests(files, { enableTechPreview });
}

describe('real CredentialsRequests (shared/fixtures/credentials-requests)', () => {
  // Documented outcomes: shared/fixtures/credentials-requests/README.md.
  test('aws/: exactly the 7 AWS requests, in file order, with their Secrets and service accounts', () => {
    const { requests } = readDir('aws');
    assert.deepEqual(
      requests.map((r) => [
        r.name,
        `${r.secretRef.namespace}/${r.secretRef.name}`,
        r.serviceAccountNames.join(','),
      ]),
      [
        [
          'openshift-cluster-api-aws',
          'openshift-cluster-api/capa-manager-bootstrap-credentials',
          'capa-controller-manager',
        ],
        [
          'openshift-machine-api-aws',
          'openshift-machine-api/aws-cloud-credentials',
          'machine-api-controllers',
        ],
        [
          'cloud-credential-operator-iam-ro',
          'openshift-cloud-credential-operator/cloud-credential-operator-iam-ro-creds',
          'cloud-credential-operator',
        ],
        [
          'openshift-image-registry',
          'openshift-image-registry/installer-cloud-credentials',
          'cluster-image-registry-operator,registry',
        ],
        ['openshift-ingress', 'openshift-ingress-operator/cloud-credentials', 'ingress-operator'],
        [
          'openshift-cloud-network-config-controller-aws',
          'openshift-cloud-network-config-controller/cloud-credentials',
          'cloud-network-config-controller',
        ],
        [
          'aws-ebs-csi-driver-operator',
          'openshift-cluster-csi-drivers/ebs-cloud-credentials',
          'aws-ebs-csi-driver-operator,aws-ebs-csi-driver-controller-sa',
        ],
      ],
    );
  });

  test('aws/: every non-AWS document is skipped with a warning naming its file and document', () => {
    const { skipped } = readDir('aws');
    const warnings = skipped.filter((s) => s.reason === 'not-aws');
    // machine-api 7, ingress 4, cncc 3, cluster-api 4 (Azure, GCP, PowerVS, VSphere; OpenStack is tech-preview)
    assert.equal(warnings.length, 18);
    assert.ok(warnings.every((s) => s.level === 'warning' && /not AWSProviderSpec/.test(s.message)));
    assert.ok(warnings.some((s) => s.source.file.includes('machine-api') && s.source.document === 7));
  });

  test('aws/: the cluster-api AWS request is feature-gated and kept, like ccoctl', () => {
    const capa = readDir('aws').requests.find((r) => r.name === 'openshift-cluster-api-aws');
    assert.deepEqual(capa?.featureGates, ['ClusterAPIMachineManagement', 'ClusterAPIMachineManagementAWS']);
  });

  test('aws/: the EBS policy keeps its boolean condition value', () => {
    const ebs = readDir('aws').requests.find((r) => r.name === 'aws-ebs-csi-driver-operator');
    assert.ok(ebs);
    const policy = permissionsPolicy(ebs);
    assert.deepEqual(policy.Statement[2]?.Condition, { Bool: { 'kms:GrantIsForAWSResource': true } });
    assert.equal(policy.Statement[1]?.Resource, '*');
    assert.ok([policy.Statement.at(1)?.Action ?? []].flat().includes('kms:ReEncrypt*'));
  });

  test('other/: no AWS documents; every document skipped with a warning, no error', () => {
    const { requests, skipped } = readDir('other');
    assert.equal(requests.length, 0);
    assert.equal(skipped.filter((s) => s.level === 'warning').length, 5);
  });

  test('historical capi with feature-set TechPreviewNoUpgrade: skipped by default, processed with --enable-tech-preview', () => {
    const dir = 'aws-historical/cluster-capi-operator@8e0a704a02ea';
    assert.equal(readDir(dir).requests.filter((r) => r.name === 'openshift-cluster-api-aws').length, 0);
    assert.equal(
      readDir(dir)
        .skipped.find((s) => s.reason === 'tech-preview')
        ?.message.includes('tech-preview annotation'),
      true,
    );
    assert.equal(readDir(dir, true).requests.filter((r) => r.name === 'openshift-cluster-api-aws').length, 1);
  });

  test('historical capi with "CustomNoUpgrade,TechPreviewNoUpgrade" is processed with --enable-tech-preview (ccoctl never does)', () => {
    const dir = 'aws-historical/cluster-capi-operator@cc07848af442';
    assert.equal(readDir(dir).requests.length, 0);
    const r = readDir(dir, true).requests.find((x) => x.name === 'openshift-cluster-api-aws');
    assert.deepEqual(r?.featureSets, ['CustomNoUpgrade', 'TechPreviewNoUpgrade']);
  });

  test('historical image-registry without serviceAccountNames is an error naming file, document and field', () => {
    const dir = 'aws-historical/cluster-image-registry-operator@f183062f7d65';
    assert.throws(
      () => readDir(dir),
      (e: unknown) =>
        e instanceof StsctlError &&
        e.path === 'spec.serviceAccountNames' &&
        e.document === 0 &&
        (e.file ?? '').endsWith('registry-credentials-request.yaml'),
    );
  });
});

const base = `apiVersion: cloudcredential.openshift.io/v1
kind: CredentialsRequest
metadata:
  name: x
  namespace: openshift-cloud-credential-operator
spec:
  secretRef: {name: s, namespace: ns}
  serviceAccountNames: [sa]
  providerSpec:
    apiVersion: cloudcredential.openshift.io/v1
    kind: AWSProviderSpec
    statementEntries:
    - effect: Allow
      action: [s3:GetObject]
      resource: "*"
`;

describe('parsing rules', () => {
  test('reads oc adm release extract output (--- before every document, sorted keys) and JSON', () => {
    const json = JSON.stringify({
      apiVersion: 'cloudcredential.openshift.io/v1',
      kind: 'CredentialsRequest',
      metadata: { name: 'j' },
      spec: {
        secretRef: { name: 's2', namespace: 'ns' },
        serviceAccountNames: ['sa'],
        providerSpec: {
          kind: 'AWSProviderSpec',
          statementEntries: [{ effect: 'Allow', action: ['a:b'], resource: '*' }],
        },
      },
    });
    const { requests } = readCredentialsRequests([
      { name: 'a.yaml', content: `---\n${base}---\n` },
      { name: 'b.json', content: json },
    ]);
    assert.deepEqual(
      requests.map((r) => r.name),
      ['x', 'j'],
    );
  });

  test('reads kind: List wrappers (oc get -o yaml)', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${base.replace(/^/gm, '  ').replace(/^ {2}apiVersion/, '- apiVersion')}`;
    const { requests } = readCredentialsRequests([{ name: 'l.yaml', content: list }]);
    assert.equal(requests.length, 1);
  });

  test('honours release.openshift.io/delete', () => {
    const marked = base.replace(
      '  namespace: openshift-cloud-credential-operator\n',
      '  namespace: openshift-cloud-credential-operator\n  annotations:\n    release.openshift.io/delete: "true"\n',
    );
    const { requests, skipped } = readCredentialsRequests([{ name: 'd.yaml', content: marked }]);
    assert.equal(requests.length, 0);
    assert.equal(
      skipped[0]?.message,
      'Ignoring CredentialsRequest openshift-cloud-credential-operator/x as it is marked for in-cluster deletion',
    );
  });

  test('feature-set containing Default is processed without --enable-tech-preview', () => {
    const annotated = base.replace(
      '  namespace: openshift-cloud-credential-operator\n',
      '  namespace: openshift-cloud-credential-operator\n  annotations:\n    release.openshift.io/feature-set: "Default,TechPreviewNoUpgrade"\n',
    );
    assert.equal(readCredentialsRequests([{ name: 'f.yaml', content: annotated }]).requests.length, 1);
  });

  test('skips empty and comment-only documents silently and other kinds with a warning', () => {
    const { requests, skipped } = readCredentialsRequests([
      {
        name: 'e.yaml',
        content: `# just a comment\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${base}`,
      },
    ]);
    assert.equal(requests.length, 1);
    assert.deepEqual(
      skipped.map((s) => [s.reason, s.level]),
      [
        ['empty', 'debug'],
        ['not-a-credentials-request', 'warning'],
      ],
    );
  });

  test('malformed YAML names the file, document and line', () => {
    assert.throws(
      () => readCredentialsRequests([{ name: 'bad.yaml', content: `${base}---\nkind: [unclosed\n` }]),
      (e: unknown) =>
        e instanceof StsctlError &&
        e.code === 'CREDREQ_MALFORMED' &&
        e.file === 'bad.yaml' &&
        e.document === 1 &&
        /line/.test(e.message),
    );
  });

  test('wrong field types are reported with their path; all problems at once', () => {
    const bad = base
      .replace('action: [s3:GetObject]', 'action: s3:GetObject')
      .replace('serviceAccountNames: [sa]', 'serviceAccountNames: []');
    assert.throws(
      () => readCredentialsRequests([{ name: 'b.yaml', content: bad }]),
      (e: unknown) =>
        e instanceof StsctlAggregateError &&
        e.errors.some(
          (x) =>
            x.path === 'spec.providerSpec.statementEntries[0].action' && /list of strings/.test(x.message),
        ) &&
        e.errors.some((x) => x.path === 'spec.serviceAccountNames'),
    );
  });

  test('missing secretRef namespace is an error', () => {
    assert.throws(
      () =>
        readCredentialsRequests([
          {
            name: 'b.yaml',
            content: base.replace('secretRef: {name: s, namespace: ns}', 'secretRef: {name: s}'),
          },
        ]),
      (e: unknown) => e instanceof StsctlError && e.path === 'spec.secretRef.namespace',
    );
  });
});

describe('trust policy', () => {
  test('Federated provider, web-identity action, StringEquals on :sub over secretRef-namespace service accounts', () => {
    const files = readdirSync(join(CREDREQS, 'aws'))
      .filter((n) => n.includes('image-registry'))
      .map((n) => load('aws', n));
    const r = readCredentialsRequests(files).requests[0]!;
    const doc = trustPolicyForRequest(
      r,
      'arn:aws:iam::123456789012:oidc-provider/c-oidc.s3.us-east-1.amazonaws.com',
      'c-oidc.s3.us-east-1.amazonaws.com',
    );
    assert.deepEqual(doc, {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated: 'arn:aws:iam::123456789012:oidc-provider/c-oidc.s3.us-east-1.amazonaws.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'c-oidc.s3.us-east-1.amazonaws.com:sub': [
                'system:serviceaccount:openshift-image-registry:cluster-image-registry-operator',
                'system:serviceaccount:openshift-image-registry:registry',
              ],
            },
          },
        },
      ],
    });
  });
});
