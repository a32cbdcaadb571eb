import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetBucketPolicyCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { previewPlan, provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { deleteResources } from '../../../src/commands/delete.js';
import { listFleet } from '../../../src/commands/fleet.js';
import { TraceRecorder } from '../../../src/aws/trace.js';
import { findChange } from '../../../src/aws/plan.js';
import { mintServiceAccountToken, readPrivateKeyPem } from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDENTIALS_REQUESTS as requests, createAllOptions } from '../../helpers/provision.js';
import { sdkAssume } from '../../helpers/web-identity.js';

/**
 * A fleet issuer end to end in the sandbox (`--shared-issuer`): several clusters under one private
 * bucket and one CloudFront distribution with OAC, each issuer `https://<domain>/<cluster>`. The
 * validating STS fetches each issuer through the sandbox's edge as AWS would, and checks the
 * trust policies' `<domain>/<cluster>:sub` conditions.
 */

const region = 'us-east-1';
const FLEET = 'fleet1';
const BUCKET = `${FLEET}-oidc`;

let sb: Sandbox;
let tmp: string;

const options = (name: string, extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'cloudfront', { sharedIssuer: FLEET, ...extra });

const deps = (trace?: TraceRecorder) => ({
  clients: sb.clients(),
  fetcher: sb.issuerFetcher,
  ...(trace === undefined ? {} : { trace }),
});

async function assumeAs(roleArn: string, token: string): Promise<string> {
  const a = await sdkAssume(sb, roleArn, token);
  return a.ok ? a.arn : `error:${a.name}`;
}

