import { deleteOwned, type DeletionResult } from '../aws/delete.js';
import { deleteFleetMember } from '../aws/fleet-delete.js';
import { fleetBucketExists } from '../aws/fleet.js';
import { bucketName, validateName } from '../core/names.js';
import { withCommandClients, type CommandDeps } from './command-clients.js';
import { StsctlError } from '../core/errors.js';
import { validateRegion } from '../core/partitions.js';
import type { Reporter } from '../core/reporter.js';

/**
 * `stsctl delete`: everything tagged as owned by `--name`, and nothing else. With
 * `--shared-issuer <fleet>` the cluster is one member of a fleet issuer: its documents, roles and
 * provider go, the fleet's hosting stays (src/aws/fleet-delete.ts) unless `--delete-shared-issuer`
 * asks for it and no other member remains.
 */
export interface DeleteCommandOptions {
  readonly name: string;
  readonly region: string;
  readonly dryRun: boolean;
  readonly profile?: string | undefined;
  readonly deployTimeoutMs?: number | undefined;
  /** `--shared-issuer <fleet>`: the fleet the cluster is a member of. */
  readonly sharedIssuer?: string | undefined;
  /** `--delete-shared-issuer`: also the fleet's hosting, once its last member is gone. */
  readonly deleteSharedIssuer?: boolean | undefined;
}

export async function deleteResources(
  o: DeleteCommandOptions,
  reporter: Reporter,
  deps: CommandDeps = {},
): Promise<DeletionResult> {
  validateName(o.name);
  validateRegion(o.region);
  const fleet = o.sharedIssuer;
  if (fleet === undefined && o.deleteSharedIssuer === true)
    throw new StsctlError(
      'INVALID_SHARED_ISSUER',
      '--delete-shared-issuer needs --shared-issuer <fleet>: the fleet whose hosting to delete',
      { path: '--delete-shared-issuer' },
    );
  if (fleet !== undefined) validateName(fleet, '--shared-issuer');
  if (fleet !== undefined && fleet === o.name)
    throw new StsctlError(
      'INVALID_SHARED_ISSUER',
      `--name "${o.name}" is the fleet's own name; name the cluster to delete (its hosting goes with --delete-shared-issuer)`,
      { path: '--name' },
    );
  const base = {
    name: o.name,
    region: o.region,
    dryRun: o.dryRun,
    reporter,
    ...(o.deployTimeoutMs === undefined ? {} : { deployTimeoutMs: o.deployTimeoutMs }),
  };
  return withCommandClients(o, deps, async (clients) => {
    if (fleet !== undefined)
      return deleteFleetMember({
        ...base,
        clients,
        fleet,
        deleteSharedIssuer: o.deleteSharedIssuer === true,
      });
    // The hosting of fleet "x" is named after it (bucket x-oidc, its OAC): a plain delete of "x"
    // would take the OAC from under every cluster of the fleet.
    // A bucket that cannot be read is left to the deletion itself, which reports it per resource.
    const isFleet = await fleetBucketExists(clients, o.name, bucketName(o.name)).catch(() => false);
    if (isFleet)
      throw new StsctlError(
        'INVALID_SHARED_ISSUER',
        `"${o.name}" is a fleet issuer (bucket ${bucketName(o.name)} is tagged stsctl.io/shared-issuer=${o.name}); delete its clusters with --shared-issuer ${o.name}, and its hosting with the last of them and --delete-shared-issuer`,
        { path: '--name' },
      );
    return deleteOwned({ ...base, clients });
  });
}
