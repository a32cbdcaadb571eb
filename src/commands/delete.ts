import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { deleteOwned, type DeletionResult } from '../aws/delete.js';
import { attachTrace, type TraceRecorder } from '../aws/trace.js';
import { validateName } from '../core/names.js';
import { validateRegion } from '../core/partitions.js';
import type { Reporter } from './reporter.js';

/** `stsctl delete`: everything tagged as owned by `--name`, and nothing else. */
export interface DeleteCommandOptions {
  readonly name: string;
  readonly region: string;
  readonly dryRun: boolean;
  readonly profile?: string | undefined;
  readonly deployTimeoutMs?: number | undefined;
}

export async function deleteResources(
  o: DeleteCommandOptions,
  reporter: Reporter,
  deps: { clients?: AwsClients; env?: NodeJS.ProcessEnv; trace?: TraceRecorder } = {},
): Promise<DeletionResult> {
  validateName(o.name);
  validateRegion(o.region);
  const clients =
    deps.clients ??
    createAwsClients(
      { region: o.region, maxAttempts: 8, ...(o.profile === undefined ? {} : { profile: o.profile }) },
      deps.env ?? process.env,
    );
  if (deps.trace !== undefined) attachTrace(clients, deps.trace);
  try {
    return await deleteOwned({
      clients,
      name: o.name,
      region: o.region,
      dryRun: o.dryRun,
      reporter,
      ...(o.deployTimeoutMs === undefined ? {} : { deployTimeoutMs: o.deployTimeoutMs }),
    });
  } finally {
    if (deps.clients === undefined) clients.destroy();
  }
}
