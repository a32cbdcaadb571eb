import { waitUntilDistributionDeployed } from '@aws-sdk/client-cloudfront';
import { StsctlError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { AwsClients } from './clients.js';
import { isAwsError } from './errors.js';

/** How long CloudFront may take to deploy, and how often to ask. */
export interface DeployWait {
  /** Default 25 minutes (CloudFront deploys usually take 5–15, aws-sts-oidc.md §8). */
  readonly deployTimeoutMs?: number | undefined;
  /** Longest pause between polls; default 15 s. */
  readonly maxPollMs?: number | undefined;
  /** Cancels the wait (e.g. Ctrl-C); the run can be repeated, it continues where it stopped. */
  readonly signal?: AbortSignal | undefined;
}

const DEFAULT_TIMEOUT_MS = 25 * 60_000;
const DEFAULT_MAX_POLL_MS = 15_000;

/**
 * Waits until the distribution is `Deployed` with the SDK's own waiter
 * (`waitUntilDistributionDeployed`: GetDistribution until `Status` is `Deployed`, exponential
 * backoff with jitter), bounded by `deployTimeoutMs` through an `AbortSignal` as well as the
 * waiter's `maxWaitTime` (a poll hanging on the network is cut too). While it waits, the reporter
 * gets a `distribution.deploying` task and a `distribution.still-deploying` event per poll
 * interval. Times out with `DISTRIBUTION_DEPLOY_TIMEOUT` (a failure: run the command again later).
 */
export async function waitForDistribution(
  clients: AwsClients,
  id: string,
  reporter: Reporter,
  wait: DeployWait = {},
): Promise<void> {
  const timeoutMs = wait.deployTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxPollMs = wait.maxPollMs ?? DEFAULT_MAX_POLL_MS;
  const maxWaitTime = timeoutMs / 1000;
  // The waiter's delays are in seconds and must stay below maxWaitTime (smithy validateWaiterOptions).
  const minDelay = Math.min(1, maxWaitTime / 4);
  const maxDelay = Math.max(minDelay, Math.min(maxPollMs / 1000, maxWaitTime / 2));
  const started = Date.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = wait.signal === undefined ? timeout : AbortSignal.any([timeout, wait.signal]);
  const ticker = setInterval(() => {
    reporter.emit('distribution.still-deploying', { id, elapsedMs: Date.now() - started });
  }, maxPollMs);
  ticker.unref();
  try {
    await reporter.task('distribution.deploying', { id }, () =>
      waitUntilDistributionDeployed(
        { client: clients.cloudfront, maxWaitTime, minDelay, maxDelay, abortSignal: signal },
        { Id: id },
      ),
    );
  } catch (e) {
    if (wait.signal?.aborted === true) throw e;
    if (isAwsError(e, 'TimeoutError', 'AbortError')) {
      throw new StsctlError(
        'DISTRIBUTION_DEPLOY_TIMEOUT',
        `CloudFront distribution ${id} is still not deployed after ${Math.round(timeoutMs / 1000)} s`,
        {
          kind: 'failure',
          cause: e,
          hint: 'run the same command again later: it continues where it stopped',
        },
      );
    }
    throw e;
  } finally {
    clearInterval(ticker);
  }
  reporter.emit('distribution.deployed', { id });
}
