import {
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import {
  DeleteCloudFrontOriginAccessIdentityCommand,
  DeleteDistributionCommand,
  DeleteOriginAccessControlCommand,
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionConfigCommand,
  GetOriginAccessControlCommand,
  UpdateDistributionCommand,
  paginateListCloudFrontOriginAccessIdentities,
} from '@aws-sdk/client-cloudfront';
import {
  DeleteOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  RemoveRoleFromInstanceProfileCommand,
  paginateListAttachedRolePolicies,
  paginateListInstanceProfilesForRole,
  paginateListRolePolicies,
  paginateListRoleTags,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketTaggingCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
} from '@aws-sdk/client-s3';
import { ownershipTagKey } from '../core/iam-documents.js';
import { bucketName } from '../core/names.js';
import type { Reporter } from '../core/reporter.js';
import type { AwsClients } from './clients.js';
import { waitForDistribution } from './cloudfront-wait.js';
import { awsFailure, isAwsError } from './errors.js';
import { issuerFunctionName } from './issuer-function.js';
import { LAMBDA_NOT_FOUND, observeFunction } from './observe-issuer-function.js';
import { observeDistribution, observeOriginAccessControl } from './observe.js';
import { ownershipComment } from './plan.js';

/**
 * `delete`: removes exactly what carries `openshift.io/cloud-credential-operator/<name>` — and
 * nothing else — in dependency order: issuer objects (every version), the bucket, the CloudFront
 * distribution (disable, wait, delete), its origin access control — or the legacy origin access
 * identity ccoctl's `--create-private-s3-bucket` made, which cannot be tagged and is known by its
 * Comment `openshift.io/cloud-credential-operator/<name>` (ccoctl.md §4) —, the roles (inline and attached
 * policies, instance profiles), the IAM OIDC provider. Roles are found by their name prefix
 * (`<name>-`), so an account with thousands of roles costs one ListRoles page per 1000 roles,
 * not a GetRole each (ccoctl.md §5.1). Each resource family is found, then deleted, by its own
 * function below. Every step runs even when another failed; what remains is listed and the
 * command fails.
 */

export interface DeletionItem {
  readonly kind:
    | 'object'
    | 'bucket'
    | 'distribution'
    | 'origin-access-control'
    | 'origin-access-identity'
    | 'role'
    | 'oidc-provider'
    | 'function-url'
    | 'function';
  readonly id: string;
}

export interface DeletionResult {
  /** What was found to be ours (and deleted, unless a dry run). */
  readonly found: readonly DeletionItem[];
  readonly deleted: readonly DeletionItem[];
  /** What could not be deleted, with why. */
  readonly remaining: readonly (DeletionItem & { readonly reason: string })[];
  /** Objects in the bucket without our tag, left alone. */
  readonly foreignObjects: readonly string[];
}

export interface DeleteOptions {
  readonly clients: AwsClients;
  readonly name: string;
  readonly region: string;
  readonly dryRun: boolean;
  readonly reporter: Reporter;
  readonly deployTimeoutMs?: number;
  readonly maxPollMs?: number;
  /** Cancels a CloudFront deployment wait. */
  readonly signal?: AbortSignal;
}

export function owned(tags: readonly { Key?: string | undefined }[] | undefined, name: string): boolean {
  return (tags ?? []).some((t) => t.Key === ownershipTagKey(name));
}

/** The record of one deletion run, and the two ways every step goes through it. */
export class DeletionLog {
  readonly found: DeletionItem[] = [];
  readonly deleted: DeletionItem[] = [];
  readonly remaining: (DeletionItem & { reason: string })[] = [];
  readonly foreignObjects: string[] = [];

  constructor(private readonly o: DeleteOptions) {}

  /** Deletes one item found to be ours (only records it in a dry run); false when it failed. */
  async attempt(item: DeletionItem, work: () => Promise<unknown>): Promise<boolean> {
    this.found.push(item);
    if (this.o.dryRun) return true;
    try {
      await work();
      this.deleted.push(item);
      this.o.reporter.emit('resource.deleted', { kind: item.kind, id: item.id });
      return true;
    } catch (e) {
      const reason = awsFailure(`deleting ${item.kind} ${item.id}`, e).message;
      this.remaining.push({ ...item, reason });
      this.o.reporter.emit('resource.not-deleted', { kind: item.kind, id: item.id, reason });
      return false;
    }
  }

  /** Runs one family's finding step; a failure is recorded as remaining, and the run goes on. */
  async safely(kind: DeletionItem['kind'], what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      const reason = awsFailure(what, e).message;
      this.remaining.push({ kind, id: what, reason });
      this.o.reporter.emit('resource.not-deleted', { kind, id: what, reason });
    }
  }

  result(): DeletionResult {
    return {
      found: this.found,
      deleted: this.deleted,
      remaining: this.remaining,
      foreignObjects: this.foreignObjects,
    };
  }
}

