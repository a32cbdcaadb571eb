import { DeleteOpenIDConnectProviderCommand, GetOpenIDConnectProviderCommand } from '@aws-sdk/client-iam';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { issuerHostPath } from '../core/issuer.js';
import { oidcProviderArn, partitionForRegion } from '../core/partitions.js';
import type { AwsClients } from './clients.js';
import {
  DeletionLog,
  deleteDistribution,
  deleteOriginAccessControl,
  deleteProviders,
  deleteRoles,
  owned,
  type DeleteOptions,
  type DeletionResult,
} from './delete.js';
import { IAM_NOT_FOUND, awsCall } from './errors.js';
import { listFleetPrefixes, memberPublishedIssuer, observeFleetHosting, type FleetHosting } from './fleet.js';
import { observeAccount } from './observe.js';
import { isFleetTagged } from './plan.js';

/**
 * `delete --name <cluster> --shared-issuer <fleet>`: removes one member of a fleet issuer — its
 * objects under `<cluster>/` (every version, only those tagged as the cluster's), its roles and its
 * IAM OIDC provider — and nothing of another member. With `--delete-shared-issuer` the fleet's
 * hosting (bucket, distribution, origin access control) goes too, and only when no other member's
 * documents remain in the bucket. The member's provider is found by its ARN (from the issuer its
 * discovery document names, or the fleet's domain), not by reading every provider of the fleet.
 */

export interface FleetDeleteOptions extends DeleteOptions {
  /** The fleet (`--shared-issuer`). */
  readonly fleet: string;
  /** Also delete the fleet's hosting when no other member remains (`--delete-shared-issuer`). */
  readonly deleteSharedIssuer: boolean;
}

/** Every version and delete marker under `prefix`, following S3's two pagination markers. */
async function versionsUnder(
  clients: AwsClients,
  bucket: string,
  prefix: string,
): Promise<{ key: string; versionId: string | undefined; marker: boolean }[]> {
  const found: { key: string; versionId: string | undefined; marker: boolean }[] = [];
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, ...markers }),
    );
    const all = [
      ...(page.Versions ?? []).map((v) => ({ key: v.Key ?? '', id: v.VersionId, marker: false })),
      ...(page.DeleteMarkers ?? []).map((v) => ({ key: v.Key ?? '', id: v.VersionId, marker: true })),
    ];
    // Unversioned buckets list the version id "null"; S3 wants no VersionId for those.
    for (const v of all)
      found.push({
        key: v.key,
        versionId: v.id === undefined || v.id === 'null' ? undefined : v.id,
        marker: v.marker,
      });
    if (page.IsTruncated !== true) return found;
    markers = {
      ...(page.NextKeyMarker === undefined ? {} : { KeyMarker: page.NextKeyMarker }),
      ...(page.NextVersionIdMarker === undefined ? {} : { VersionIdMarker: page.NextVersionIdMarker }),
    };
  }
}

/** Deletes the versions given; those not tagged as `owner`'s (when given) are kept and listed. */
async function deleteVersions(
  o: DeleteOptions,
  log: DeletionLog,
  bucket: string,
  versions: readonly { key: string; versionId: string | undefined; marker: boolean }[],
  owner: string | undefined,
): Promise<void> {
  const { clients } = o;
  for (const v of versions) {
    const version = v.versionId === undefined ? {} : { VersionId: v.versionId };
    if (owner !== undefined && !v.marker) {
      const t = await clients.s3.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: v.key, ...version }),
      );
      if (!owned(t.TagSet, owner)) {
        log.foreignObjects.push(v.key);
        continue;
      }
    }
    await log.attempt(
      {
        kind: 'object',
        id: `s3://${bucket}/${v.key}${v.versionId === undefined ? '' : `?versionId=${v.versionId}`}`,
      },
      () => clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.key, ...version })),
    );
  }
}