/** The role ARN each Secret of `cluster` names. */
function secretRoleArn(cluster: string, r: (typeof requests)[number]): string {
  const secretFile = readFileSync(
    join(tmp, cluster, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
    'utf8',
  );
  return /role_arn = (\S+)/.exec(secretFile)?.[1] ?? '';
}

/** A token of `cluster`'s service account, signed by its key and naming its issuer. */
async function tokenOf(cluster: string, issuer: string, namespace: string, sa: string): Promise<string> {
  const key = readPrivateKeyPem(readFileSync(join(tmp, cluster, 'serviceaccount-signer.private'), 'utf8'));
  return mintServiceAccountToken({
    issuer,
    namespace,
    serviceAccount: sa,
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
}

/** Every component of `cluster` assumes its role; another service account is refused. */
async function assertClusterWorks(cluster: string, issuer: string): Promise<void> {
  sb.sts.invalidateCaches();
  for (const r of requests) {
    const roleArn = secretRoleArn(cluster, r);
    for (const sa of r.serviceAccountNames) {
      assert.match(
        await assumeAs(roleArn, await tokenOf(cluster, issuer, r.secretRef.namespace, sa)),
        /^arn:aws:sts::123456789012:assumed-role\//,
        `${cluster}: ${r.name}/${sa}`,
      );
    }
    assert.equal(
      await assumeAs(roleArn, await tokenOf(cluster, issuer, r.secretRef.namespace, 'intruder')),
      'error:AccessDenied',
      `${cluster}: ${r.name}: another service account is refused`,
    );
  }
}

async function keysIn(prefix = ''): Promise<string[]> {
  const listed = await sb.clients().s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
}

/** What a run changed in the shared hosting: nothing, when a cluster joins or leaves. */
function hostingCalls(trace: TraceRecorder): string[] {
  return trace.calls
    .filter(
      (c) =>
        (c.service === 'CloudFront' && !/^(Get|List)/.test(c.operation)) ||
        (c.service === 'S3' &&
          /^(CreateBucket|PutBucket|PutPublicAccessBlock|DeleteBucket)/.test(c.operation)),
    )
    .map((c) => `${c.service}.${c.operation}`);
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-fleet-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('two clusters on one fleet issuer', () => {
  let domain: string;
  let distributionId: string;
  const issuerOf = (cluster: string): string => `https://${domain}/${cluster}`;
  let addB: number;

  test('the first cluster creates the fleet: one private bucket, one distribution, its documents under its prefix', async () => {
    const result = await provision(options('fa'), new RecordingReporter(), deps());
    assert.ok(result.outcome.distribution !== undefined);
    domain = result.outcome.distribution.domainName;
    distributionId = result.outcome.distribution.id;
    assert.equal(result.outcome.issuer, issuerOf('fa'));
    assert.equal(result.outcome.providerArn, `arn:aws:iam::123456789012:oidc-provider/${domain}/fa`);
    assert.deepEqual(await keysIn(), ['fa/.well-known/openid-configuration', 'fa/keys.json']);
    const policy = await sb.clients().s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
    assert.match(policy.Policy ?? '', new RegExp(`arn:aws:s3:::${BUCKET}/\\*`));
    assert.match(
      readFileSync(join(tmp, 'fa', 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      new RegExp(`serviceAccountIssuer: https://${domain}/fa`),
    );
    await assertClusterWorks('fa', issuerOf('fa'));
  });

  test('the second cluster joins without any change to the shared hosting; its roles trust <domain>/fb:sub', async () => {
    const trace = new TraceRecorder();
    const result = await provision(options('fb'), new RecordingReporter(), deps(trace));
    addB = trace.calls.length;
    assert.equal(result.outcome.issuer, issuerOf('fb'));
    assert.equal(result.outcome.distribution?.id, distributionId, 'the same distribution');
    assert.deepEqual(hostingCalls(trace), [], 'no call changed the bucket, the OAC or the distribution');
    assert.deepEqual([...new Set(result.outcome.applied.map((c) => c.kind))].sort(), [
      'discovery-document',
      'jwks',
      'oidc-provider',
      'role',
    ]);
    assert.deepEqual(await keysIn('fb/'), ['fb/.well-known/openid-configuration', 'fb/keys.json']);
    await assertClusterWorks('fb', issuerOf('fb'));
  });

  test("a token of one cluster is refused by the other's roles", async () => {
    sb.sts.invalidateCaches();
    const r = requests[0];
    assert.ok(r !== undefined);
    const sa = r.serviceAccountNames[0] ?? '';
    const faToken = await tokenOf('fa', issuerOf('fa'), r.secretRef.namespace, sa);
    assert.equal(await assumeAs(secretRoleArn('fb', r), faToken), 'error:AccessDenied');
    // Signed by fa's key but claiming fb's issuer: fb's JWKS holds no such key.
    const forged = await tokenOf('fa', issuerOf('fb'), r.secretRef.namespace, sa);
    assert.equal(await assumeAs(secretRoleArn('fb', r), forged), 'error:InvalidIdentityTokenException');
  });

  test('a re-run of either cluster is a no-op', async () => {
    for (const cluster of ['fa', 'fb']) {
      const again = await provision(options(cluster), new RecordingReporter(), deps());
      assert.equal(again.outcome.issuer, issuerOf(cluster));
      assert.deepEqual(
        again.outcome.applied,
        [],
        JSON.stringify(again.outcome.initial.changes.filter((c) => c.action !== 'unchanged')),
      );
    }
  });

  test('drift in one cluster is shown and repaired without touching the other', async () => {
    await sb.clients().s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'fb/keys.json' }));
    const p = await previewPlan(options('fb'), new RecordingReporter(), deps());
    assert.equal(findChange(p, 'jwks')?.action, 'create');
    assert.equal(findChange(p, 'jwks')?.id, `${BUCKET}/fb/keys.json`);
    assert.deepEqual(
      p.changes.filter((c) => c.action !== 'unchanged').map((c) => c.kind),
      ['jwks'],
    );
    const repaired = await provision(options('fb'), new RecordingReporter(), deps());
    assert.deepEqual(
      repaired.outcome.applied.map((c) => c.kind),
      ['jwks'],
    );
    await assertClusterWorks('fb', issuerOf('fb'));
  });

  test('a third cluster costs the same AWS calls as the second: nothing scales with the fleet', async () => {
    const trace = new TraceRecorder();
    const result = await provision(options('fc'), new RecordingReporter(), deps(trace));
    assert.equal(result.outcome.issuer, issuerOf('fc'));
    assert.deepEqual(hostingCalls(trace), []);
    assert.equal(trace.calls.length, addB, 'adding to a fleet of 2 costs what adding to a fleet of 1 did');
  });

  test('fleet list shows every cluster with a healthy issuer', async () => {
    const listing = await listFleet({ sharedIssuer: FLEET, region }, deps());
    assert.equal(listing.bucket, BUCKET);
    assert.equal(listing.issuerBase, `https://${domain}`);
    assert.deepEqual(
      listing.clusters.map((c) => [c.name, c.issuer, c.documents, c.providerArn, c.health?.ok]),
      ['fa', 'fb', 'fc'].map((n) => [
        n,
        issuerOf(n),
        true,
        `arn:aws:iam::123456789012:oidc-provider/${domain}/${n}`,
        true,
      ]),
    );
  });

  test('a plain delete of the fleet name is refused: it would take the OAC from every cluster', async () => {
    await assert.rejects(
      deleteResources({ name: FLEET, region, dryRun: false }, new RecordingReporter(), deps()),
      (e: Error & { code?: string }) => e.code === 'INVALID_SHARED_ISSUER',
    );
  });

  test('deleting one cluster removes its objects, roles and provider only; the others keep working', async () => {
    const trace = new TraceRecorder();
    const result = await deleteResources(
      { name: 'fc', region, dryRun: false, sharedIssuer: FLEET },
      new RecordingReporter(),
      deps(trace),
    );
    assert.deepEqual(result.remaining, []);
    assert.deepEqual(hostingCalls(trace), []);
    const kinds = result.deleted.map((d) => d.kind);
    assert.equal(kinds.filter((k) => k === 'object').length, 2);
    assert.equal(kinds.filter((k) => k === 'role').length, 7);
    assert.deepEqual(
      result.deleted.filter((d) => d.kind === 'oidc-provider').map((d) => d.id),
      [`arn:aws:iam::123456789012:oidc-provider/${domain}/fc`],
    );
    assert.ok(result.deleted.every((d) => d.kind !== 'object' || d.id.startsWith(`s3://${BUCKET}/fc/`)));
    assert.deepEqual(await keysIn(), [
      'fa/.well-known/openid-configuration',
      'fa/keys.json',
      'fb/.well-known/openid-configuration',
      'fb/keys.json',
    ]);
    await assertClusterWorks('fa', issuerOf('fa'));
    await assertClusterWorks('fb', issuerOf('fb'));
  });

  test('--delete-shared-issuer keeps the hosting while another cluster remains', async () => {
    const result = await deleteResources(
      { name: 'fb', region, dryRun: false, sharedIssuer: FLEET, deleteSharedIssuer: true },
      new RecordingReporter(),
      deps(),
    );
    assert.deepEqual(
      result.remaining.map((r) => [r.kind, r.id]),
      [['bucket', BUCKET]],
    );
    assert.match(result.remaining[0]?.reason ?? '', /fa/);
    assert.ok(
      !result.deleted.some((d) => ['bucket', 'distribution', 'origin-access-control'].includes(d.kind)),
    );
    const listing = await listFleet({ sharedIssuer: FLEET, region }, deps());
    assert.deepEqual(
      listing.clusters.map((c) => [c.name, c.health?.ok]),
      [['fa', true]],
    );
    await assertClusterWorks('fa', issuerOf('fa'));
  });

  test('the last cluster with --delete-shared-issuer removes the fleet: bucket, distribution, OAC', async () => {
    const result = await deleteResources(
      {
        name: 'fa',
        region,
        dryRun: false,
        sharedIssuer: FLEET,
        deleteSharedIssuer: true,
        deployTimeoutMs: 60_000,
      },
      new RecordingReporter(),
      deps(),
    );
    assert.deepEqual(result.remaining, []);
    assert.deepEqual(
      result.deleted
        .filter((d) => ['bucket', 'distribution', 'origin-access-control'].includes(d.kind))
        .map((d) => d.kind),
      ['bucket', 'distribution', 'origin-access-control'],
    );
    await assert.rejects(
      listFleet({ sharedIssuer: FLEET, region }, deps()),
      (e: Error & { code?: string }) => e.code === 'FLEET_NOT_FOUND',
    );
  });
});
