import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  goJsonMarshal,
  iamRolesLayout,
  identityProviderLayout,
  readCredentialsRequests,
  readPublicKeyPem,
  StsctlError,
  type OutputFile,
} from '../../../src/core/index.js';
import { CCOCTL_DERIVED, TEST_PUBLIC_KEY } from '../../helpers/repo.js';

const key = readPublicKeyPem(readFileSync(TEST_PUBLIC_KEY, 'utf8'));

function fixtureFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function asMap(files: readonly OutputFile[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, f.content]));
}

function parsedOrText(path: string, content: string): unknown {
  return path.endsWith('.yaml') ? content : (JSON.parse(content) as unknown);
}

describe('identity provider dry-run files vs ccoctl-derived fixtures', () => {
  for (const [folder, region, hosting] of [
    ['A-create-identity-provider-public-us-west-2', 'us-west-2', 'public'],
    ['C-create-identity-provider-public-us-east-1', 'us-east-1', 'public'],
    ['B-create-identity-provider-private-us-west-2', 'us-west-2', 'cloudfront'],
  ] as const) {
    test(`${folder}: same file names, same parsed values`, () => {
      const expected = fixtureFiles(join(CCOCTL_DERIVED, folder));
      const actual = asMap(
        identityProviderLayout({ name: 'test-infra-name', region, publicKeys: [key], hosting, dryRun: true })
          .files,
      );
      assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
      for (const [path, content] of expected) {
        let want = parsedOrText(path, content);
        if (path === '08-cloudfront-distribution.json') {
          // Intended difference (ccoctl.md §4, §9): stsctl adds the ownership tag so that
          // `delete` finds the distribution; everything else must equal ccoctl's file.
          const got = parsedOrText(path, actual.get(path)!) as {
            DistributionConfigWithTags: { Tags: { Items: unknown[] } };
          };
          assert.deepEqual(got.DistributionConfigWithTags.Tags.Items, [
            { Key: 'openshift.io/cloud-credential-operator/test-infra-name', Value: 'owned' },
            { Key: 'Name', Value: 'test-infra-name' },
          ]);
          want = JSON.parse(content) as { DistributionConfigWithTags: { Tags: { Items: unknown[] } } };
          (
            want as { DistributionConfigWithTags: { Tags: { Items: unknown[] } } }
          ).DistributionConfigWithTags.Tags.Items = got.DistributionConfigWithTags.Tags.Items;
        }
        assert.deepEqual(parsedOrText(path, actual.get(path)!), want, path);
      }
    });

    test(`${folder}: byte-identical except the documented 08 tag`, () => {
      const expected = fixtureFiles(join(CCOCTL_DERIVED, folder));
      const actual = asMap(
        identityProviderLayout({ name: 'test-infra-name', region, publicKeys: [key], hosting, dryRun: true })
          .files,
      );
      for (const [path, content] of expected) {
        if (path === '08-cloudfront-distribution.json') continue;
        assert.equal(actual.get(path), content, path);
      }
    });
  }

  test('CloudFront hosting is refused where the partition has none', () => {
    assert.throws(
      () =>
        identityProviderLayout({
          name: 'n',
          region: 'cn-north-1',
          publicKeys: [key],
          hosting: 'cloudfront',
          dryRun: true,
        }),
      (e: unknown) =>
        e instanceof StsctlError && e.code === 'HOSTING_UNAVAILABLE' && /aws-cn/.test(e.message),
    );
  });

  test('a real (not dry) run writes only the Authentication manifest', () => {
    const files = identityProviderLayout({
      name: 'n',
      region: 'us-east-1',
      publicKeys: [key],
      hosting: 'public',
      dryRun: false,
    }).files;
    assert.deepEqual(
      files.map((f) => [f.path, f.mode]),
      [['manifests/cluster-authentication-02-config.yaml', 0o600]],
    );
  });
});

