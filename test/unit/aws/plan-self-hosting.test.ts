import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiscoveryDocument } from '../../../src/core/discovery.js';
import { renderJwks } from '../../../src/core/jwks.js';
import type { HostingSpec, Observed } from '../../../src/aws/model.js';
import { findChange, plan, planCounts } from '../../../src/aws/plan.js';
import { CLIENT_IDS } from '../../../src/aws/operations.js';
import { KEY_A, KEY_B, TAGS, desired, empty, observedRole, providerArnFor } from './plan-fixtures.js';

/**
 * The plan of a self-hosted issuer (`--hosting self --issuer-url`): no bucket, public-access
 * block, policy or CloudFront; the two documents live in the operator's directory; the provider's
 * thumbprints follow the live chain.
 */

const ISSUER = 'https://oidc.example.com/cluster-a';
const DIR = '/srv/issuer';
const SELF: HostingSpec = {
  kind: 'self',
  issuerUrl: ISSUER,
  documents: {
    location: DIR,
    read: () => Promise.reject(new Error('the plan reads what was observed, never the port')),
    write: () => Promise.reject(new Error('the plan writes nothing')),
  },
};
const THUMB = '0123456789ABCDEF0123456789ABCDEF01234567';

function inSyncSelf(): Observed {
  const e = empty();
  return {
    ...e,
    bucket: {
      ...e.bucket,
      name: DIR,
      discovery: { body: renderDiscoveryDocument(ISSUER), contentType: 'application/json' },
      jwks: { body: renderJwks({ keys: [KEY_A] }), contentType: 'application/json' },
    },
    provider: {
      arn: providerArnFor(ISSUER),
      url: 'oidc.example.com/cluster-a',
      clientIds: [...CLIENT_IDS],
      thumbprints: [THUMB],
      tags: TAGS,
    },
    roles: new Map([[desired().roles[0]?.name ?? '', observedRole(ISSUER)]]),
  };
}

test('a new self-hosted issuer plans the two documents, the provider and the roles, nothing else', () => {
  const p = plan(desired({ hosting: SELF, thumbprints: [THUMB] }), empty());
  assert.equal(p.issuer, ISSUER);
  assert.equal(p.providerArn, providerArnFor(ISSUER));
  assert.deepEqual(
    p.changes.map((c) => [c.kind, c.id, c.action]),
    [
      ['discovery-document', `${DIR}/.well-known/openid-configuration`, 'create'],
      ['jwks', `${DIR}/keys.json`, 'create'],
      ['oidc-provider', 'oidc.example.com/cluster-a', 'create'],
      ['role', desired().roles[0]?.name, 'create'],
    ],
  );
});

test('in sync: everything unchanged', () => {
  const p = plan(desired({ hosting: SELF, thumbprints: [THUMB] }), inSyncSelf());
  assert.deepEqual(planCounts(p), { create: 0, update: 0, unchanged: 4 });
});

test('a publicly trusted chain asks for no thumbprint, and a pinned one is left alone', () => {
  const p = plan(desired({ hosting: SELF, thumbprints: [] }), inSyncSelf());
  assert.equal(findChange(p, 'oidc-provider')?.action, 'unchanged');
});

test('a pinned leaf (another thumbprint) is an update of thumbprints', () => {
  const obs = inSyncSelf();
  const leaf = 'FEDCBA9876543210FEDCBA9876543210FEDCBA98';
  const p = plan(desired({ hosting: SELF, thumbprints: [THUMB] }), {
    ...obs,
    provider: obs.provider === undefined ? undefined : { ...obs.provider, thumbprints: [leaf] },
  });
  const c = findChange(p, 'oidc-provider');
  assert.equal(c?.action, 'update');
  assert.deepEqual(
    c.fields.map((f) => [f.attribute, f.from, f.to]),
    [['thumbprints', leaf, THUMB]],
  );
});

test('a removed JWKS is planned as created; a new key as an update of keys', () => {
  const obs = inSyncSelf();
  const removed = plan(desired({ hosting: SELF }), { ...obs, bucket: { ...obs.bucket, jwks: undefined } });
  assert.equal(findChange(removed, 'jwks')?.action, 'create');
  const rotated = plan(desired({ hosting: SELF, jwks: { keys: [KEY_B] } }), obs);
  assert.deepEqual(
    findChange(rotated, 'jwks')?.fields.map((f) => f.attribute),
    ['keys'],
  );
});

test('another --issuer-url than the one published is a migration', () => {
  const p = plan(
    desired({ hosting: { ...SELF, issuerUrl: 'https://other.example.com' } as HostingSpec }),
    inSyncSelf(),
  );
  assert.equal(p.migration?.from, ISSUER);
  assert.equal(p.migration.to, 'https://other.example.com');
});

test('manual mode: the exported script and template touch no bucket for a self-hosted issuer', async () => {
  const { exportSubject, renderAwsCliScript, renderCloudFormation } =
    await import('../../../src/aws/export/index.js');
  const d = desired({ hosting: SELF, thumbprints: [THUMB] });
  const o = empty();
  const p = plan(d, o);
  const subject = exportSubject(d, o, p);
  const options = { planHash: `sha256:${'cd'.repeat(32)}`, version: '0.0.0-test' };
  const script = renderAwsCliScript(subject, p, options);
  assert.doesNotMatch(script, /aws s3api|aws s3 /, 'no S3 call');
  assert.match(script, new RegExp(`# ${DIR}/keys\\.json: a file for your issuer server`));
  assert.match(script, /aws iam create-open-id-connect-provider/);
  const template = renderCloudFormation(subject, p, options);
  assert.doesNotMatch(template, /AWS::S3::|UploadIssuerDocuments/);
  assert.match(template, /Stsctl::IssuerDocuments/);
  assert.match(template, /AWS::IAM::OIDCProvider/);
});
