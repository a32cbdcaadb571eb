import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Desired, Observed } from '../../../src/aws/model.js';
import {
  KNOWN_AFTER_APPLY,
  plan,
  planCounts,
  type Change,
  type FieldAttribute,
  type ResourceKind,
} from '../../../src/aws/plan.js';
import { renderJwks } from '../../../src/core/jwks.js';
import { renderDiscoveryDocument } from '../../../src/core/discovery.js';
import {
  BUCKET,
  CLOUDFRONT,
  DIST_DOMAIN,
  KEY_A,
  KEY_B,
  PUBLIC_ISSUER,
  ROLE_NAME,
  TAGS,
  desired,
  empty,
  inSync,
  observedRole,
  providerArnFor,
} from './plan-fixtures.js';

/**
 * The planner, table-driven: observed state in → changes out, one row per drift that real runs
 * repair. Each row names the changes it expects (kind, action, attributes); every other resource
 * must plan as unchanged, so a row also proves the drift touches nothing else.
 */

interface Expected {
  readonly action: Change['action'];
  readonly attributes?: readonly FieldAttribute[];
  /** Display labels, where the row pins them (`stsctl plan` prints these). */
  readonly labels?: readonly string[];
  readonly notes?: readonly string[];
}

interface Row {
  readonly name: string;
  readonly desired?: Desired;
  readonly observed: Observed;
  /** By `kind` (or `kind/id` when several share a kind). */
  readonly expect: Readonly<Partial<Record<ResourceKind, Expected>>>;
  /** Every resource not in `expect` has this action; default `unchanged`. */
  readonly others?: Change['action'];
}

function withBucket(o: Observed, bucket: Partial<Observed['bucket']>): Observed {
  return { ...o, bucket: { ...o.bucket, ...bucket } };
}

const publicSync = inSync('public');
const cfSync = inSync('cloudfront');
const foreignTag = { Key: 'team', Value: 'platform' };

