import { deleteOwned, type DeletionResult } from '../aws/delete.js';
import { withCommandClients, type CommandDeps } from './command-clients.js';
import { validateName } from '../core/names.js';
import { validateRegion } from '../core/partitions.js';
import type { Reporter } from '../core/reporter.js';

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
  deps: CommandDeps = {},
): Promise<DeletionResult> {
  validateName(o.name);
  validateRegion(o.region);
  return withCommandClients(o, deps, (clients) =>
    deleteOwned({
      clients,
      name: o.name,
      region: o.region,
      dryRun: o.dryRun,
      reporter,
      ...(o.deployTimeoutMs === undefined ? {} : { deployTimeoutMs: o.deployTimeoutMs }),
    }),
  );
}
