import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodePolicyDocument,
  iamProviderFromGet,
  iamRoleFromGetRole,
  parseRoleArn,
} from '../../../src/webidentity/iam-view.js';

/** IAM's answers → the model's IAM view (the STS, provisioning and the doctor all read IAM through these). */

const TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity"}]}';

test('parseRoleArn: partition, account and name, with or without a path', () => {
  assert.deepEqual(parseRoleArn('arn:aws:iam::123456789012:role/demo-ns-secret'), {
    partition: 'aws',
    account: '123456789012',
    roleName: 'demo-ns-secret',
  });
  assert.deepEqual(parseRoleArn('arn:aws-us-gov:iam::123456789012:role/team/sub/app'), {
    partition: 'aws-us-gov',
    account: '123456789012',
    roleName: 'app',
  });
  assert.equal(parseRoleArn('arn:aws:iam::12345:role/short-account'), undefined);
  assert.equal(parseRoleArn('arn:aws:iam::123456789012:user/someone'), undefined);
  assert.equal(parseRoleArn('not an arn'), undefined);
});

test('decodePolicyDocument: URL-encoded as IAM returns it (RFC 3986), or verbatim from emulators', () => {
  assert.equal(decodePolicyDocument(encodeURIComponent(TRUST)), TRUST);
  assert.equal(decodePolicyDocument(TRUST), TRUST);
  // A literal % that is not an escape: not URL-encoded after all, so kept as is.
  assert.equal(decodePolicyDocument('{"Sid":"100%"}'), '{"Sid":"100%"}');
});

test('iamProviderFromGet: URL without scheme, client IDs and thumbprints; missing lists are empty', () => {
  assert.deepEqual(
    iamProviderFromGet('arn:aws:iam::123456789012:oidc-provider/x-oidc.s3.us-east-1.amazonaws.com', {
      Url: 'x-oidc.s3.us-east-1.amazonaws.com',
      ClientIDList: ['openshift', 'sts.amazonaws.com'],
      ThumbprintList: ['ab'.repeat(20)],
    }),
    {
      arn: 'arn:aws:iam::123456789012:oidc-provider/x-oidc.s3.us-east-1.amazonaws.com',
      url: 'x-oidc.s3.us-east-1.amazonaws.com',
      clientIds: ['openshift', 'sts.amazonaws.com'],
      thumbprints: ['ab'.repeat(20)],
    },
  );
  assert.deepEqual(iamProviderFromGet('arn', {}), { arn: 'arn', url: '', clientIds: [], thumbprints: [] });
});

test('iamRoleFromGetRole: decoded trust policy, IAM default session duration, boundary when set', () => {
  const role = {
    Arn: 'arn:aws:iam::123456789012:role/app',
    RoleName: 'app',
    RoleId: 'AROAEXAMPLE',
    AssumeRolePolicyDocument: encodeURIComponent(TRUST),
  };
  assert.deepEqual(iamRoleFromGetRole(role), {
    arn: role.Arn,
    roleName: 'app',
    roleId: 'AROAEXAMPLE',
    assumeRolePolicyDocument: TRUST,
    maxSessionDuration: 3600,
  });
  assert.equal(
    iamRoleFromGetRole({
      ...role,
      MaxSessionDuration: 7200,
      PermissionsBoundary: { PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/b' },
    })?.permissionsBoundaryArn,
    'arn:aws:iam::123456789012:policy/b',
  );
  assert.equal(iamRoleFromGetRole({ ...role, RoleId: undefined }), undefined);
  assert.equal(iamRoleFromGetRole(undefined), undefined);
});
