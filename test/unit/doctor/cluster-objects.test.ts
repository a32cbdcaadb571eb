import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countLogLines,
  credentialsRequestFacts,
  secretFacts,
  unwrapList,
} from '../../../src/doctor/cluster-objects.js';
import { credentialsIni } from '../../../src/core/manifests.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('a ccoctl Secret (credentials INI in data) gives role ARN and token path', () => {
  const s = secretFacts({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cloud-credentials', namespace: 'openshift-ingress-operator' },
    data: { credentials: b64(credentialsIni('arn:aws:iam::123456789012:role/x')) },
  });
  assert.deepEqual(s, {
    namespace: 'openshift-ingress-operator',
    name: 'cloud-credentials',
    keys: ['credentials'],
    roleArn: 'arn:aws:iam::123456789012:role/x',
    webIdentityTokenFile: '/var/run/secrets/openshift/serviceaccount/token',
    staticKeys: false,
  });
});

test('static keys are detected as keys or in the INI, and their values are not kept', () => {
  const a = secretFacts({
    metadata: { name: 'a', namespace: 'n' },
    data: { aws_access_key_id: b64('AKIA'), aws_secret_access_key: b64('s3cr3t') },
  });
  assert.equal(a.staticKeys, true);
  assert.ok(!JSON.stringify(a).includes('s3cr3t'));
  const b = secretFacts({
    metadata: { name: 'b', namespace: 'n' },
    stringData: { credentials: '[default]\naws_access_key_id = AKIA\naws_secret_access_key = x' },
  });
  assert.equal(b.staticKeys, true);
  assert.equal(b.roleArn, undefined);
});

test('lists are unwrapped; CredentialsRequest facts are read', () => {
  const items = unwrapList({
    kind: 'List',
    items: [
      {
        kind: 'CredentialsRequestList',
        items: [
          {
            kind: 'CredentialsRequest',
            metadata: { name: 'r' },
            spec: {
              secretRef: { name: 's', namespace: 'n' },
              serviceAccountNames: ['a', 'b'],
              providerSpec: { kind: 'AWSProviderSpec' },
            },
          },
        ],
      },
    ],
  });
  assert.equal(items.length, 1);
  assert.deepEqual(credentialsRequestFacts(items[0]), {
    name: 'r',
    namespace: undefined,
    secretRef: { name: 's', namespace: 'n' },
    serviceAccountNames: ['a', 'b'],
    providerKind: 'AWSProviderSpec',
  });
});

test('log lines are counted per pattern (a Go SDK WebIdentityErr wraps InvalidIdentityToken)', () => {
  assert.deepEqual(
    countLogLines(
      'ok\nWebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: x\nAccessDenied\n',
    ),
    { invalidIdentityToken: 1, accessDenied: 1, webIdentityErr: 1 },
  );
});
