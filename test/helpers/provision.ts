import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProvisionOptions } from '../../src/commands/provision.js';
import { readCredentialsRequests, type CredentialsRequest } from '../../src/core/index.js';
import { CREDREQS } from './repo.js';

/** The directory of the real AWS CredentialsRequests the suites provision for (test/fixtures/README.md). */
export const AWS_CREDREQS = join(CREDREQS, 'aws');

/**
 * The file names of {@link AWS_CREDREQS}, sorted: the order `stsctl` reads a CredentialsRequests
 * directory in (ccoctl's `os.ReadDir` order, src/files/credentials-requests-dir.ts), so the suites
 * see the requests in the order a run creates their roles and Secrets.
 */
export const AWS_CREDREQ_FILES: readonly string[] = readdirSync(AWS_CREDREQS).sort();

/**
 * The CredentialsRequests of {@link AWS_CREDREQS}, parsed once when a suite imports this module, in
 * {@link AWS_CREDREQ_FILES} order: what a whole-cluster run from {@link createAllOptions} provisions
 * roles for. Each file is named by its base name.
 */
export const AWS_CREDENTIALS_REQUESTS: readonly CredentialsRequest[] = readCredentialsRequests(
  AWS_CREDREQ_FILES.map((n) => ({ name: n, content: readFileSync(join(AWS_CREDREQS, n), 'utf8') })),
).requests;

/**
 * The options of a whole-cluster run (`scope: 'all'`, as `stsctl create-all`) for the cluster
 * `name`: its output directory `join(root, name)`, the requests of {@link AWS_CREDREQS}, roles named
 * by hash, no tech-preview requests and no forced keys. `extra` is applied last, so it may replace
 * any of these (`hosting`, `credentialsRequestsDir`, ...).
 *
 * @param root The directory the suite writes under; a suite assigns its temporary directory in
 *   `before()`, so call this at test time, not when the module loads.
 * @param name The cluster name (the infra name of the run).
 * @param region The AWS region of the run.
 * @param hosting Where the issuer is served.
 * @param extra Further options, applied over the defaults.
 */
export function createAllOptions(
  root: string,
  name: string,
  region: string,
  hosting: ProvisionOptions['hosting'],
  extra: Partial<ProvisionOptions> = {},
): ProvisionOptions {
  return {
    scope: 'all',
    name,
    region,
    outputDir: join(root, name),
    credentialsRequestsDir: AWS_CREDREQS,
    hosting,
    enableTechPreview: false,
    roleNameMode: 'hash',
    forceKeys: false,
    ...extra,
  };
}
