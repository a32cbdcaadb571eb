import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IRSA, irsaServiceAccountFacts, isRoleArn } from '../../../src/doctor/cluster-objects.js';
import { checkIrsa } from '../../../src/doctor/checks/irsa.js';
import type { IamOidcProvider } from '../../../src/webidentity/types.js';

const sa = (annotations: Record<string, string> | undefined): unknown => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'app', namespace: 'team', ...(annotations === undefined ? {} : { annotations }) },
});

const ROLE = 'arn:aws:iam::123456789012:role/app';
const provider: IamOidcProvider = {
  arn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
  url: 'oidc.eks.us-west-2.amazonaws.com/id/ABC',
  clientIds: ['sts.amazonaws.com'],
  thumbprints: [],
};

test('a service account without the role-arn annotation is not IRSA', () => {
  assert.equal(irsaServiceAccountFacts(sa(undefined)), undefined);
  assert.equal(irsaServiceAccountFacts(sa({ 'eks.amazonaws.com/audience': 'x' })), undefined);
});

test("the webhook's defaults: audience sts.amazonaws.com, 86400 s", () => {
  const f = irsaServiceAccountFacts(sa({ [IRSA.roleArnAnnotation]: ROLE }));
  assert.deepEqual(f, {
    namespace: 'team',
    serviceAccount: 'app',
    roleArnAnnotation: ROLE,
    audience: 'sts.amazonaws.com',
    audienceAnnotated: false,
    tokenExpirationSeconds: 86400,
  });
});

test('token-expiration is clamped into [600, 86400]; a non-number keeps the default', () => {
  const exp = (v: string): number | undefined =>
    irsaServiceAccountFacts(sa({ [IRSA.roleArnAnnotation]: ROLE, [IRSA.tokenExpirationAnnotation]: v }))
      ?.tokenExpirationSeconds;
  assert.equal(exp('60'), 600);
  assert.equal(exp('3600'), 3600);
  assert.equal(exp('172800'), 86400);
  const bad = irsaServiceAccountFacts(
    sa({ [IRSA.roleArnAnnotation]: ROLE, [IRSA.tokenExpirationAnnotation]: '1h' }),
  );
  assert.deepEqual([bad?.tokenExpirationSeconds, bad?.tokenExpirationInvalid], [86400, '1h']);
});

test('isRoleArn: only arn:<partition>:iam::<12 digits>:role/<name>', () => {
  assert.equal(isRoleArn(ROLE), true);
  assert.equal(isRoleArn('arn:aws-cn:iam::123456789012:role/path/app'), true);
  assert.equal(isRoleArn('app'), false);
  assert.equal(isRoleArn('arn:aws:iam::123456789012:user/app'), false);
  assert.equal(isRoleArn('arn:aws:iam::12345:role/app'), false);
  assert.equal(isRoleArn('arn:aws:iam:us-east-1:123456789012:role/app'), false);
});

const check = (annotations: Record<string, string>, p: IamOidcProvider | undefined = provider) => {
  const facts = irsaServiceAccountFacts(sa(annotations));
  assert.ok(facts !== undefined);
  return checkIrsa({ facts, provider: p, vars: {}, sessionName: 'stsctl-doctor' });
};
const codes = (r: ReturnType<typeof check>): string[] =>
  r.outcome.status === 'fail' ? r.outcome.findings.map((f) => f.code) : [];

test('checkIrsa: a role beside the provider with the default audience passes', () => {
  assert.equal(check({ [IRSA.roleArnAnnotation]: ROLE }).outcome.status, 'pass');
});

test('checkIrsa: another account, another partition', () => {
  assert.deepEqual(codes(check({ [IRSA.roleArnAnnotation]: 'arn:aws:iam::210987654321:role/app' })), [
    'IRSA_ROLE_ACCOUNT_MISMATCH',
  ]);
  assert.deepEqual(codes(check({ [IRSA.roleArnAnnotation]: 'arn:aws-cn:iam::123456789012:role/app' })), [
    'IRSA_ROLE_ACCOUNT_MISMATCH',
  ]);
});

test("checkIrsa: the audience against the provider's client IDs, annotated or the webhook's default", () => {
  const annotated = check({ [IRSA.roleArnAnnotation]: ROLE, [IRSA.audienceAnnotation]: 'openshift' });
  assert.deepEqual(codes(annotated), ['IRSA_AUDIENCE_NOT_CLIENT_ID']);
  const ocp = { ...provider, clientIds: ['openshift'] };
  const byDefault = check({ [IRSA.roleArnAnnotation]: ROLE }, ocp);
  assert.deepEqual(codes(byDefault), ['IRSA_AUDIENCE_NOT_CLIENT_ID']);
  const detail = byDefault.outcome.status === 'fail' ? (byDefault.outcome.findings[0]?.detail ?? '') : '';
  assert.match(detail, /sts\.amazonaws\.com, the webhook's default .* lists client IDs openshift/);
});

test('checkIrsa: a value that is not a role ARN, with the answer STS gives for it', () => {
  const r = check({ [IRSA.roleArnAnnotation]: 'app' });
  assert.deepEqual(codes(r), ['IRSA_ROLE_ARN_INVALID']);
  const f = r.outcome.status === 'fail' ? r.outcome.findings[0] : undefined;
  const predicted = f?.predictedError;
  assert.ok(predicted !== undefined);
  assert.equal(predicted.code, 'ValidationError');
  assert.match(predicted.message, /at 'roleArn' failed to satisfy constraint/);
});
