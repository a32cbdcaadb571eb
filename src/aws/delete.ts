import {
  DeleteCloudFrontOriginAccessIdentityCommand,
  DeleteDistributionCommand,
  DeleteOriginAccessControlCommand,
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionCommand,
  paginateListCloudFrontOriginAccessIdentities,
  GetDistributionConfigCommand,
  GetOriginAccessControlCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  DeleteOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
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
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reporter } from '../commands/reporter.js';
import { ownershipTagKey } from '../core/iam-documents.js';
import { bucketName } from '../core/names.js';
import { StsctlError } from '../core/errors.js';
import type { AwsClients } from './clients.js';
import { awsFailure, isAwsError } from './errors.js';
import { observeDistribution, observeOriginAccessControl } from './observe.js';

/**
 * `delete`: removes exactly what carries `openshift.io/cloud-credential-operator/<name>` — and
 * nothing else — in dependency order: issuer objects (every version), the bucket, the CloudFront
 * distribution (disable, wait, delete), its origin access control — or the legacy origin access
 * identity ccoctl's `--create-private-s3-bucket` made, which cannot be tagged and is known by its
 * Comment `openshift.io/cloud-credential-operator/<name>` (ccoctl.md §4) —, the roles (inline and attached
 * policies, instance profiles), the IAM OIDC provider. Roles are found by their name prefix
 * (`<name>-`), so an account with thousands of roles costs one ListRoles page per 1000 roles,
 * not a GetRole each (ccoctl.md §5.1). Every step runs even when another failed; what remains is
 * listed and the command fails.
 */

export interface DeletionItem {
  readonly kind:
    | 'object'
    | 'bucket'
    | 'distribution'
    | 'origin-access-control'
    | 'origin-access-identity'
    | 'role'
    | 'oidc-provider';
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
}

function owned(tags: readonly { Key?: string | undefined }[] | undefined, name: string): boolean {
  return (tags ?? []).some((t) => t.Key === ownershipTagKey(name));
}

