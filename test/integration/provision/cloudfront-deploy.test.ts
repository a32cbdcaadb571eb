import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { RecordingReporter } from '../../../src/core/reporter.js';
import { provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { isStsctlError } from '../../../src/core/errors.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { createAllOptions } from '../../helpers/provision.js';

/**
 * The CloudFront deployment wait (the SDK's waitUntilDistributionDeployed) against the sandbox
 * gateway's emulation of a distribution that stays `InProgress` for a while after each change.
 */

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';

const options = (name: string, extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'cloudfront', extra);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-deploy-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  sb.gateway.setInProgressMs(0);
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('create waits until the distribution is Deployed, reporting the wait as events', async () => {
  sb.gateway.setInProgressMs(2500);
  const reporter = new RecordingReporter();
  const started = Date.now();
  const result = await provision(options('slow'), reporter, {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  const id = result.outcome.distribution?.id ?? '';
  assert.ok(Date.now() - started >= 2500, 'the run waited for the deployment');
  const got = await sb.clients().cloudfront.send(new GetDistributionCommand({ Id: id }));
  assert.equal(got.Distribution?.Status, 'Deployed');
  const codes = reporter.events.map((e) => e.code);
  const created = codes.indexOf('distribution.created');
  const waiting = codes.indexOf('distribution.deploying');
  const deployed = codes.indexOf('distribution.deployed');
  assert.ok(created >= 0 && created < waiting && waiting < deployed, codes.join(', '));
  assert.deepEqual(reporter.dataOf('distribution.deployed'), [{ id }]);
});

test('a deployment slower than --deploy-timeout fails with DISTRIBUTION_DEPLOY_TIMEOUT; the next run continues', async () => {
  sb.gateway.setInProgressMs(60_000);
  await assert.rejects(
    provision(options('stuck', { deployTimeoutMs: 2000 }), new RecordingReporter(), {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    }),
    (e: unknown) =>
      isStsctlError(e) &&
      e.code === 'DISTRIBUTION_DEPLOY_TIMEOUT' &&
      e.kind === 'failure' &&
      /still not deployed after 2 s/.test(e.message),
  );
  sb.gateway.setInProgressMs(0);
  const again = await provision(options('stuck'), new RecordingReporter(), {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  // The distribution made by the first run is reused, not created twice.
  assert.ok(!again.outcome.applied.some((c) => c.kind === 'distribution' && c.action === 'create'));
  assert.match(again.outcome.issuer, /^https:\/\/[a-z0-9]+\.cloudfront\.net$/);
});
