import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { deleteResources } from '../../../src/commands/delete.js';
import { planCounts } from '../../../src/aws/plan.js';
import { TraceRecorder } from '../../../src/aws/trace.js';
import { mapLimit } from '../../../src/aws/concurrency.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import type { FaultAction } from '../../../src/sandbox/gateway.js';
import { awsErrorBody } from '../../../src/sandbox/gateway.js';
import { createAllOptions } from '../../helpers/provision.js';

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const options = (name: string, extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'public', extra);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-delete-'));
  sb = await startSandbox({ region });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('delete removes exactly what is owned, finds roles among 500 others with few IAM calls, and says what remains', async () => {
  const clients = sb.clients();
  await provision(options('gone'), new RecordingReporter(), { clients, fetcher: sb.issuerFetcher });
  await provision(options('kept'), new RecordingReporter(), { clients, fetcher: sb.issuerFetcher });
  // 500 unrelated roles, and one with our prefix but without our tag.
  await mapLimit(
    Array.from({ length: 500 }, (_, i) => `unrelated-${i}`),
    16,
    (n) => clients.iam.send(new CreateRoleCommand({ RoleName: n, AssumeRolePolicyDocument: trust })),
  );
  await clients.iam.send(
    new CreateRoleCommand({ RoleName: 'gone-not-ours', AssumeRolePolicyDocument: trust }),
  );
  // An object stsctl did not put (no ownership tag): the bucket must stay, and the run must say so.
  await clients.s3.send(new PutObjectCommand({ Bucket: 'gone-oidc', Key: 'notes.txt', Body: 'hand-made' }));

  const trace = new TraceRecorder();
  const result = await deleteResources({ name: 'gone', region, dryRun: false }, new RecordingReporter(), {
    clients,
    trace,
  });
  const finding = trace.calls.filter(
    (c) => c.service === 'IAM' && ['ListRoles', 'ListRoleTags'].includes(c.operation),
  );
  assert.ok(finding.length < 30, `${finding.length} IAM calls to find the roles`);
  assert.equal(result.deleted.filter((d) => d.kind === 'role').length, 7);
  assert.equal(result.deleted.filter((d) => d.kind === 'oidc-provider').length, 1);
  assert.deepEqual(result.foreignObjects, ['notes.txt']);
  assert.deepEqual(
    result.remaining.map((r) => [r.kind, r.id]),
    [['bucket', 'gone-oidc']],
  );
  // Foreign resources stay: the untagged role, the unrelated roles, the other cluster's everything.
  await clients.iam.send(new GetRoleCommand({ RoleName: 'gone-not-ours' }));
  await clients.iam.send(new GetRoleCommand({ RoleName: 'unrelated-499' }));
  const providers = await clients.iam.send(new ListOpenIDConnectProvidersCommand({}));
  assert.deepEqual(
    (providers.OpenIDConnectProviderList ?? []).map((p) => p.Arn),
    ['arn:aws:iam::123456789012:oidc-provider/kept-oidc.s3.us-east-1.amazonaws.com'],
  );
  const kept = await provision(options('kept'), new RecordingReporter(), {
    clients,
    fetcher: sb.issuerFetcher,
  });
  assert.equal(kept.outcome.applied.length, 0, 'the other cluster is untouched');
});

test('create-all converges through throttling, 500s and dropped connections, without duplicates', async () => {
  let n = 0;
  sb.gateway.setFaultInjector((req): FaultAction | undefined => {
    n += 1;
    if (n > 400) return undefined;
    if (n % 7 === 0) return { kind: 'drop' };
    if (n % 5 === 0) {
      // Throttling as each service sends it: S3 answers 503 SlowDown, the Query services 400 Throttling.
      return req.service === 's3'
        ? {
            kind: 'respond',
            status: 503,
            headers: { 'content-type': 'application/xml' },
            body: awsErrorBody('s3', 'SlowDown', 'Please reduce your request rate.'),
          }
        : {
            kind: 'respond',
            status: 400,
            headers: { 'content-type': 'text/xml' },
            body: awsErrorBody(req.service ?? 'iam', 'Throttling', 'Rate exceeded'),
          };
    }
    if (n % 11 === 0) {
      return {
        kind: 'respond',
        status: 500,
        headers: { 'content-type': 'text/xml' },
        body: awsErrorBody(req.service ?? 'iam', 'InternalFailure', 'An internal error occurred.'),
      };
    }
    return undefined;
  });
  try {
    // The retry budget provisioning uses for its own clients (src/commands/provision.ts).
    const clients = sb.clients(region, { maxAttempts: 8 });
    const first = await provision(options('flaky', { hosting: 'cloudfront' }), new RecordingReporter(), {
      clients,
      fetcher: sb.issuerFetcher,
    });
    assert.deepEqual(
      [planCounts(first.outcome.final).create, planCounts(first.outcome.final).update],
      [0, 0],
    );
    assert.ok(n > 50, `faults were injected (${n} requests seen)`);
    const second = await provision(options('flaky', { hosting: 'cloudfront' }), new RecordingReporter(), {
      clients,
      fetcher: sb.issuerFetcher,
    });
    assert.equal(second.outcome.applied.length, 0);
    assert.equal(second.outcome.issuer, first.outcome.issuer);
  } finally {
    sb.gateway.setFaultInjector(undefined);
  }
});
