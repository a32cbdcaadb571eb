import { GetBucketTaggingCommand, GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { StsctlError } from '../core/errors.js';
import { DISCOVERY_OBJECT_KEY } from '../core/issuer.js';
import { bucketName } from '../core/names.js';
import type { AwsClients } from './clients.js';
import { awsCall, isAwsError } from './errors.js';
import type { ObservedDistribution, ObservedProvider } from './model.js';
import { observeDistribution, observeProviderByArn } from './observe.js';
import { isFleetTagged, publishedIssuer } from './plan.js';

/**
 * Reading a fleet issuer (`--shared-issuer <fleet>`, src/aws/plan/fleet.ts): its shared hosting
 * and its members. A member is a prefix of the fleet's bucket (`<cluster>/`) or an IAM OIDC
 * provider whose URL is `<fleet domain>/<cluster>` — either alone is a half-made or half-deleted
 * member, which `stsctl fleet list` shows as such.
 */

export interface FleetHosting {
  readonly fleet: string;
  readonly bucket: string;
  /** Whether the bucket exists and carries the fleet's tag. */
  readonly bucketExists: boolean;
  readonly distribution: ObservedDistribution | undefined;
  /** `https://<custom domain or distribution domain>`: every member's issuer is `<base>/<cluster>`. */
  readonly issuerBase: string | undefined;
}

/** Whether the fleet's bucket exists and is tagged as the fleet's. */
export async function fleetBucketExists(
  clients: AwsClients,
  fleet: string,
  bucket: string,
): Promise<boolean> {
  try {
    const got = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return isFleetTagged(got.TagSet ?? [], fleet);
  } catch (e) {
    if (isAwsError(e, 'NoSuchBucket', 'NotFound', 'NoSuchTagSet', 'NoSuchTagSetError')) return false;
    throw e;
  }
}

/** The fleet's bucket and distribution, and the base URL of its members' issuers. */
export async function observeFleetHosting(
  clients: AwsClients,
  fleet: string,
  region: string,
): Promise<FleetHosting> {
  const bucket = bucketName(fleet);
  const [bucketExists, distribution] = await Promise.all([
    awsCall(`reading the tags of bucket ${bucket}`, () => fleetBucketExists(clients, fleet, bucket)),
    observeDistribution(clients, fleet, bucket, region),
  ]);
  const domain = distribution?.aliases[0] ?? distribution?.domainName;
  return {
    fleet,
    bucket,
    bucketExists,
    distribution,
    issuerBase: domain === undefined ? undefined : `https://${domain}`,
  };
}

/**
 * The top-level prefixes of the fleet's bucket (one per member, `<cluster>/`) and the keys kept at
 * its root (none, unless someone else put them there). Lists the bucket page by page.
 */
export async function listFleetPrefixes(
  clients: AwsClients,
  bucket: string,
): Promise<{ readonly clusters: string[]; readonly rootKeys: string[] }> {
  const clusters: string[] = [];
  const rootKeys: string[] = [];
  await awsCall(`listing the clusters of bucket ${bucket}`, async () => {
    for await (const page of paginateListObjectsV2(
      { client: clients.s3 },
      { Bucket: bucket, Delimiter: '/' },
    )) {
      for (const p of page.CommonPrefixes ?? [])
        if (p.Prefix !== undefined) clusters.push(p.Prefix.replace(/\/$/, ''));
      for (const o of page.Contents ?? []) if (o.Key !== undefined) rootKeys.push(o.Key);
    }
  });
  return { clusters: clusters.sort(), rootKeys };
}

/**
 * The IAM OIDC providers of the fleet's members, by cluster name: those whose URL is
 * `<issuer host>/<cluster>` (one ListOpenIDConnectProviders call: IAM returns every provider at
 * once, IAM API reference).
 */
export async function listFleetProviders(
  clients: AwsClients,
  issuerBase: string,
): Promise<Map<string, ObservedProvider>> {
  const listed = await awsCall('listing IAM OIDC providers', () =>
    clients.iam.send(new ListOpenIDConnectProvidersCommand({})),
  );
  const marker = `:oidc-provider/${issuerBase.replace(/^https:\/\//, '')}/`;
  const found = new Map<string, ObservedProvider>();
  for (const p of listed.OpenIDConnectProviderList ?? []) {
    const arn = p.Arn ?? '';
    const at = arn.indexOf(marker);
    if (at < 0) continue;
    const cluster = arn.slice(at + marker.length);
    if (cluster === '' || cluster.includes('/')) continue;
    const provider = await observeProviderByArn(clients, arn);
    if (provider !== undefined) found.set(cluster, provider);
  }
  return found;
}

/** The issuer a member's published discovery document names, when it has one. */
export async function memberPublishedIssuer(
  clients: AwsClients,
  bucket: string,
  cluster: string,
): Promise<string | undefined> {
  const got = await awsCall(
    `reading s3://${bucket}/${cluster}/${DISCOVERY_OBJECT_KEY}`,
    () =>
      clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${cluster}/${DISCOVERY_OBJECT_KEY}` })),
    ['NoSuchKey', 'NotFound', 'NoSuchBucket'],
  );
  if (got?.Body === undefined) return undefined;
  return publishedIssuer(await got.Body.transformToString('utf8'));
}

/** The fleet's hosting, or `FLEET_NOT_FOUND` when its bucket is missing or not the fleet's. */
export async function requireFleetHosting(
  clients: AwsClients,
  fleet: string,
  region: string,
): Promise<FleetHosting> {
  const hosting = await observeFleetHosting(clients, fleet, region);
  if (!hosting.bucketExists)
    throw new StsctlError(
      'FLEET_NOT_FOUND',
      `no fleet issuer "${fleet}" in ${region}: the bucket ${hosting.bucket} does not exist or is not tagged stsctl.io/shared-issuer=${fleet}`,
    );
  return hosting;
}