const cr = readCredentialsRequests([
  {
    name: 'cr.yaml',
    content: `apiVersion: cloudcredential.openshift.io/v1
kind: CredentialsRequest
metadata: {name: openshift-image-registry, namespace: openshift-cloud-credential-operator}
spec:
  secretRef: {name: installer-cloud-credentials, namespace: openshift-image-registry}
  serviceAccountNames: [cluster-image-registry-operator, registry]
  providerSpec:
    kind: AWSProviderSpec
    statementEntries:
    - effect: Allow
      action: [s3:CreateBucket]
      resource: "*"
      policyCondition:
        StringEquals: {"aws:ResourceTag/x": "<&>"}
`,
  },
]).requests;

describe('role dry-run files', () => {
  const layout = iamRolesLayout({
    name: 'test-cluster1',
    requests: cr,
    providerArn: 'arn:aws:iam::123456789012:oidc-provider/testing123-oidc.s3.amazonaws.com',
    issuerHostPath: 'testing123-oidc.s3.amazonaws.com',
    partition: 'aws',
    permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/testing123-permissions-boundary',
    dryRun: true,
  });

  test('file names use the full role name; RoleName inside is at most 64 characters', () => {
    assert.deepEqual(
      layout.files.map((f) => f.path),
      [
        '05-0-test-cluster1-openshift-image-registry-installer-cloud-credentials-role.json',
        '06-0-test-cluster1-openshift-image-registry-installer-cloud-credentials-policy.json',
        'manifests/openshift-image-registry-installer-cloud-credentials-credentials.yaml',
      ],
    );
    const role = JSON.parse(layout.files[0]!.content) as Record<string, unknown>;
    assert.ok((role['RoleName'] as string).length <= 64);
    assert.equal(
      role['PermissionsBoundary'],
      'arn:aws:iam::123456789012:policy/testing123-permissions-boundary',
    );
    assert.deepEqual(Object.keys(role), [
      'AssumeRolePolicyDocument',
      'Description',
      'PermissionsBoundary',
      'RoleName',
      'Tags',
    ]);
    assert.equal(
      role['Description'],
      'OpenShift role for openshift-image-registry/installer-cloud-credentials',
    );
  });

  test('JSON is written like Go: <, >, & escaped; trust policy names the provider', () => {
    const policyFile = layout.files[1]!.content;
    assert.ok(policyFile.includes('\\u003c\\u0026\\u003e'), policyFile);
    const trust = JSON.parse(
      (JSON.parse(layout.files[0]!.content) as { AssumeRolePolicyDocument: string }).AssumeRolePolicyDocument,
    ) as {
      Statement: { Principal: { Federated: string } }[];
    };
    assert.equal(
      trust.Statement[0]!.Principal.Federated,
      'arn:aws:iam::123456789012:oidc-provider/testing123-oidc.s3.amazonaws.com',
    );
  });

  test('with a known provider account the Secret carries the role ARN and no marker', () => {
    const secret = layout.files[2]!.content;
    assert.match(
      secret,
      /role_arn = arn:aws:iam::123456789012:role\/test-cluster1-openshift-image-registry-installer-cloud-[0-9a-f]{8}\n/,
    );
    assert.ok(!secret.includes('POPULATE'));
  });

  test('without a provider (create-all dry-run) the Federated principal is a clear placeholder', () => {
    const l = iamRolesLayout({
      name: 'c',
      requests: cr,
      providerArn: undefined,
      issuerHostPath: 'c-oidc.s3.us-east-1.amazonaws.com',
      partition: 'aws',
      dryRun: true,
    });
    const role = JSON.parse(l.files[0]!.content) as { AssumeRolePolicyDocument: string };
    assert.match(
      role.AssumeRolePolicyDocument,
      /arn:aws:iam::<enter_aws_account_id_here>:oidc-provider\/c-oidc\.s3\.us-east-1\.amazonaws\.com/,
    );
    assert.ok(l.files[2]!.content.endsWith('POPULATE ROLE ARN AND DELETE THIS LINE'));
  });

  test('goJsonMarshal sorts map keys and escapes like Go', () => {
    assert.equal(goJsonMarshal({ b: '<', a: '&' }, { sortKeys: true }), '{"a":"\\u0026","b":"\\u003c"}');
  });
});