/** The member's provider: by its ARN when its issuer is known, else by its ownership tag. */
async function deleteMemberProvider(
  o: FleetDeleteOptions,
  log: DeletionLog,
  issuer: string | undefined,
): Promise<void> {
  if (issuer === undefined) {
    // Neither a published document nor a distribution says where the issuer was: look at every
    // provider's tags, as a plain delete does.
    await deleteProviders(o, log);
    return;
  }
  await log.safely('oidc-provider', 'reading the IAM OIDC provider', async () => {
    const account = await observeAccount(o.clients);
    const arn = oidcProviderArn(partitionForRegion(o.region).id, account, issuerHostPath(issuer));
    const got = await awsCall(
      `reading ${arn}`,
      () => o.clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      IAM_NOT_FOUND,
    );
    if (got === undefined || !owned(got.Tags, o.name)) return;
    await log.attempt({ kind: 'oidc-provider', id: arn }, () =>
      o.clients.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    );
  });
}

/** The fleet's hosting, when no other member's documents remain: bucket, distribution, OAC. */
async function deleteFleetHosting(
  o: FleetDeleteOptions,
  log: DeletionLog,
  hosting: FleetHosting,
): Promise<void> {
  const { clients, reporter } = o;
  const bucket = hosting.bucket;
  const left = await awsCall(`listing bucket ${bucket}`, () => listFleetPrefixes(clients, bucket));
  const others = [...left.clusters.filter((c) => c !== o.name), ...left.rootKeys];
  if (others.length > 0) {
    const reason = `kept: the documents of ${others.join(', ')} remain (a fleet's hosting goes only with its last cluster)`;
    log.found.push({ kind: 'bucket', id: bucket });
    log.remaining.push({ kind: 'bucket', id: bucket, reason });
    reporter.emit('resource.not-deleted', { kind: 'bucket', id: bucket, reason });
    return;
  }
  await log.safely('bucket', `emptying bucket ${bucket}`, async () => {
    // Only delete markers and old versions of issuer documents are left (every member is gone).
    await deleteVersions(o, log, bucket, await versionsUnder(clients, bucket, ''), undefined);
    await log.attempt({ kind: 'bucket', id: bucket }, () =>
      clients.s3.send(new DeleteBucketCommand({ Bucket: bucket })),
    );
  });
  const dist = hosting.distribution;
  if (dist !== undefined && isFleetTagged(dist.tags, o.fleet)) await deleteDistribution(o, log, dist.id);
  await deleteOriginAccessControl(o, log, bucket, o.fleet);
}

/** Deletes (or with `dryRun` lists) one member of a fleet, and the fleet's hosting when asked. */
export async function deleteFleetMember(o: FleetDeleteOptions): Promise<DeletionResult> {
  const log = new DeletionLog(o);
  const hosting = await observeFleetHosting(o.clients, o.fleet, o.region);
  let issuer: string | undefined;
  if (hosting.bucketExists) {
    await log.safely('object', `reading the objects of ${o.name} in ${hosting.bucket}`, async () => {
      issuer = await memberPublishedIssuer(o.clients, hosting.bucket, o.name);
      await deleteVersions(
        o,
        log,
        hosting.bucket,
        await versionsUnder(o.clients, hosting.bucket, `${o.name}/`),
        o.name,
      );
    });
    if (log.foreignObjects.length > 0)
      o.reporter.emit('bucket.kept-foreign-objects', {
        bucket: hosting.bucket,
        keys: [...log.foreignObjects],
      });
  }
  issuer ??= hosting.issuerBase === undefined ? undefined : `${hosting.issuerBase}/${o.name}`;
  await deleteRoles(o, log);
  await deleteMemberProvider(o, log, issuer);
  // The member's own prefix does not count as "another cluster's documents", so a dry run (which
  // deletes nothing) shows what a real run would do.
  if (o.deleteSharedIssuer && hosting.bucketExists) await deleteFleetHosting(o, log, hosting);
  return log.result();
}
