import {
  CreateDistributionWithTagsCommand,
  CreateOriginAccessControlCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  TagResourceCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagOpenIDConnectProviderCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import {
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reporter } from '../commands/reporter.js';
import { renderDiscoveryDocument } from '../core/discovery.js';
import { StsctlError } from '../core/errors.js';
import { objectTagging } from '../core/iam-documents.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY, issuerHostPath } from '../core/issuer.js';
import { renderJwks } from '../core/jwks.js';
import { partitionForRegion } from '../core/partitions.js';
import type { AwsClients } from './clients.js';
import { distributionConfig } from './cloudfront-config.js';
import { mapLimit } from './concurrency.js';
import { awsFailure, isAwsError } from './errors.js';
import type { Desired, Observed, ObservedDistribution } from './model.js';
import { observe, observeDistribution, observeOriginAccessControl, type ObserveTarget } from './observe.js';
import { CLIENT_IDS, ensureBucketExists, publicIssuerBucketPolicy } from './operations.js';
import {
  desiredPublicAccessBlock,
  oacBucketPolicy,
  ownershipComment,
  plan,
  plannedJwks,
  type Change,
  type Plan,
} from './plan.js';

/**
 * observe → plan → **apply**. Stages follow the dependencies: hosting (bucket, public-access
 * block, CloudFront) → the issuer is known → bucket policy, discovery, JWKS, IAM OIDC provider →
 * roles. After each stage the plan is computed again from what is now known, with the same pure
 * function `plan` that `stsctl plan` prints, so a preview and a run never disagree. Every step is
 * idempotent: a run killed half-way converges on the next run.
 */

export interface ApplyOptions {
  readonly clients: AwsClients;
  readonly desired: Desired;
  readonly target: ObserveTarget;
  readonly reporter: Reporter;
  /** Thumbprints of the issuer's live TLS chain (undefined when it cannot be reached yet). */
  readonly thumbprints?: (issuer: string) => Promise<readonly string[] | undefined>;
  /** Roles created or updated at once; default 8 (the SDK's retries absorb IAM throttling). */
  readonly roleConcurrency?: number;
  /** How long to wait for a CloudFront distribution to deploy; default 25 minutes. */
  readonly deployTimeoutMs?: number;
  /** Longest pause between deployment polls; default 15 s (first poll after 1 s). */
  readonly maxPollMs?: number;
  /** How long to retry a role whose trust policy IAM cannot resolve yet (eventual consistency); default 60 s. */
  readonly consistencyTimeoutMs?: number;
}

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

async function call<T>(action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw awsFailure(action, e);
  }
}

function find(p: Plan, kind: Change['kind'], id?: string): Change | undefined {
  return p.changes.find((c) => c.kind === kind && (id === undefined || c.id === id));
}

function pending(c: Change | undefined): c is Change {
  return c !== undefined && c.action !== 'unchanged';
}