/**
 * Every version and delete marker of the bucket, page by page. S3's SDK has no paginator for
 * ListObjectVersions (it pages by two markers, KeyMarker and VersionIdMarker, which the SDK's
 * paginator generator does not model), so the markers are followed here.
 */
async function* objectVersionPages(
  clients: AwsClients,
  bucket: string,
): AsyncGenerator<ListObjectVersionsCommandOutput> {
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, ...markers }));
    yield page;
    if (page.IsTruncated !== true) return;
    markers = {
      ...(page.NextKeyMarker === undefined ? {} : { KeyMarker: page.NextKeyMarker }),
      ...(page.NextVersionIdMarker === undefined ? {} : { VersionIdMarker: page.NextVersionIdMarker }),
    };
  }
}

interface ObjectVersion {
  readonly key: string;
  readonly versionId: string | undefined;
  readonly ours: boolean;
}

/** Finds the bucket's object versions and which carry our tag (delete markers belong to a key we delete). */
async function findObjectVersions(o: DeleteOptions, bucket: string): Promise<ObjectVersion[]> {
  const { clients, name } = o;
  const found: ObjectVersion[] = [];
  for await (const page of objectVersionPages(clients, bucket)) {
    const versions = [
      ...(page.Versions ?? []).map((v) => ({ key: v.Key ?? '', version: v.VersionId, marker: false })),
      ...(page.DeleteMarkers ?? []).map((v) => ({ key: v.Key ?? '', version: v.VersionId, marker: true })),
    ];
    for (const v of versions) {
      // Unversioned buckets list the version id "null"; S3 wants no VersionId for those.
      const versionId = v.version === undefined || v.version === 'null' ? undefined : v.version;
      let ours = v.marker;
      if (!v.marker) {
        const t = await clients.s3.send(
          new GetObjectTaggingCommand({
            Bucket: bucket,
            Key: v.key,
            ...(versionId === undefined ? {} : { VersionId: versionId }),
          }),
        );
        ours = owned(t.TagSet, name);
      }
      found.push({ key: v.key, versionId, ours });
    }
  }
  return found;
}

/** 1–2. The bucket: our objects (all versions), then the bucket if it is ours and left empty. */
async function deleteBucketFamily(o: DeleteOptions, log: DeletionLog): Promise<void> {
  const { clients, name, reporter } = o;
  const bucket = bucketName(name);
  await log.safely('bucket', `reading bucket ${bucket}`, async () => {
    let bucketTags;
    try {
      bucketTags = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    } catch (e) {
      if (isAwsError(e, 'NoSuchBucket', 'NotFound')) return;
      if (isAwsError(e, 'NoSuchTagSet', 'NoSuchTagSetError')) return; // not tagged: not ours
      throw e;
    }
    if (!owned(bucketTags.TagSet, name)) return;
    let allOurs = true;
    for (const v of await findObjectVersions(o, bucket)) {
      if (!v.ours) {
        allOurs = false;
        log.foreignObjects.push(v.key);
        continue;
      }
      const versionId = v.versionId;
      const ok = await log.attempt(
        {
          kind: 'object',
          id: `s3://${bucket}/${v.key}${versionId === undefined ? '' : `?versionId=${versionId}`}`,
        },
        () =>
          clients.s3.send(
            new DeleteObjectCommand({
              Bucket: bucket,
              Key: v.key,
              ...(versionId === undefined ? {} : { VersionId: versionId }),
            }),
          ),
      );
      allOurs &&= ok;
    }
    if (!allOurs && log.foreignObjects.length > 0) {
      reporter.emit('bucket.kept-foreign-objects', { bucket, keys: [...log.foreignObjects] });
      log.remaining.push({ kind: 'bucket', id: bucket, reason: 'holds objects stsctl did not create' });
      log.found.push({ kind: 'bucket', id: bucket });
      return;
    }
    await log.attempt({ kind: 'bucket', id: bucket }, () =>
      clients.s3.send(new DeleteBucketCommand({ Bucket: bucket })),
    );
  });
}

