import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertUniqueRoleNames,
  bucketName,
  oidcProviderArn,
  parseArn,
  partitionForRegion,
  roleArn,
  roleName,
  StsctlError,
  validateName,
  validateRegion,
  allowAdditionalRegions,
} from '../../../src/core/index.js';

describe('--name', () => {
  test('bucket is <name>-oidc', () => assert.equal(bucketName('abc'), 'abc-oidc'));

  test('accepts 58 characters, the most that keeps the bucket within 63', () => {
    const name = 'a'.repeat(58);
    assert.equal(validateName(name), name);
    assert.equal(bucketName(name).length, 63);
  });

  for (const bad of ['a'.repeat(59), 'Upper', 'has.dot', '-lead', 'trail-', 'under_score', '']) {
    test(`rejects "${bad.length > 20 ? `${bad.length} characters` : bad}"`, () => {
      assert.throws(
        () => validateName(bad),
        (e: unknown) => e instanceof StsctlError && e.code === 'INVALID_NAME',
      );
    });
  }
});

describe('role names', () => {
  test('short names are kept as <name>-<ns>-<secret>', () => {
    const r = roleName('c1', 'openshift-ingress-operator', 'cloud-credentials');
    assert.deepEqual(r, {
      full: 'c1-openshift-ingress-operator-cloud-credentials',
      name: 'c1-openshift-ingress-operator-cloud-credentials',
      shortened: false,
    });
  });

  test('long names get a deterministic cut plus hash, at most 64 characters', () => {
    const a = roleName('test-cluster1', 'openshift-image-registry', 'installer-cloud-credentials');
    const b = roleName('test-cluster1', 'openshift-image-registry', 'installer-cloud-credentials');
    assert.equal(a.name, b.name);
    assert.ok(a.name.length <= 64);
    assert.match(a.name, /^test-cluster1-openshift-image-registry-installer-cloud-[0-9a-f]{8}$/);
  });

  test('ccoctl mode cuts at 64 like ccoctl', () => {
    const r = roleName('test-cluster1', 'openshift-image-registry', 'installer-cloud-credentials', 'ccoctl');
    assert.equal(r.name, 'test-cluster1-openshift-image-registry-installer-cloud-credentia');
  });

  // ccoctl.md §3.7: with a 45+ character name, capa and ebs collide under ccoctl's cut.
  const secrets = [
    ['openshift-cluster-api', 'capa-manager-bootstrap-credentials'],
    ['openshift-cluster-csi-drivers', 'ebs-cloud-credentials'],
    ['openshift-cloud-credential-operator', 'cloud-credential-operator-iam-ro-creds'],
    ['openshift-cloud-network-config-controller', 'cloud-credentials'],
    ['openshift-machine-api', 'aws-cloud-credentials'],
    ['openshift-ingress-operator', 'cloud-credentials'],
    ['openshift-image-registry', 'installer-cloud-credentials'],
  ] as const;

  test('a 50-character --name yields 7 unique role names of at most 64 characters', () => {
    const name = 'a'.repeat(50);
    const roles = secrets.map(([ns, s]) => roleName(name, ns, s));
    assert.equal(new Set(roles.map((r) => r.name)).size, 7);
    for (const r of roles) assert.ok(r.name.length <= 64, r.name);
    assert.doesNotThrow(() => assertUniqueRoleNames(roles.map((role, i) => ({ role, source: `cr${i}` }))));
  });

  test('with ccoctl mode the same name collides, and the collision is reported', () => {
    const name = 'a'.repeat(50);
    const roles = secrets.map(([ns, s]) => roleName(name, ns, s, 'ccoctl'));
    assert.throws(
      () => assertUniqueRoleNames(roles.map((role, i) => ({ role, source: `cr${i}` }))),
      (e: unknown) =>
        e instanceof StsctlError &&
        e.code === 'ROLE_NAME_COLLISION' &&
        /cr0/.test(e.message) &&
        /cr1/.test(e.message),
    );
  });
});

describe('partitions and ARNs', () => {
  test('regions map to partitions and DNS suffixes', () => {
    assert.deepEqual(
      [
        'us-east-1',
        'eu-west-3',
        'cn-north-1',
        'cn-northwest-1',
        'us-gov-west-1',
        'us-iso-east-1',
        'us-isob-east-1',
      ].map((r) => [partitionForRegion(r).id, partitionForRegion(r).dnsSuffix]),
      [
        ['aws', 'amazonaws.com'],
        ['aws', 'amazonaws.com'],
        ['aws-cn', 'amazonaws.com.cn'],
        ['aws-cn', 'amazonaws.com.cn'],
        ['aws-us-gov', 'amazonaws.com'],
        ['aws-iso', 'c2s.ic.gov'],
        ['aws-iso-b', 'sc2s.sgov.gov'],
      ],
    );
  });

  test('CloudFront exists only in the aws partition', () => {
    assert.equal(partitionForRegion('us-east-1').hasCloudFront, true);
    assert.equal(partitionForRegion('cn-north-1').hasCloudFront, false);
    assert.equal(partitionForRegion('us-gov-east-1').hasCloudFront, false);
  });

  test('ARNs carry the partition', () => {
    assert.equal(
      oidcProviderArn('aws-cn', '123456789012', 'x.s3.cn-north-1.amazonaws.com.cn'),
      'arn:aws-cn:iam::123456789012:oidc-provider/x.s3.cn-north-1.amazonaws.com.cn',
    );
    assert.equal(roleArn('aws-us-gov', '123456789012', 'r'), 'arn:aws-us-gov:iam::123456789012:role/r');
    assert.deepEqual(parseArn('arn:aws:iam::1:oidc-provider/a/b:c'), {
      partition: 'aws',
      service: 'iam',
      region: '',
      account: '1',
      resource: 'oidc-provider/a/b:c',
    });
    assert.equal(parseArn('nope'), undefined);
  });

  test('region names are checked for form', () => {
    assert.equal(validateRegion('ap-southeast-4'), 'ap-southeast-4');
    assert.throws(
      () => validateRegion('US-EAST-1'),
      (e: unknown) => e instanceof StsctlError && e.code === 'INVALID_REGION',
    );
    assert.throws(() => validateRegion('useast1'));
  });

  test("region names are checked against their partition's regions (botocore partitions.json)", () => {
    for (const r of ['us-east-1', 'mx-central-1', 'cn-northwest-1', 'us-gov-east-1', 'eusc-de-east-1'])
      assert.equal(validateRegion(r), r);
    assert.throws(
      () => validateRegion('us-east-7'),
      (e: unknown) =>
        e instanceof StsctlError &&
        e.code === 'INVALID_REGION' &&
        e.message.includes('not a region of the aws partition') &&
        e.message.includes('did you mean us-east-1, us-east-2?') &&
        (e.hint ?? '').includes('STSCTL_EXTRA_REGIONS'),
    );
    assert.throws(
      () => validateRegion('cn-south-1', '--region'),
      (e: unknown) => e instanceof StsctlError && e.message.includes('aws-cn partition'),
    );
    assert.throws(() => validateRegion('us-gov-north-1'));
  });

  test('a region opened after this release is accepted once allowed (STSCTL_EXTRA_REGIONS)', () => {
    assert.throws(() => validateRegion('eu-east-9'));
    allowAdditionalRegions(['eu-east-9', 'not a region']);
    assert.equal(validateRegion('eu-east-9'), 'eu-east-9');
  });
});
