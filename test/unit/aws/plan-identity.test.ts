import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plan, publishedIssuer } from '../../../src/aws/plan.js';
import { isStsctlError } from '../../../src/core/errors.js';
import { renderDiscoveryDocument } from '../../../src/core/discovery.js';
import {
  CLOUDFRONT,
  DIST_DOMAIN,
  PUBLIC_ISSUER,
  desired,
  empty,
  inSync,
  providerArnFor,
} from './plan-fixtures.js';

/** No silent identity change: the planner names a move of the published issuer, and refuses another region. */

test('in sync, or nothing published yet: no migration', () => {
  assert.equal(plan(desired(), inSync('public')).migration, undefined);
  assert.equal(plan(desired({ hosting: CLOUDFRONT }), inSync('cloudfront')).migration, undefined);
  assert.equal(plan(desired({ hosting: CLOUDFRONT }), empty()).migration, undefined);
});

test('public S3 → CloudFront: a migration to a domain known after apply; the bucket becomes private', () => {
  const observed = { ...inSync('public'), publishedIssuerProvider: inSync('public').provider };
  const m = plan(desired({ hosting: CLOUDFRONT }), { ...observed, provider: undefined }).migration;
  assert.equal(m?.from, PUBLIC_ISSUER);
  assert.equal(m.to, undefined);
  assert.equal(m.previousProviderArn, providerArnFor(PUBLIC_ISSUER));
  assert.ok(
    m.consequences.some((c) => c === `the bucket becomes private: ${PUBLIC_ISSUER} is no longer served`),
  );
  assert.ok(
    m.consequences.some((c) => c.includes(`${providerArnFor(PUBLIC_ISSUER)} of ${PUBLIC_ISSUER} is kept`)),
  );
});

test('CloudFront → public S3 (a re-run without --hosting cloudfront) is a migration too', () => {
  const m = plan(desired(), {
    ...inSync('cloudfront'),
    distribution: undefined,
    originAccessControl: undefined,
  }).migration;
  assert.equal(m?.from, `https://${DIST_DOMAIN}`);
  assert.equal(m.to, PUBLIC_ISSUER);
  assert.ok(!m.consequences.some((c) => c.includes('becomes private')));
});

test('CloudFront → a custom domain changes the issuer: a migration', () => {
  const m = plan(
    desired({
      hosting: {
        kind: 'cloudfront',
        customDomain: 'oidc.example.com',
        acmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x',
      },
    }),
    inSync('cloudfront'),
  ).migration;
  assert.equal(m?.to, 'https://oidc.example.com');
});

test('create-iam-roles never plans a migration (it does not touch the issuer)', () => {
  assert.equal(plan(desired({ issuer: false }), inSync('cloudfront')).migration, undefined);
});

test('a bucket in another region than --region: BUCKET_REGION_MISMATCH naming both', () => {
  const observed = { ...empty(), bucket: { ...empty().bucket, exists: true, region: 'eu-west-1' } };
  assert.throws(
    () => plan(desired(), observed),
    (e: unknown) =>
      isStsctlError(e) &&
      e.code === 'BUCKET_REGION_MISMATCH' &&
      e.kind === 'usage' &&
      e.message ===
        'the bucket demo-oidc exists in eu-west-1, not in us-east-1 (--region): the cluster "demo" was created in eu-west-1',
  );
  const same = { ...inSync('public'), bucket: { ...inSync('public').bucket, region: 'us-east-1' } };
  assert.equal(plan(desired(), same).migration, undefined);
});

test('publishedIssuer: the issuer of a discovery document, or nothing', () => {
  assert.equal(publishedIssuer(renderDiscoveryDocument(PUBLIC_ISSUER)), PUBLIC_ISSUER);
  assert.equal(publishedIssuer(undefined), undefined);
  assert.equal(publishedIssuer('not json'), undefined);
  assert.equal(publishedIssuer('{"issuer": 42}'), undefined);
  assert.equal(publishedIssuer('{"issuer": "http://insecure"}'), undefined);
});