/**
 * Disables a distribution, waits until that change is deployed, then deletes it: CloudFront
 * deletes only a disabled distribution whose last change is deployed (DeleteDistribution).
 */
export async function deleteDistribution(o: DeleteOptions, log: DeletionLog, id: string): Promise<void> {
  const { clients, reporter } = o;
  await log.attempt({ kind: 'distribution', id }, async () => {
    const config = await clients.cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    if (config.DistributionConfig?.Enabled === true) {
      await clients.cloudfront.send(
        new UpdateDistributionCommand({
          Id: id,
          IfMatch: config.ETag,
          DistributionConfig: { ...config.DistributionConfig, Enabled: false },
        }),
      );
      reporter.emit('distribution.disabled', { id });
    }
    await waitForDistribution(clients, id, reporter, {
      deployTimeoutMs: o.deployTimeoutMs,
      maxPollMs: o.maxPollMs,
      signal: o.signal,
    });
    const latest = await clients.cloudfront.send(new GetDistributionConfigCommand({ Id: id }));
    await clients.cloudfront.send(new DeleteDistributionCommand({ Id: id, IfMatch: latest.ETag }));
  });
}

/** Deletes the origin access control of `bucket` when its description says `owner` owns it. */
export async function deleteOriginAccessControl(
  o: DeleteOptions,
  log: DeletionLog,
  bucket: string,
  owner: string,
): Promise<void> {
  const { clients } = o;
  await log.safely('origin-access-control', 'reading CloudFront origin access controls', async () => {
    const oac = await observeOriginAccessControl(clients, bucket);
    if (oac === undefined || oac.description !== ownershipComment(owner)) return;
    await log.attempt({ kind: 'origin-access-control', id: oac.id }, async () => {
      const got = await clients.cloudfront.send(new GetOriginAccessControlCommand({ Id: oac.id }));
      await clients.cloudfront.send(new DeleteOriginAccessControlCommand({ Id: oac.id, IfMatch: got.ETag }));
    });
  });
}

/** 3–4. CloudFront: the distribution (disable, wait, delete), its OAC, and ccoctl's OAI. */
async function deleteCloudFrontFamily(o: DeleteOptions, log: DeletionLog): Promise<void> {
  const { clients, name } = o;
  const bucket = bucketName(name);
  await log.safely('distribution', 'reading CloudFront distributions', async () => {
    const dist = await observeDistribution(clients, name, bucket, o.region);
    if (dist === undefined || !owned(dist.tags, name)) return;
    await deleteDistribution(o, log, dist.id);
  });
  await deleteOriginAccessControl(o, log, bucket, name);
  // ccoctl's OAI: after the distribution, which would otherwise keep it in use.
  await log.safely('origin-access-identity', 'listing CloudFront origin access identities', async () => {
    const ids: string[] = [];
    for await (const page of paginateListCloudFrontOriginAccessIdentities(
      { client: clients.cloudfront },
      {},
    )) {
      for (const i of page.CloudFrontOriginAccessIdentityList?.Items ?? [])
        if (i.Comment === ownershipComment(name) && i.Id !== undefined) ids.push(i.Id);
    }
    for (const id of ids) {
      await log.attempt({ kind: 'origin-access-identity', id }, async () => {
        const got = await clients.cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: id }));
        await clients.cloudfront.send(
          new DeleteCloudFrontOriginAccessIdentityCommand({ Id: id, IfMatch: got.ETag }),
        );
      });
    }
  });
}

/**
 * `--hosting lambda`: the function URL config, then the function (its resource policy goes with
 * it), when the function carries our tag. Its execution role `<name>-oidc` is one of our roles
 * (name prefix and tag) and goes with them, after the function that uses it.
 */