const rows: Row[] = [
  { name: 'no change: public S3 hosting in sync', observed: publicSync, expect: {} },
  {
    name: 'no change: CloudFront hosting in sync',
    desired: desired({ hosting: CLOUDFRONT }),
    observed: cfSync,
    expect: {},
  },
  {
    name: 'create from empty (public S3)',
    observed: empty(),
    expect: {},
    others: 'create',
  },
  {
    name: 'trust policy drift (another service account)',
    observed: {
      ...publicSync,
      roles: new Map([
        [
          ROLE_NAME,
          observedRole(PUBLIC_ISSUER, {
            trustPolicy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Federated: providerArnFor(PUBLIC_ISSUER) },
                  Action: 'sts:AssumeRoleWithWebIdentity',
                  Condition: {
                    StringEquals: {
                      'demo-oidc.s3.us-east-1.amazonaws.com:sub': ['system:serviceaccount:default:other'],
                    },
                  },
                },
              ],
            }),
          }),
        ],
      ]),
    },
    expect: { role: { action: 'update', attributes: ['trustPolicy'] } },
  },
  {
    name: 'inline policy drift',
    observed: {
      ...publicSync,
      roles: new Map([
        [
          ROLE_NAME,
          observedRole(PUBLIC_ISSUER, {
            inlinePolicy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: '*' }],
            }),
          }),
        ],
      ]),
    },
    expect: { role: { action: 'update', attributes: ['inlinePolicy'] } },
  },
  {
    name: 'inline policy missing',
    observed: {
      ...publicSync,
      roles: new Map([[ROLE_NAME, observedRole(PUBLIC_ISSUER, { inlinePolicy: undefined })]]),
    },
    expect: { role: { action: 'update', attributes: ['inlinePolicy'], labels: ['inline policy'] } },
  },
  {
    name: 'permissions boundary missing',
    desired: desired({
      roles: [
        {
          ...desired().roles[0]!,
          permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
        },
      ],
    }),
    observed: publicSync,
    expect: {
      role: { action: 'update', attributes: ['permissionsBoundary'], labels: ['permissions boundary'] },
    },
  },
  {
    name: 'role tags missing (a foreign tag alone is left alone)',
    observed: {
      ...publicSync,
      roles: new Map([[ROLE_NAME, observedRole(PUBLIC_ISSUER, { tags: [foreignTag] })]]),
    },
    expect: { role: { action: 'update', attributes: ['tags'] } },
  },
  {
    name: 'extra foreign tags on the role: unchanged',
    observed: {
      ...publicSync,
      roles: new Map([[ROLE_NAME, observedRole(PUBLIC_ISSUER, { tags: [...TAGS, foreignTag] })]]),
    },
    expect: {},
  },
  {
    name: 'bucket tags missing',
    observed: withBucket(publicSync, { tags: [] }),
    expect: { bucket: { action: 'update', attributes: ['tags'] } },
  },
  {
    name: 'bucket policy grants the whole bucket (ccoctl public policy)',
    observed: withBucket(publicSync, {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` },
        ],
      }),
    }),
    expect: { 'bucket-policy': { action: 'update', attributes: ['bucketPolicy'] } },
  },
  {
    name: 'public-access block blocks public policies',
    observed: withBucket(publicSync, {
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
    expect: { 'public-access-block': { action: 'update', attributes: ['publicAccessBlock'] } },
  },
  {
    name: 'discovery document names another issuer',
    observed: withBucket(publicSync, {
      discovery: {
        body: renderDiscoveryDocument('https://old.example.com'),
        contentType: 'application/json',
      },
    }),
    expect: { 'discovery-document': { action: 'update', attributes: ['document'] } },
  },
  {
    name: 'discovery document with the same values in other bytes',
    observed: withBucket(publicSync, {
      discovery: {
        body: JSON.stringify(JSON.parse(renderDiscoveryDocument(PUBLIC_ISSUER))),
        contentType: 'application/json',
      },
    }),
    expect: {
      'discovery-document': { action: 'update', attributes: ['document'], labels: ['document (formatting)'] },
    },
  },
  {
    name: 'discovery document served as binary/octet-stream',
    observed: withBucket(publicSync, {
      discovery: { body: renderDiscoveryDocument(PUBLIC_ISSUER), contentType: 'binary/octet-stream' },
    }),
    expect: {
      'discovery-document': { action: 'update', attributes: ['contentType'], labels: ['Content-Type'] },
    },
  },
  {
    name: 'keys: another kid published is kept, ours added (merged by kid)',
    observed: withBucket(publicSync, {
      jwks: { body: renderJwks({ keys: [KEY_B] }), contentType: 'application/json' },
    }),
    expect: {
      jwks: {
        action: 'update',
        attributes: ['keys'],
        notes: [
          'adds kid kid-a',
          'keeps kid kid-b already published (remove it with --force once no token signed by it is in use)',
        ],
      },
    },
  },
  {
    name: 'keys: --force replaces the published set',
    desired: desired({ replaceKeys: true }),
    observed: withBucket(publicSync, {
      jwks: { body: renderJwks({ keys: [KEY_B, KEY_A] }), contentType: 'application/json' },
    }),
    expect: {
      jwks: { action: 'update', attributes: ['keys'], notes: ['replacing the published key set (--force)'] },
    },
  },
  {
    name: 'keys: ours already published next to an older one: unchanged',
    observed: withBucket(publicSync, {
      jwks: { body: renderJwks({ keys: [KEY_B, KEY_A] }), contentType: 'application/json' },
    }),
    expect: {},
  },
  {
    name: 'provider lacks the openshift client ID',
    observed: { ...publicSync, provider: { ...publicSync.provider!, clientIds: ['sts.amazonaws.com'] } },
    expect: { 'oidc-provider': { action: 'update', attributes: ['clientIds'], labels: ['client IDs'] } },
  },
  {
    name: 'provider thumbprints differ from the live chain',
    desired: desired({ thumbprints: ['A'.repeat(40)] }),
    observed: { ...publicSync, provider: { ...publicSync.provider!, thumbprints: ['b'.repeat(40)] } },
    expect: { 'oidc-provider': { action: 'update', attributes: ['thumbprints'] } },
  },
  {
    name: 'provider thumbprint in the other case: unchanged',
    desired: desired({ thumbprints: ['AB'.repeat(20)] }),
    observed: { ...publicSync, provider: { ...publicSync.provider!, thumbprints: ['ab'.repeat(20)] } },
    expect: {},
  },
  {
    name: 'provider tags missing',
    observed: { ...publicSync, provider: { ...publicSync.provider!, tags: [] } },
    expect: { 'oidc-provider': { action: 'update', attributes: ['tags'] } },
  },
  {
    name: 'distribution config drift (viewer protocol, disabled)',
    desired: desired({ hosting: CLOUDFRONT }),
    observed: {
      ...cfSync,
      distribution: { ...cfSync.distribution!, viewerProtocolPolicy: 'allow-all', enabled: false },
    },
    expect: {
      distribution: {
        action: 'update',
        attributes: ['enabled', 'viewerProtocolPolicy'],
        labels: ['enabled', 'viewerProtocolPolicy'],
      },
    },
  },
  {
    name: "OAI → OAC: ccoctl's private bucket moves to origin access control",
    desired: desired({ hosting: CLOUDFRONT }),
    observed: {
      ...cfSync,
      originAccessControl: undefined,
      distribution: {
        ...cfSync.distribution!,
        originAccessControlId: '',
        originAccessIdentity: 'origin-access-identity/cloudfront/E15OAIEXAMPLE',
      },
      bucket: {
        ...cfSync.bucket,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: {
                AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E15OAIEXAMPLE',
              },
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${BUCKET}/*`,
            },
          ],
        }),
      },
    },
    expect: {
      'origin-access-control': { action: 'create' },
      distribution: { action: 'update', attributes: ['originAccessControlId', 'originAccessIdentity'] },
      'bucket-policy': { action: 'update', attributes: ['bucketPolicy'] },
    },
  },
  {
    name: 'create-iam-roles against an existing provider: roles only',
    desired: desired({ issuer: false }),
    observed: { ...publicSync, roles: new Map([[ROLE_NAME, undefined]]) },
    expect: { role: { action: 'create' } },
  },
];

