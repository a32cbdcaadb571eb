import type { Reporter } from '../../core/reporter.js';
import type { AwsClients } from '../clients.js';
import type { Desired } from '../model.js';
import type { ObserveTarget } from '../observe.js';
import type { Change } from '../plan.js';

export interface ApplyOptions {
  readonly clients: AwsClients;
  readonly desired: Desired;
  readonly target: ObserveTarget;
  readonly reporter: Reporter;
  /** Thumbprints of the issuer's live TLS chain (undefined when it cannot be reached yet). */
  /**
   * The thumbprints the issuer's provider should carry, from its live chain; `observed` is the
   * provider as it stands (a trusted chain needs none: one registered without is left so).
   */
  readonly thumbprints?: (
    issuer: string,
    observed: { readonly thumbprints: readonly string[] } | undefined,
  ) => Promise<readonly string[] | undefined>;
  /** Roles created or updated at once; default 8 (the SDK's retries absorb IAM throttling). */
  readonly roleConcurrency?: number;
  /** How long to wait for a CloudFront distribution to deploy; default 25 minutes. */
  readonly deployTimeoutMs?: number;
  /** Longest pause between deployment polls; default 15 s. */
  readonly maxPollMs?: number;
  /** Cancels a CloudFront deployment wait. */
  readonly signal?: AbortSignal;
  /** How long to retry a role whose trust policy IAM cannot resolve yet (eventual consistency); default 60 s. */
  readonly consistencyTimeoutMs?: number;
}

/** Where each resource applier records the changes it made, in order. */
export type AppliedLog = Change[];

/** AWS's tag list form. */
export function awsTags(tags: readonly { Key: string; Value: string }[]): { Key: string; Value: string }[] {
  return tags.map((t) => ({ Key: t.Key, Value: t.Value }));
}
