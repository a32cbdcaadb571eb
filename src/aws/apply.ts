import { StsctlError } from '../core/errors.js';
import { issuerHostPath } from '../core/issuer.js';
import { applyBucket, applyBucketPolicy } from './apply/bucket.js';
import { applyCloudFront } from './apply/distribution.js';
import { applyDocuments } from './apply/documents.js';
import { applyIssuerFunction } from './apply/issuer-function.js';
import { applyProvider } from './apply/provider.js';
import { applyRoles } from './apply/roles.js';
import type { AppliedLog, ApplyOptions } from './apply/types.js';
import type { Desired, Observed } from './model.js';
import { observe } from './observe.js';
import { desiredPublicAccessBlock, hostingDesired, plan, type Change, type Plan } from './plan.js';

/**
 * observe → plan → **apply**. Stages follow the dependencies: hosting (bucket, public-access
 * block, CloudFront) → the issuer is known → bucket policy, discovery, JWKS, IAM OIDC provider →
 * roles. After each stage the plan is computed again from what is now known, with the same pure
 * function `plan` that `stsctl plan` prints, so a preview and a run never disagree. Each resource
 * family has its applier in src/aws/apply/, which acts on the typed attributes of the plan's
 * changes (never on their labels). Every step is idempotent: a run killed half-way converges on
 * the next run.
 */

export type { ApplyOptions } from './apply/types.js';

export interface ApplyResult {
  /** The plan computed before any change (what `stsctl plan` shows). */
  readonly initial: Plan;
  /** The plan after the run: every resource unchanged when it succeeded. */
  readonly final: Plan;
  readonly issuer: string;
  readonly providerArn: string | undefined;
  /** Role ARN by role name. */
  readonly roleArns: ReadonlyMap<string, string>;
  /** Changes made, in order. */
  readonly applied: readonly Change[];
  /** The CloudFront distribution serving the issuer (CloudFront hosting). */
  readonly distribution: { readonly id: string; readonly domainName: string } | undefined;
}

/** Hosting: the bucket and (for CloudFront) the OAC and distribution, which do not wait for the bucket. */
async function applyHosting(
  o: ApplyOptions,
  observed: Observed,
  p: Plan,
  applied: AppliedLog,
): Promise<Observed> {
  const { desired } = o;
  // A self-hosted issuer is hosted by its operator: nothing to set up in AWS before the documents.
  if (desired.hosting.kind === 'self') return observed;
  // A fleet member's bucket, OAC and distribution are the fleet's: named and tagged after it.
  const hosting: ApplyOptions = { ...o, desired: hostingDesired(desired) };
  const [, cloudfront, issuerFunction] = await Promise.all([
    applyBucket(hosting, p, applied),
    desired.hosting.kind === 'cloudfront'
      ? applyCloudFront(hosting, observed, p, applied)
      : Promise.resolve(undefined),
    // The function reads the bucket only when invoked: it does not wait for the bucket.
    applyIssuerFunction(o, observed, p, applied),
  ]);
  const obs: Observed = {
    ...observed,
    bucket: {
      ...observed.bucket,
      exists: true,
      tags: hosting.desired.tags,
      publicAccessBlock: desiredPublicAccessBlock(desired.hosting.kind),
    },
  };
  if (issuerFunction !== undefined) return { ...obs, issuerFunction };
  return cloudfront === undefined ? obs : { ...obs, ...cloudfront };
}

/** The bucket policy, the two documents and the provider depend only on the issuer: all at once. */
async function applyIssuer(o: ApplyOptions, obs: Observed, p: Plan, applied: AppliedLog): Promise<Observed> {
  const issuer = p.issuer;
  if (issuer === undefined)
    throw new StsctlError('ISSUER_UNKNOWN', 'the issuer URL is still unknown after hosting was set up', {
      kind: 'failure',
    });
  const [, , provider] = await Promise.all([
    applyBucketPolicy(o, obs, p, applied),
    applyDocuments(o, obs, p, issuer, applied),
    applyProvider(o, obs, p, issuer, applied),
  ]);
  return { ...obs, provider };
}

/**
 * Nothing changes when the run would move the cluster to another issuer without `--migrate-issuer`
 * (src/aws/plan/identity.ts): exit 2, before any AWS call that changes something.
 */
function refuseSilentMigration(p: Plan, desired: Desired): void {
  const m = p.migration;
  if (m === undefined || desired.migrateIssuer === true) return;
  throw new StsctlError(
    'ISSUER_MIGRATION_REFUSED',
    `this run would change the issuer of "${desired.name}" from ${m.from} to ${m.to ?? 'a new CloudFront domain'}: ${m.consequences.join('; ')}`,
    {
      hint: 'run with the flags that created the cluster (--hosting, --custom-domain, --region), or add --migrate-issuer to move it on purpose',
    },
  );
}

/** Observes, plans and applies until the plan is empty. */
export async function apply(o: ApplyOptions): Promise<ApplyResult> {
  const applied: AppliedLog = [];
  let obs = await observe(o.clients, o.target);
  const withThumbprints = async (issuer: string | undefined): Promise<Desired> => {
    if (issuer === undefined || o.thumbprints === undefined || !o.desired.issuer) return o.desired;
    const t = await o.thumbprints(issuer, obs.provider);
    return t === undefined ? o.desired : { ...o.desired, thumbprints: t };
  };
  const initial = plan(await withThumbprints(plan(o.desired, obs).issuer), obs);
  refuseSilentMigration(initial, o.desired);
  let p = initial;
  let desired = o.desired;
  if (o.desired.issuer) {
    obs = await applyHosting(o, obs, p, applied);
    p = plan(desired, obs);
    desired = await withThumbprints(p.issuer);
    p = plan(desired, obs);
    obs = await applyIssuer({ ...o, desired }, obs, p, applied);
    p = plan(desired, obs);
  }
  const roleArns = await applyRoles({ ...o, desired }, p, applied);
  for (const [name, arn] of roleArns) {
    const r = obs.roles.get(name);
    if (r !== undefined) roleArns.set(name, r.arn || arn);
  }
  const final = plan(
    desired,
    await observe(o.clients, {
      ...o.target,
      issuerHostPath: p.issuer === undefined ? undefined : issuerHostPath(p.issuer),
    }),
  );
  if (p.issuer === undefined)
    throw new StsctlError('ISSUER_UNKNOWN', 'no issuer after apply', { kind: 'failure' });
  const d = obs.distribution;
  return {
    initial,
    final,
    issuer: p.issuer,
    providerArn: p.providerArn,
    roleArns,
    applied,
    distribution: d === undefined ? undefined : { id: d.id, domainName: d.domainName },
  };
}
