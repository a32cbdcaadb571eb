import { issuerHostPath } from '../core/issuer.js';
import { oidcProviderArn, partitionForRegion } from '../core/partitions.js';
import type { Desired, Observed } from './model.js';
import { planBucket, planBucketPolicy } from './plan/bucket.js';
import { planDistribution } from './plan/distribution.js';
import { hostingContext } from './plan/fleet.js';
import { checkBucketRegion, planMigration } from './plan/identity.js';
import { planIssuerFunction } from './plan/issuer-function.js';
import { planDiscovery, planJwks, plannedIssuer } from './plan/documents.js';
import { planProvider } from './plan/provider.js';
import { planRoles } from './plan/roles.js';
import type { Change, Plan, PlanContext } from './plan/types.js';

/**
 * observe → **plan** → apply. The plan is a pure function of what the flags ask for and what the
 * account holds: every resource is `create`, `update` (with the fields that differ, each keyed by
 * a typed attribute) or `unchanged`. Values that exist only once something is created (a
 * CloudFront domain, and so the issuer) are planned as "known after apply"; apply re-plans after
 * each stage, so the same function decides both the preview and the run. One planner per resource
 * family lives in src/aws/plan/; this module composes them in dependency order.
 */

export * from './plan/types.js';
export { desiredPublicAccessBlock, oacBucketPolicy } from './plan/bucket.js';
export { ownershipComment } from './plan/distribution.js';
export { plannedIssuer, plannedJwks } from './plan/documents.js';
export {
  FLEET_TAG_KEY,
  documentPrefix,
  fleetBucketPolicy,
  fleetTags,
  hostingDesired,
  isFleetTagged,
  sharedIssuerOf,
} from './plan/fleet.js';
export { publishedIssuer, type IssuerMigration } from './plan/identity.js';
export { desiredFunctionConfiguration, lambdaIssuer } from './plan/issuer-function.js';

/** Computes the plan. Pure. */
export function plan(desired: Desired, observed: Observed): Plan {
  checkBucketRegion(desired, observed);
  const partition = partitionForRegion(desired.region).id;
  const issuer = desired.issuer
    ? plannedIssuer(desired, observed)
    : observed.provider === undefined
      ? undefined
      : `https://${observed.provider.url}`;
  const hostPath = issuer === undefined ? undefined : issuerHostPath(issuer);
  const providerArn =
    observed.provider?.arn ??
    (hostPath === undefined ? undefined : oidcProviderArn(partition, observed.accountId, hostPath));
  const ctx: PlanContext = { desired, observed, partition, issuer, hostPath, providerArn };

  const changes: Change[] = [];
  if (desired.issuer && desired.hosting.kind === 'self') {
    // The operator's server holds the documents; AWS holds only the provider (and the roles).
    changes.push(planDiscovery(ctx), planJwks(ctx), planProvider(ctx));
  } else if (desired.issuer && desired.hosting.kind === 'lambda') {
    // The function reads the private bucket with its role's identity policy: no bucket policy.
    changes.push(
      ...planBucket(ctx),
      ...planIssuerFunction(ctx),
      planDiscovery(ctx),
      planJwks(ctx),
      planProvider(ctx),
    );
  } else if (desired.issuer) {
    // The hosting family is planned as the fleet's for a fleet member (src/aws/plan/fleet.ts).
    const hostingCtx = hostingContext(ctx);
    const hosting = planDistribution(hostingCtx);
    changes.push(
      ...planBucket(hostingCtx),
      ...hosting.changes,
      planBucketPolicy(hostingCtx, hosting.distributionArn),
      planDiscovery(ctx),
      planJwks(ctx),
      planProvider(ctx),
    );
  }
  changes.push(...planRoles(ctx));
  const migration = planMigration(desired, observed, issuer);
  return {
    name: desired.name,
    region: desired.region,
    accountId: observed.accountId,
    issuer,
    providerArn,
    changes,
    ...(migration === undefined ? {} : { migration }),
  };
}

/** Counts of a plan's actions. */
export function planCounts(p: Plan): { create: number; update: number; unchanged: number } {
  const counts = { create: 0, update: 0, unchanged: 0 };
  for (const c of p.changes) counts[c.action] += 1;
  return counts;
}

/** The first change of `kind` (and `id`, when given). */
export function findChange(p: Plan, kind: Change['kind'], id?: string): Change | undefined {
  return p.changes.find((c) => c.kind === kind && (id === undefined || c.id === id));
}

/** Whether the change has anything to do. */
export function isPending(c: Change | undefined): c is Change {
  return c !== undefined && c.action !== 'unchanged';
}

/** Whether the change touches `attribute` (what apply dispatches on). */
export function touches(c: Change, attribute: Change['fields'][number]['attribute']): boolean {
  return c.fields.some((f) => f.attribute === attribute);
}