async function waitDeployed(
  clients: AwsClients,
  id: string,
  reporter: Reporter,
  timeoutMs: number,
  maxPollMs: number,
): Promise<void> {
  await reporter.task(`Waiting for CloudFront distribution ${id} to deploy`, async () => {
    const deadline = Date.now() + timeoutMs;
    let pause = 1000;
    for (;;) {
      const got = await call(`reading distribution ${id}`, () =>
        clients.cloudfront.send(new GetDistributionCommand({ Id: id })),
      );
      if (got.Distribution?.Status === 'Deployed') return;
      if (Date.now() + pause > deadline) {
        throw new StsctlError(
          'DISTRIBUTION_DEPLOY_TIMEOUT',
          `CloudFront distribution ${id} is still ${got.Distribution?.Status ?? 'unknown'} after ${Math.round(timeoutMs / 1000)} s`,
          { kind: 'failure', hint: 'run the same command again later: it continues where it stopped' },
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, maxPollMs);
    }
  });
  reporter.info(`CloudFront distribution with ID ${id} is successfully deployed`);
}

async function applyBucket(o: ApplyOptions, p: Plan, applied: Change[]): Promise<void> {
  const { clients, desired, reporter } = o;
  const bucketChange = find(p, 'bucket');
  const pabChange = find(p, 'public-access-block');
  if (bucketChange?.action === 'create') {
    await ensureBucketExists(clients, desired.bucket, desired.region);
    reporter.info(`Bucket ${desired.bucket} created`);
  }
  // Tags and the public-access block do not depend on each other: set them together.
  await Promise.all([
    pending(bucketChange)
      ? call(`tagging bucket ${desired.bucket}`, () =>
          clients.s3.send(
            new PutBucketTaggingCommand({
              Bucket: desired.bucket,
              Tagging: { TagSet: desired.tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
            }),
          ),
        ).then(() => {
          applied.push(bucketChange);
        })
      : Promise.resolve(),
    pending(pabChange) || pending(bucketChange)
      ? call(`setting the public-access block of ${desired.bucket}`, () =>
          clients.s3.send(
            new PutPublicAccessBlockCommand({
              Bucket: desired.bucket,
              PublicAccessBlockConfiguration: desiredPublicAccessBlock(desired.hosting.kind),
            }),
          ),
        ).then(() => {
          if (pending(pabChange)) applied.push(pabChange);
          reporter.info(
            desired.hosting.kind === 'public'
              ? `Blocked public ACLs for the bucket ${desired.bucket}`
              : `Blocked public access for the bucket ${desired.bucket}`,
          );
        })
      : Promise.resolve(),
  ]);
}

/** Hosting: the bucket and (for CloudFront) the OAC and distribution, which do not wait for the bucket. */
async function applyHosting(
  o: ApplyOptions,
  observed: Observed,
  p: Plan,
  applied: Change[],
): Promise<Observed> {
  const { desired } = o;
  const [, cloudfront] = await Promise.all([
    applyBucket(o, p, applied),
    desired.hosting.kind === 'cloudfront'
      ? applyCloudFront(o, observed, p, applied)
      : Promise.resolve(undefined),
  ]);
  const obs: Observed = {
    ...observed,
    bucket: {
      ...observed.bucket,
      exists: true,
      tags: desired.tags,
      publicAccessBlock: desiredPublicAccessBlock(desired.hosting.kind),
    },
  };
  return cloudfront === undefined ? obs : { ...obs, ...cloudfront };
}

async function applyCloudFront(
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  applied: Change[],
): Promise<Pick<Observed, 'originAccessControl' | 'distribution'>> {
  const { clients, desired, reporter } = o;
  if (desired.hosting.kind !== 'cloudfront')
    return { originAccessControl: undefined, distribution: undefined };
  const hosting = desired.hosting;
  let oac = obs.originAccessControl;
  const oacChange = find(p, 'origin-access-control');
  if (oac === undefined) {
    try {
      const created = await clients.cloudfront.send(
        new CreateOriginAccessControlCommand({
          OriginAccessControlConfig: {
            Name: desired.bucket,
            Description: ownershipComment(desired.name),
            SigningProtocol: 'sigv4',
            SigningBehavior: 'always',
            OriginAccessControlOriginType: 's3',
          },
        }),
      );
      const id = created.OriginAccessControl?.Id ?? '';
      oac = { id, name: desired.bucket, description: ownershipComment(desired.name) };
      reporter.info(`CloudFront origin access control created with ID ${id}`);
    } catch (e) {
      // A run killed between create and observe: the OAC exists under our name.
      if (!isAwsError(e, 'OriginAccessControlAlreadyExists'))
        throw awsFailure('creating the origin access control', e);
      oac = await observeOriginAccessControl(clients, desired.bucket);
      if (oac === undefined) throw awsFailure('finding the origin access control', e);
    }
    if (oacChange !== undefined) applied.push(oacChange);
  }

  let dist: ObservedDistribution | undefined = obs.distribution;
  const distChange = find(p, 'distribution');
  if (dist === undefined) {
    const config = distributionConfig({
      name: desired.name,
      bucket: desired.bucket,
      region: desired.region,
      originAccessControlId: oac.id,
      hosting,
    });
    const created = await call('creating the CloudFront distribution', () =>
      clients.cloudfront.send(
        new CreateDistributionWithTagsCommand({
          DistributionConfigWithTags: {
            DistributionConfig: config,
            Tags: { Items: desired.tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
          },
        }),
      ),
    );
    const id = created.Distribution?.Id ?? '';
    reporter.info(`CloudFront distribution created with ID ${id}`);
    if (distChange !== undefined) applied.push(distChange);
    await waitDeployed(clients, id, reporter, o.deployTimeoutMs ?? 25 * 60_000, o.maxPollMs ?? 15_000);
  } else if (pending(distChange)) {
    const current = await call(`reading the config of distribution ${dist.id}`, () =>
      clients.cloudfront.send(new GetDistributionConfigCommand({ Id: dist?.id })),
    );
    const fieldNames = new Set(distChange.fields.map((f) => f.field));
    if ([...fieldNames].some((f) => f !== 'tags')) {
      const config = distributionConfig({
        name: desired.name,
        bucket: desired.bucket,
        region: desired.region,
        originAccessControlId: oac.id,
        hosting,
        ...(current.DistributionConfig?.CallerReference === undefined
          ? {}
          : { callerReference: current.DistributionConfig.CallerReference }),
      });
      // Keep what we do not manage (logging, price class, other behaviours) from the current config.
      const merged = {
        ...current.DistributionConfig,
        ...config,
        Comment: current.DistributionConfig?.Comment ?? config.Comment,
      };
      await call(`updating distribution ${dist.id}`, () =>
        clients.cloudfront.send(
          new UpdateDistributionCommand({ Id: dist?.id, IfMatch: current.ETag, DistributionConfig: merged }),
        ),
      );
      reporter.info(`CloudFront distribution ${dist.id} updated: ${[...fieldNames].join(', ')}`);
      await waitDeployed(clients, dist.id, reporter, o.deployTimeoutMs ?? 25 * 60_000, o.maxPollMs ?? 15_000);
    }
    if (fieldNames.has('tags')) {
      await call(`tagging distribution ${dist.id}`, () =>
        clients.cloudfront.send(
          new TagResourceCommand({
            Resource: dist?.arn,
            Tags: { Items: desired.tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
          }),
        ),
      );
    }
    applied.push(distChange);
  } else if (dist.status !== 'Deployed') {
    await waitDeployed(clients, dist.id, reporter, o.deployTimeoutMs ?? 25 * 60_000, o.maxPollMs ?? 15_000);
  } else {
    reporter.info(`Found existing CloudFront distribution ${dist.id} for S3 bucket ${desired.bucket}`);
  }
  dist = await observeDistribution(clients, desired.name, desired.bucket, desired.region);
  if (dist === undefined)
    throw new StsctlError(
      'DISTRIBUTION_MISSING',
      'the CloudFront distribution just created cannot be found',
      { kind: 'failure' },
    );
  return { originAccessControl: oac, distribution: dist };
}

async function applyIssuer(o: ApplyOptions, obs: Observed, p: Plan, applied: Change[]): Promise<Observed> {
  const { clients, desired, reporter } = o;
  const issuer = p.issuer;
  if (issuer === undefined)
    throw new StsctlError('ISSUER_UNKNOWN', 'the issuer URL is still unknown after hosting was set up', {
      kind: 'failure',
    });
  const put = (key: string, body: string): Promise<unknown> =>
    call(`uploading ${key} to ${desired.bucket}`, () =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: desired.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          Tagging: objectTagging(desired.name),
        }),
      ),
    );
  // The bucket policy, the two documents and the provider depend only on the issuer: all at once.
  const [, , provider] = await Promise.all([
    (async (): Promise<void> => {
      const policyChange = find(p, 'bucket-policy');
      if (pending(policyChange)) {
        const policy =
          desired.hosting.kind === 'public'
            ? publicIssuerBucketPolicy(partitionForRegion(desired.region).id, desired.bucket)
            : oacBucketPolicy(desired.region, desired.bucket, obs.distribution?.arn ?? '');
        await call(`putting the bucket policy of ${desired.bucket}`, () =>
          clients.s3.send(
            new PutBucketPolicyCommand({ Bucket: desired.bucket, Policy: JSON.stringify(policy) }),
          ),
        );
        reporter.info(
          desired.hosting.kind === 'public'
            ? `Bucket policy of ${desired.bucket} allows anonymous reads of the two issuer documents only`
            : `Bucket policy of ${desired.bucket} allows only CloudFront distribution ${obs.distribution?.id ?? ''}`,
        );
        applied.push(policyChange);
      }
    })(),
    (async (): Promise<void> => {
      const discChange = find(p, 'discovery-document');
      if (pending(discChange)) {
        await put(DISCOVERY_OBJECT_KEY, renderDiscoveryDocument(issuer));
        reporter.info(
          `OpenID Connect discovery document in the S3 bucket ${desired.bucket} at ${DISCOVERY_OBJECT_KEY} updated`,
        );
        applied.push(discChange);
      }
      const jwksChange = find(p, 'jwks');
      if (pending(jwksChange)) {
        const keys = plannedJwks(desired, obs.bucket.jwks?.body);
        await put(JWKS_OBJECT_KEY, renderJwks(keys.jwks));
        reporter.info(
          `JSON web key set (JWKS) in the S3 bucket ${desired.bucket} at ${JWKS_OBJECT_KEY} updated${keys.notes.length > 0 ? ` (${keys.notes.join('; ')})` : ''}`,
        );
        applied.push(jwksChange);
      }
    })(),
    (async (): Promise<Observed['provider']> => {
      const providerChange = find(p, 'oidc-provider');
      let provider = obs.provider;
      if (provider === undefined) {
        const thumbprints = desired.thumbprints ?? [];
        let arn: string;
        try {
          const created = await clients.iam.send(
            new CreateOpenIDConnectProviderCommand({
              Url: issuer,
              ClientIDList: [...CLIENT_IDS],
              ...(thumbprints.length > 0 ? { ThumbprintList: [...thumbprints] } : {}),
              Tags: desired.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
            }),
          );
          arn = created.OpenIDConnectProviderArn ?? '';
          reporter.info(`Identity Provider created with ARN: ${arn}`);
        } catch (e) {
          if (!isAwsError(e, 'EntityAlreadyExistsException', 'EntityAlreadyExists'))
            throw awsFailure('creating the IAM OIDC provider', e);
          arn = p.providerArn ?? '';
          reporter.info(`Existing Identity Provider found with ARN: ${arn}`);
        }
        provider = {
          arn,
          url: issuerHostPath(issuer),
          clientIds: [...CLIENT_IDS],
          thumbprints,
          tags: desired.tags,
        };
        if (providerChange !== undefined) applied.push(providerChange);
      } else if (pending(providerChange)) {
        const arn = provider.arn;
        for (const f of providerChange.fields) {
          if (f.field === 'client IDs') {
            for (const id of CLIENT_IDS.filter((c) => !(provider?.clientIds ?? []).includes(c))) {
              await call(`adding client ID ${id} to ${arn}`, () =>
                clients.iam.send(
                  new AddClientIDToOpenIDConnectProviderCommand({
                    OpenIDConnectProviderArn: arn,
                    ClientID: id,
                  }),
                ),
              );
            }
          } else if (f.field === 'thumbprints') {
            await call(`updating the thumbprints of ${arn}`, () =>
              clients.iam.send(
                new UpdateOpenIDConnectProviderThumbprintCommand({
                  OpenIDConnectProviderArn: arn,
                  ThumbprintList: [...(desired.thumbprints ?? [])],
                }),
              ),
            );
          } else if (f.field === 'tags') {
            await call(`tagging ${arn}`, () =>
              clients.iam.send(
                new TagOpenIDConnectProviderCommand({
                  OpenIDConnectProviderArn: arn,
                  Tags: desired.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
                }),
              ),
            );
          }
        }
        reporter.info(
          `Identity Provider ${arn} updated: ${providerChange.fields.map((f) => f.field).join(', ')}`,
        );
        applied.push(providerChange);
        provider = {
          ...provider,
          clientIds: [...new Set([...provider.clientIds, ...CLIENT_IDS])],
          thumbprints: desired.thumbprints ?? provider.thumbprints,
          tags: desired.tags,
        };
      } else {
        reporter.info(`Existing Identity Provider found with ARN: ${provider.arn}`);
      }
      return provider;
    })(),
  ]);
  return { ...obs, provider };
}

async function applyRoles(o: ApplyOptions, p: Plan, applied: Change[]): Promise<Map<string, string>> {
  const { clients, desired, reporter } = o;
  const providerArn = p.providerArn;
  const issuer = p.issuer;
  if (providerArn === undefined || issuer === undefined) {
    throw new StsctlError('PROVIDER_UNKNOWN', 'the IAM OIDC provider is unknown; roles cannot trust it', {
      kind: 'failure',
    });
  }
  const hostPath = issuerHostPath(issuer);
  const arns = new Map<string, string>();
  const partition = partitionForRegion(desired.region).id;
  await mapLimit(desired.roles, o.roleConcurrency ?? 8, async (role) => {
    const c = find(p, 'role', role.name);
    const trust = role.trustPolicy(providerArn, hostPath);
    if (c?.action === 'create') {
      const deadline = Date.now() + (o.consistencyTimeoutMs ?? 60_000);
      for (let pause = 500; ; pause = Math.min(pause * 2, 5000)) {
        try {
          await clients.iam.send(
            new CreateRoleCommand({
              RoleName: role.name,
              Description: role.description,
              AssumeRolePolicyDocument: trust,
              Tags: role.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
              ...(role.permissionsBoundaryArn === undefined
                ? {}
                : { PermissionsBoundary: role.permissionsBoundaryArn }),
            }),
          );
          reporter.info(`Role ${role.name} created`);
          break;
        } catch (e) {
          if (isAwsError(e, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) {
            // Created by a run that was killed before it could say so; the next run repairs any drift.
            reporter.info(`Existing role ${role.name} found`);
            await call(`updating the trust policy of ${role.name}`, () =>
              clients.iam.send(
                new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: trust }),
              ),
            );
            break;
          }
          // IAM is eventually consistent: a provider created a moment ago may not resolve yet as a principal.
          if (
            isAwsError(e, 'MalformedPolicyDocumentException', 'MalformedPolicyDocument') &&
            Date.now() + pause < deadline
          ) {
            await sleep(pause);
            continue;
          }
          throw awsFailure(`creating role ${role.name}`, e);
        }
      }
      await call(`putting the inline policy of ${role.name}`, () =>
        clients.iam.send(
          new PutRolePolicyCommand({
            RoleName: role.name,
            PolicyName: role.name,
            PolicyDocument: role.inlinePolicy,
          }),
        ),
      );
      applied.push(c);
    } else if (pending(c)) {
      const fields = c.fields.map((f) => f.field);
      if (fields.some((f) => f.startsWith('trust'))) {
        await call(`updating the trust policy of ${role.name}`, () =>
          clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: trust })),
        );
      }
      if (fields.some((f) => f.startsWith('policy') || f === 'inline policy')) {
        await call(`putting the inline policy of ${role.name}`, () =>
          clients.iam.send(
            new PutRolePolicyCommand({
              RoleName: role.name,
              PolicyName: role.name,
              PolicyDocument: role.inlinePolicy,
            }),
          ),
        );
      }
      if (fields.includes('permissions boundary') && role.permissionsBoundaryArn !== undefined) {
        const boundary = role.permissionsBoundaryArn;
        await call(`setting the permissions boundary of ${role.name}`, () =>
          clients.iam.send(
            new PutRolePermissionsBoundaryCommand({ RoleName: role.name, PermissionsBoundary: boundary }),
          ),
        );
      }
      if (fields.includes('description')) {
        await call(`updating the description of ${role.name}`, () =>
          clients.iam.send(new UpdateRoleCommand({ RoleName: role.name, Description: role.description })),
        );
      }
      if (fields.includes('tags')) {
        await call(`tagging role ${role.name}`, () =>
          clients.iam.send(
            new TagRoleCommand({
              RoleName: role.name,
              Tags: role.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
            }),
          ),
        );
      }
      reporter.info(`Role ${role.name} updated: ${fields.join(', ')}`);
      applied.push(c);
    } else {
      reporter.info(`Existing role ${role.name} found`);
    }
    arns.set(role.name, `arn:${partition}:iam::${p.accountId}:role/${role.name}`);
  });
  return arns;
}

/** Observes, plans and applies until the plan is empty. */
export async function apply(o: ApplyOptions): Promise<ApplyResult> {
  const applied: Change[] = [];
  let obs = await observe(o.clients, o.target);
  const withThumbprints = async (issuer: string | undefined): Promise<Desired> => {
    if (issuer === undefined || o.thumbprints === undefined || !o.desired.issuer) return o.desired;
    const t = await o.thumbprints(issuer);
    return t === undefined ? o.desired : { ...o.desired, thumbprints: t };
  };
  const initial = plan(await withThumbprints(plan(o.desired, obs).issuer), obs);
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
