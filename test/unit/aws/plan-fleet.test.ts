import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownershipTags } from '../../../src/core/iam-documents.js';
import type { Desired, Observed } from '../../../src/aws/model.js';
import { fleetBucketPolicy, fleetTags, findChange, plan } from '../../../src/aws/plan.js';
import { ACCOUNT, DIST_ARN, DIST_DOMAIN, REGION, ROLE, desired, inSync } from './plan-fixtures.js';

/**
 * A fleet issuer (`--shared-issuer`): adding a cluster to a fleet whose hosting exists plans only
 * the cluster's own resources — its two documents under `<cluster>/`, its provider
 * `<domain>/<cluster>` and its roles — and leaves the bucket, its policy, the OAC and the
 * distribution unchanged. That is what makes adding a cluster cost the same at any fleet size.
 */

const FLEET = 'fleet1';
const FLEET_BUCKET = 'fleet1-oidc';

function member(name: string): Desired {
  return desired({
    name,
    bucket: FLEET_BUCKET,
    tags: ownershipTags(name),
    hosting: { kind: 'cloudfront', sharedIssuer: FLEET },
    roles: [{ ...ROLE, name: `${name}-role`, tags: ownershipTags(name) }],
  });
}

/** The fleet's hosting as it stands after its first cluster, and nothing yet of `name`. */
function fleetWithout(name: string): Observed {
  const cf = inSync('cloudfront');
  return {
    ...cf,
    bucket: {
      ...cf.bucket,
      name: FLEET_BUCKET,
      tags: fleetTags(FLEET),
      policy: JSON.stringify(fleetBucketPolicy(REGION, FLEET_BUCKET, DIST_ARN)),
      discovery: undefined,
      jwks: undefined,
    },
    originAccessControl: {
      id: 'E3OACEXAMPLE',
      name: FLEET_BUCKET,
      description: `openshift.io/cloud-credential-operator/${FLEET}`,
    },
    distribution:
      cf.distribution === undefined
        ? undefined
        : {
            ...cf.distribution,
            comment: `openshift.io/cloud-credential-operator/${FLEET}`,
            originDomain: `${FLEET_BUCKET}.s3.${REGION}.amazonaws.com`,
            tags: fleetTags(FLEET),
          },
    provider: undefined,
    roles: new Map([[`${name}-role`, undefined]]),
  };
}

test('adding a cluster to a fleet plans no change to the distribution, the OAC, the bucket or its policy', () => {
  const p = plan(member('c3'), fleetWithout('c3'));
  for (const kind of [
    'bucket',
    'public-access-block',
    'origin-access-control',
    'distribution',
    'bucket-policy',
  ] as const) {
    assert.equal(findChange(p, kind)?.action, 'unchanged', `${kind}: ${JSON.stringify(findChange(p, kind))}`);
  }
  assert.deepEqual(
    p.changes.filter((c) => c.action !== 'unchanged').map((c) => [c.kind, c.action, c.id]),
    [
      ['discovery-document', 'create', `${FLEET_BUCKET}/c3/.well-known/openid-configuration`],
      ['jwks', 'create', `${FLEET_BUCKET}/c3/keys.json`],
      ['oidc-provider', 'create', `${DIST_DOMAIN}/c3`],
      ['role', 'create', 'c3-role'],
    ],
  );
  assert.equal(p.issuer, `https://${DIST_DOMAIN}/c3`);
  assert.equal(p.providerArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/${DIST_DOMAIN}/c3`);
});

test("a fleet member plans the distribution's tags as the fleet's, never the cluster's", () => {
  const obs = fleetWithout('c3');
  const d = obs.distribution;
  assert.ok(d !== undefined);
  const p = plan(member('c3'), { ...obs, distribution: { ...d, tags: [] } });
  const dist = findChange(p, 'distribution');
  assert.equal(dist?.action, 'update');
  assert.deepEqual(
    dist.fields.map((f) => [f.attribute, f.to]),
    [['tags', `stsctl.io/shared-issuer=${FLEET}, Name=${FLEET}`]],
  );
});

test('the fleet bucket policy grants the distribution every key, so it never names a cluster', () => {
  const policy = fleetBucketPolicy(REGION, FLEET_BUCKET, DIST_ARN) as {
    Statement: { Resource: unknown; Condition: unknown }[];
  };
  const [statement] = policy.Statement;
  assert.ok(statement !== undefined);
  assert.equal(statement.Resource, `arn:aws:s3:::${FLEET_BUCKET}/*`);
  assert.deepEqual(statement.Condition, { StringEquals: { 'AWS:SourceArn': DIST_ARN } });
  // The same policy for every member: the plan of any cluster finds it unchanged.
  const a = plan(member('a1'), fleetWithout('a1'));
  const b = plan(member('b2'), fleetWithout('b2'));
  assert.equal(findChange(a, 'bucket-policy')?.action, 'unchanged');
  assert.equal(findChange(b, 'bucket-policy')?.action, 'unchanged');
});

test("manual mode for a fleet member: the script writes the cluster's documents under its prefix only", async () => {
  const { exportSubject, renderAwsCliScript, renderCloudFormation } =
    await import('../../../src/aws/export/index.js');
  const d = member('c3');
  const o = fleetWithout('c3');
  const p = plan(d, o);
  const options = { planHash: `sha256:${'ef'.repeat(32)}`, version: '0.0.0-test' };
  const subject = exportSubject(d, o, p);
  const script = renderAwsCliScript(subject, p, options);
  // Words are single-quoted for the shell where quoting is needed.
  const unquote = (w: string | undefined): string | undefined => w?.replace(/^'(.*)'$/, '$1');
  const keys = [...script.matchAll(/aws s3api put-object --bucket (\S+) --key (\S+)/g)].map((m) => [
    unquote(m[1]),
    unquote(m[2]),
  ]);
  assert.deepEqual(keys, [
    [FLEET_BUCKET, 'c3/.well-known/openid-configuration'],
    [FLEET_BUCKET, 'c3/keys.json'],
  ]);
  assert.doesNotMatch(script, /cloudfront (create|update)-distribution|put-bucket-policy/);
  const template = renderCloudFormation(subject, p, options);
  assert.match(template, /--key '?c3\/keys\.json/);
});
