import { StsctlError } from './errors.js';

/**
 * AWS partitions stsctl knows, with the DNS suffix their S3 endpoints use.
 *
 * Facts: botocore `partitions.json` (the `aws`, `aws-cn`, `aws-us-gov`, `aws-iso*` and `aws-eusc`
 * partitions and their `dnsSuffix`), and ccoctl's `getDNSSuffix`, which resolves
 * `https://s3.<region>.<suffix>` (ccoctl.md §3.1). ARNs are always built from the partition id,
 * never from a literal `arn:aws:`.
 */
export type PartitionId =
  'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f' | 'aws-eusc';

export interface Partition {
  readonly id: PartitionId;
  readonly dnsSuffix: string;
  /** Whether CloudFront (and so private hosting behind it) exists in the partition. */
  readonly hasCloudFront: boolean;
}

type PartitionEntry = Partition & { readonly regionPrefixes: readonly string[] };

/** The commercial partition: every region no other partition's prefix claims. */
const AWS_PARTITION: PartitionEntry = {
  id: 'aws',
  dnsSuffix: 'amazonaws.com',
  hasCloudFront: true,
  regionPrefixes: [],
};

const PARTITIONS: readonly PartitionEntry[] = [
  // Order matters: the more specific prefixes first.
  { id: 'aws-us-gov', dnsSuffix: 'amazonaws.com', hasCloudFront: false, regionPrefixes: ['us-gov-'] },
  { id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', hasCloudFront: false, regionPrefixes: ['cn-'] },
  { id: 'aws-iso-b', dnsSuffix: 'sc2s.sgov.gov', hasCloudFront: false, regionPrefixes: ['us-isob-'] },
  { id: 'aws-iso-e', dnsSuffix: 'cloud.adc-e.uk', hasCloudFront: false, regionPrefixes: ['eu-isoe-'] },
  { id: 'aws-iso-f', dnsSuffix: 'csp.hci.ic.gov', hasCloudFront: false, regionPrefixes: ['us-isof-'] },
  { id: 'aws-iso', dnsSuffix: 'c2s.ic.gov', hasCloudFront: false, regionPrefixes: ['us-iso-'] },
  { id: 'aws-eusc', dnsSuffix: 'amazonaws.eu', hasCloudFront: false, regionPrefixes: ['eusc-'] },
  AWS_PARTITION,
];

/** Region names look like `us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-isob-east-1`, `eusc-de-east-1`. */
const REGION_RE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/**
 * The regions of each partition, from botocore 1.43.11 `data/partitions.json` (read 2026-11-29;
 * the `*-global` pseudo-regions left out). A region AWS opens after this list was written can be
 * allowed without a release: {@link allowAdditionalRegions} (the CLI reads `STSCTL_EXTRA_REGIONS`).
 */
export const KNOWN_REGIONS: Readonly<Record<PartitionId, readonly string[]>> = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-north-1',
    'eu-south-1',
    'eu-south-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'mx-central-1',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
  'aws-iso': ['us-iso-east-1', 'us-iso-west-1'],
  'aws-iso-b': ['us-isob-east-1', 'us-isob-west-1'],
  'aws-iso-e': ['eu-isoe-west-1'],
  'aws-iso-f': ['us-isof-east-1', 'us-isof-south-1'],
  'aws-eusc': ['eusc-de-east-1'],
};

const additionalRegions = new Set<string>();

/**
 * Accepts regions missing from {@link KNOWN_REGIONS} (a region opened after this release). Set once
 * at the edge (the CLI, from `STSCTL_EXTRA_REGIONS`); each name must still have a region's form.
 */
export function allowAdditionalRegions(regions: Iterable<string>): void {
  for (const r of regions) if (REGION_RE.test(r)) additionalRegions.add(r);
}

/**
 * Checks a region: its form, then that its partition has it (a typo such as `us-east-7` or
 * `eu-west-4` would otherwise surface as a DNS error deep inside an AWS call, after other changes).
 */
export function validateRegion(region: string, flag = '--region'): string {
  if (!REGION_RE.test(region)) {
    throw new StsctlError(
      'INVALID_REGION',
      `${flag} "${region}" is not an AWS region name (expected a form like us-east-1, cn-north-1 or us-gov-west-1)`,
    );
  }
  const partition = partitionForRegion(region).id;
  const known = KNOWN_REGIONS[partition];
  if (!known.includes(region) && !additionalRegions.has(region)) {
    const prefix = region.replace(/-\d+$/, '');
    const near = known.filter((r) => r.startsWith(prefix));
    throw new StsctlError(
      'INVALID_REGION',
      `${flag} "${region}" is not a region of the ${partition} partition (${near.length > 0 ? `did you mean ${near.join(', ')}?` : `its regions: ${known.join(', ')}`})`,
      {
        hint: 'if AWS opened this region after this stsctl release, allow it with STSCTL_EXTRA_REGIONS=<region>',
      },
    );
  }
  return region;
}

/** The partition a region belongs to (`aws` when no other partition claims its prefix). */
export function partitionForRegion(region: string): Partition {
  const p =
    PARTITIONS.find((q) => q.regionPrefixes.some((prefix) => region.startsWith(prefix))) ?? AWS_PARTITION;
  return { id: p.id, dnsSuffix: p.dnsSuffix, hasCloudFront: p.hasCloudFront };
}

/** Looks a partition up by its id. */
export function partitionById(id: string): Partition | undefined {
  const p = PARTITIONS.find((x) => x.id === id);
  return p === undefined ? undefined : { id: p.id, dnsSuffix: p.dnsSuffix, hasCloudFront: p.hasCloudFront };
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export function arn(
  partition: PartitionId,
  service: string,
  region: string,
  account: string,
  resource: string,
): string {
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

/** IAM OIDC provider ARN: `arn:<p>:iam::<account>:oidc-provider/<issuer without https://>`. */
export function oidcProviderArn(partition: PartitionId, account: string, issuerHostPath: string): string {
  return arn(partition, 'iam', '', account, `oidc-provider/${issuerHostPath}`);
}

/** IAM role ARN (path `/`): `arn:<p>:iam::<account>:role/<name>`. */
export function roleArn(partition: PartitionId, account: string, roleName: string, path = '/'): string {
  return arn(partition, 'iam', '', account, `role${path}${roleName}`);
}

/** S3 bucket ARN: `arn:<p>:s3:::<bucket>`. */
export function bucketArn(partition: PartitionId, bucket: string): string {
  return arn(partition, 's3', '', '', bucket);
}

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN into its six parts; returns undefined when it is not one. */
export function parseArn(value: string): ParsedArn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (partition === '' || service === '' || resource === '') return undefined;
  return { partition, service, region, account, resource };
}