for (const row of rows) {
  test(`plan: ${row.name}`, () => {
    const p = plan(row.desired ?? desired(), row.observed);
    const seen = new Set<string>();
    for (const c of p.changes) {
      const want = row.expect[c.kind];
      seen.add(c.kind);
      if (want === undefined) {
        assert.equal(c.action, row.others ?? 'unchanged', `${c.kind} ${c.id}: ${JSON.stringify(c.fields)}`);
        if ((row.others ?? 'unchanged') === 'unchanged') assert.deepEqual(c.fields, []);
        continue;
      }
      assert.equal(c.action, want.action, `${c.kind} ${c.id}`);
      if (want.attributes !== undefined)
        assert.deepEqual([...new Set(c.fields.map((f) => f.attribute))].sort(), [...want.attributes].sort());
      if (want.labels !== undefined)
        assert.deepEqual(c.fields.map((f) => f.field).sort(), [...want.labels].sort());
      if (want.notes !== undefined) assert.deepEqual(c.notes, want.notes);
    }
    for (const kind of Object.keys(row.expect)) assert.ok(seen.has(kind), `a ${kind} change is planned`);
  });
}

test('plan: create from empty with CloudFront: the issuer is known after apply', () => {
  const p = plan(desired({ hosting: CLOUDFRONT }), empty());
  assert.equal(p.issuer, undefined);
  assert.deepEqual(
    p.changes.map((c) => [c.kind, c.action]),
    [
      ['bucket', 'create'],
      ['public-access-block', 'create'],
      ['origin-access-control', 'create'],
      ['distribution', 'create'],
      ['bucket-policy', 'create'],
      ['discovery-document', 'create'],
      ['jwks', 'create'],
      ['oidc-provider', 'create'],
      ['role', 'create'],
    ],
  );
  assert.equal(p.changes.find((c) => c.kind === 'oidc-provider')?.id, KNOWN_AFTER_APPLY);
});

test('plan: create from empty (public S3) knows the issuer and provider ARN before anything exists', () => {
  const p = plan(desired(), empty());
  assert.equal(p.issuer, PUBLIC_ISSUER);
  assert.equal(p.providerArn, providerArnFor(PUBLIC_ISSUER));
  assert.deepEqual(planCounts(p), { create: 7, update: 0, unchanged: 0 });
});

test('plan: JSON document drifts carry the path inside the document, and a `<label>: <path>` label', () => {
  const p = plan(
    desired(),
    withBucket(publicSync, {
      discovery: { body: renderDiscoveryDocument(`https://${DIST_DOMAIN}`), contentType: 'application/json' },
    }),
  );
  const disc = p.changes.find((c) => c.kind === 'discovery-document');
  const issuerField = disc?.fields.find((f) => f.path === 'issuer');
  assert.deepEqual(issuerField, {
    attribute: 'document',
    path: 'issuer',
    field: 'document: issuer',
    from: `https://${DIST_DOMAIN}`,
    to: PUBLIC_ISSUER,
  });
});

test('plan: a role whose provider is not known yet plans its trust policy as known after apply', () => {
  const p = plan(desired({ hosting: CLOUDFRONT }), {
    ...empty(),
    roles: new Map([[ROLE_NAME, observedRole(`https://${DIST_DOMAIN}`)]]),
  });
  const role = p.changes.find((c) => c.kind === 'role');
  assert.deepEqual(role?.fields[0], {
    attribute: 'trustPolicy',
    field: 'trust policy',
    from: undefined,
    to: KNOWN_AFTER_APPLY,
  });
  assert.equal(role.fields.length, 1);
});