async function deleteIssuerFunctionFamily(o: DeleteOptions, log: DeletionLog): Promise<void> {
  const { clients, name } = o;
  const fnName = issuerFunctionName(bucketName(name));
  await log.safely('function', `reading Lambda function ${fnName}`, async () => {
    const fn = await observeFunction(clients, fnName);
    if (fn === undefined || !owned(fn.tags, name)) return;
    const url = await clients.lambda
      .send(new GetFunctionUrlConfigCommand({ FunctionName: fnName }))
      .catch((e: unknown) => {
        if (isAwsError(e, ...LAMBDA_NOT_FOUND)) return undefined;
        throw e;
      });
    if (url?.FunctionUrl !== undefined)
      await log.attempt({ kind: 'function-url', id: url.FunctionUrl }, () =>
        clients.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: fnName })),
      );
    await log.attempt({ kind: 'function', id: fn.arn }, () =>
      clients.lambda.send(new DeleteFunctionCommand({ FunctionName: fnName })),
    );
  });
}

/** Finds our roles: by name prefix from ListRoles, confirmed by the ownership tag. */
async function findOwnedRoles(o: DeleteOptions): Promise<string[]> {
  const { clients, name } = o;
  const candidates: string[] = [];
  for await (const page of paginateListRoles({ client: clients.iam }, { MaxItems: 1000 })) {
    for (const r of page.Roles ?? [])
      if (r.RoleName?.startsWith(`${name}-`) === true) candidates.push(r.RoleName);
  }
  const ours: string[] = [];
  for (const roleName of candidates) {
    const tags = [];
    for await (const page of paginateListRoleTags({ client: clients.iam }, { RoleName: roleName }))
      tags.push(...(page.Tags ?? []));
    if (owned(tags, name)) ours.push(roleName);
  }
  return ours;
}

/** Deletes one role: IAM refuses while it has inline or attached policies or instance profiles. */
async function deleteRole(clients: AwsClients, roleName: string): Promise<void> {
  const iam = { client: clients.iam };
  for await (const page of paginateListRolePolicies(iam, { RoleName: roleName }))
    for (const p of page.PolicyNames ?? [])
      await clients.iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: p }));
  for await (const page of paginateListAttachedRolePolicies(iam, { RoleName: roleName }))
    for (const p of page.AttachedPolicies ?? [])
      await clients.iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: p.PolicyArn }));
  for await (const page of paginateListInstanceProfilesForRole(iam, { RoleName: roleName }))
    for (const p of page.InstanceProfiles ?? [])
      await clients.iam.send(
        new RemoveRoleFromInstanceProfileCommand({
          RoleName: roleName,
          InstanceProfileName: p.InstanceProfileName,
        }),
      );
  await clients.iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}

/** 5. The roles. */
export async function deleteRoles(o: DeleteOptions, log: DeletionLog): Promise<void> {
  await log.safely('role', 'listing roles', async () => {
    for (const roleName of await findOwnedRoles(o))
      await log.attempt({ kind: 'role', id: roleName }, () => deleteRole(o.clients, roleName));
  });
}

/** 6. Every IAM OIDC provider carrying the tag (ccoctl stops at the first). */
export async function deleteProviders(o: DeleteOptions, log: DeletionLog): Promise<void> {
  const { clients, name } = o;
  await log.safely('oidc-provider', 'listing IAM OIDC providers', async () => {
    // ListOpenIDConnectProviders takes no Marker: IAM returns every provider at once (IAM API reference).
    const listed = await clients.iam.send(new ListOpenIDConnectProvidersCommand({}));
    for (const p of listed.OpenIDConnectProviderList ?? []) {
      if (p.Arn === undefined) continue;
      const arn = p.Arn;
      const got = await clients.iam.send(
        new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
      );
      if (!owned(got.Tags, name)) continue;
      await log.attempt({ kind: 'oidc-provider', id: arn }, () =>
        clients.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
    }
  });
}

/** Deletes (or with `dryRun` lists) everything of `name` that carries the ownership tag. */
export async function deleteOwned(o: DeleteOptions): Promise<DeletionResult> {
  const log = new DeletionLog(o);
  await deleteBucketFamily(o, log);
  await deleteCloudFrontFamily(o, log);
  await deleteIssuerFunctionFamily(o, log);
  await deleteRoles(o, log);
  await deleteProviders(o, log);
  return log.result();
}