export async function deleteOwned(o: DeleteOptions): Promise<DeletionResult> {
  const { clients, name, reporter } = o;
  const found: DeletionItem[] = [];
  const deleted: DeletionItem[] = [];
  const remaining: (DeletionItem & { reason: string })[] = [];
  const foreignObjects: string[] = [];
  const attempt = async (item: DeletionItem, work: () => Promise<unknown>): Promise<boolean> => {
    found.push(item);
    if (o.dryRun) return true;
    try {
      await work();
      deleted.push(item);
      reporter.info(`Deleted ${item.kind} ${item.id}`);
      return true;
    } catch (e) {
      const reason = awsFailure(`deleting ${item.kind} ${item.id}`, e).message;
      remaining.push({ ...item, reason });
      reporter.warn(reason);
      return false;
    }
  };
  const safely = async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (e) {
      const reason = awsFailure(what, e).message;
      remaining.push({ kind: 'bucket', id: what, reason });
      reporter.warn(reason);
    }
  };

  // 1-2. Bucket: our objects (all versions), then the bucket if it is ours and empty.
  const bucket = bucketName(name);
  await safely(`reading bucket ${bucket}`, async () => {
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
    // ListObjectVersions has no SDK paginator: follow the key and version markers by hand.
    const pages: ListObjectVersionsCommandOutput[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      const page = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, ...markers }));
      pages.push(page);
      if (page.IsTruncated !== true) break;
      markers = {
        ...(page.NextKeyMarker === undefined ? {} : { KeyMarker: page.NextKeyMarker }),
        ...(page.NextVersionIdMarker === undefined ? {} : { VersionIdMarker: page.NextVersionIdMarker }),
      };
    }
    for (const page of pages) {
      const versions = [
        ...(page.Versions ?? []).map((v) => ({ key: v.Key ?? '', version: v.VersionId, marker: false })),
        ...(page.DeleteMarkers ?? []).map((v) => ({ key: v.Key ?? '', version: v.VersionId, marker: true })),
      ];
      for (const v of versions) {
        const versionId = v.version === undefined || v.version === 'null' ? undefined : v.version;
        let ours = v.marker; // delete markers carry no tags; they belong to a key we delete
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
        if (!ours) {
          allOurs = false;
          foreignObjects.push(v.key);
          continue;
        }
        const ok = await attempt(
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
    }
    if (!allOurs && foreignObjects.length > 0) {
      reporter.warn(
        `bucket ${bucket} holds objects without the ownership tag (${foreignObjects.join(', ')}): left alone, so the bucket stays`,
      );
      remaining.push({ kind: 'bucket', id: bucket, reason: 'holds objects stsctl did not create' });
      found.push({ kind: 'bucket', id: bucket });
      return;
    }
    await attempt({ kind: 'bucket', id: bucket }, () =>
      clients.s3.send(new DeleteBucketCommand({ Bucket: bucket })),
    );
  });

  // 3-4. CloudFront: the distribution (disable, wait, delete), then its OAC.
  await safely('reading CloudFront distributions', async () => {
    const dist = await observeDistribution(clients, name, bucket, o.region);
    if (dist === undefined || !owned(dist.tags, name)) return;
    await attempt({ kind: 'distribution', id: dist.id }, async () => {
      let config = await clients.cloudfront.send(new GetDistributionConfigCommand({ Id: dist.id }));
      if (config.DistributionConfig?.Enabled === true) {
        await clients.cloudfront.send(
          new UpdateDistributionCommand({
            Id: dist.id,
            IfMatch: config.ETag,
            DistributionConfig: { ...config.DistributionConfig, Enabled: false },
          }),
        );
        reporter.info(
          `Disabled CloudFront distribution ${dist.id}; waiting for it to deploy before deleting it`,
        );
      }
      const deadline = Date.now() + (o.deployTimeoutMs ?? 25 * 60_000);
      for (let pause = 1000; ; pause = Math.min(pause * 2, o.maxPollMs ?? 15_000)) {
        const got = await clients.cloudfront.send(new GetDistributionCommand({ Id: dist.id }));
        if (got.Distribution?.Status === 'Deployed') break;
        if (Date.now() + pause > deadline)
          throw new StsctlError(
            'DISTRIBUTION_DEPLOY_TIMEOUT',
            `distribution ${dist.id} still ${got.Distribution?.Status ?? ''}; run delete again later`,
          );
        await sleep(pause);
      }
      config = await clients.cloudfront.send(new GetDistributionConfigCommand({ Id: dist.id }));
      await clients.cloudfront.send(new DeleteDistributionCommand({ Id: dist.id, IfMatch: config.ETag }));
    });
  });
  await safely('reading CloudFront origin access controls', async () => {
    const oac = await observeOriginAccessControl(clients, bucket);
    if (oac === undefined || oac.description !== `openshift.io/cloud-credential-operator/${name}`) return;
    await attempt({ kind: 'origin-access-control', id: oac.id }, async () => {
      const got = await clients.cloudfront.send(new GetOriginAccessControlCommand({ Id: oac.id }));
      await clients.cloudfront.send(new DeleteOriginAccessControlCommand({ Id: oac.id, IfMatch: got.ETag }));
    });
  });

  // ccoctl's OAI: after the distribution, which would otherwise keep it in use.
  await safely('listing CloudFront origin access identities', async () => {
    const comment = `openshift.io/cloud-credential-operator/${name}`;
    const ids: string[] = [];
    for await (const page of paginateListCloudFrontOriginAccessIdentities(
      { client: clients.cloudfront },
      {},
    )) {
      for (const i of page.CloudFrontOriginAccessIdentityList?.Items ?? [])
        if (i.Comment === comment && i.Id !== undefined) ids.push(i.Id);
    }
    for (const id of ids) {
      await attempt({ kind: 'origin-access-identity', id }, async () => {
        const got = await clients.cloudfront.send(new GetCloudFrontOriginAccessIdentityCommand({ Id: id }));
        await clients.cloudfront.send(
          new DeleteCloudFrontOriginAccessIdentityCommand({ Id: id, IfMatch: got.ETag }),
        );
      });
    }
  });

  // 5. Roles, found by name prefix, confirmed by tag.
  await safely('listing roles', async () => {
    const candidates: string[] = [];
    for await (const page of paginateListRoles({ client: clients.iam }, { MaxItems: 1000 })) {
      for (const r of page.Roles ?? [])
        if (r.RoleName?.startsWith(`${name}-`) === true) candidates.push(r.RoleName);
    }
    for (const roleName of candidates) {
      const t = await clients.iam.send(new ListRoleTagsCommand({ RoleName: roleName }));
      if (!owned(t.Tags, name)) continue;
      await attempt({ kind: 'role', id: roleName }, async () => {
        const inline = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
        for (const p of inline.PolicyNames ?? [])
          await clients.iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: p }));
        const attached = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
        for (const p of attached.AttachedPolicies ?? []) {
          await clients.iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: p.PolicyArn }));
        }
        const profiles = await clients.iam.send(
          new ListInstanceProfilesForRoleCommand({ RoleName: roleName }),
        );
        for (const p of profiles.InstanceProfiles ?? []) {
          await clients.iam.send(
            new RemoveRoleFromInstanceProfileCommand({
              RoleName: roleName,
              InstanceProfileName: p.InstanceProfileName,
            }),
          );
        }
        await clients.iam.send(new DeleteRoleCommand({ RoleName: roleName }));
      });
    }
  });

  // 6. Every IAM OIDC provider carrying the tag (ccoctl stops at the first).
  await safely('listing IAM OIDC providers', async () => {
    const listed = await clients.iam.send(new ListOpenIDConnectProvidersCommand({}));
    for (const p of listed.OpenIDConnectProviderList ?? []) {
      if (p.Arn === undefined) continue;
      const arn = p.Arn;
      const got = await clients.iam.send(
        new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
      );
      if (!owned(got.Tags, name)) continue;
      await attempt({ kind: 'oidc-provider', id: arn }, () =>
        clients.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
    }
  });

  return { found, deleted, remaining, foreignObjects };
}
