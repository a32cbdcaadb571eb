import {
  DRY_RUN_FILES,
  PLACEHOLDER_ACCOUNT_ID,
  PLACEHOLDER_CLOUDFRONT_URL,
  PLACEHOLDER_ISSUER,
  PLACEHOLDER_PROVIDER_ARN,
  blockPublicAccessRequestFile,
  bucketRequestFile,
  distributionRequestFile,
  identityProviderRequestFile,
  oaiBucketPolicyRequestFile,
  originAccessIdentityRequestFile,
  policyRequestFile,
  policyRequestFileName,
  roleRequestFile,
  roleRequestFileName,
} from './ccoctl-files.js';
import type { CredentialsRequest } from './credentials-requests.js';
import { renderDiscoveryDocument } from './discovery.js';
import { StsctlAggregateError, StsctlError } from './errors.js';
import {
  ownershipTags,
  permissionsPolicy,
  renderPolicy,
  roleDescription,
  trustPolicyForRequest,
} from './iam-documents.js';
import { issuerHostPath, publicS3IssuerUrl, s3VirtualHost } from './issuer.js';
import { buildJwks, renderJwks } from './jwks.js';
import type { PublicKeyInfo } from './keys.js';
import {
  AUTHENTICATION_MANIFEST_PATH,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  SIGNING_KEY_TLS_PATH,
  authenticationManifest,
  secretManifest,
  secretManifestPath,
} from './manifests.js';
import { assertUniqueRoleNames, bucketName, roleName, type RoleName, type RoleNameMode } from './names.js';
import { oidcProviderArn, parseArn, partitionForRegion, roleArn, type PartitionId } from './partitions.js';
import { terminalSafe } from './terminal-text.js';

/**
 * What each command writes into `--output-dir`, computed without touching the disk
 * (ccoctl.md §2). The CLI validates everything, builds this list, and only then writes it.
 */

export interface OutputFile {
  /** Path relative to the output directory, `/`-separated. */
  readonly path: string;
  readonly content: string;
  /** File mode: 0o600 for keys and manifests, 0o644 for dry-run request files. */
  readonly mode: number;
  /** Holds a private key: never print it, never overwrite a different existing one. */
  readonly secret?: boolean;
}

/**
 * The longest file name (one path segment) in bytes: `NAME_MAX` is 255 on Linux (ext4, XFS, btrfs,
 * tmpfs) and macOS (APFS, in UTF-8 bytes); Windows' NTFS allows 255 UTF-16 units, which is no less.
 */
export const MAX_FILE_NAME_BYTES = 255;

const UTF8 = new TextEncoder();

/**
 * Why `path` cannot be an output path, or undefined when it can: it must be relative and
 * `/`-separated, with no empty, `.` or `..` segment, no backslash (a separator on Windows), no
 * control character (NUL ends a path in every system call) and no segment over
 * {@link MAX_FILE_NAME_BYTES} bytes. Names from input files are validated before they get here;
 * this is the last line that keeps every output inside `--output-dir`.
 */
export function outputPathProblem(path: string): string | undefined {
  if (path === '') return 'the path is empty';
  if (path.startsWith('/')) return 'the path is absolute';
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f]/u.test(path)) return 'the path holds a control character';
  if (path.includes('\\')) return 'the path holds a backslash';
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      return `the path has a ${segment === '' ? 'empty' : `"${segment}"`} segment`;
    }
    const bytes = UTF8.encode(segment).length;
    if (bytes > MAX_FILE_NAME_BYTES) {
      return `the file name is ${bytes} bytes; file systems allow at most ${MAX_FILE_NAME_BYTES}`;
    }
  }
  return undefined;
}

export const MODE_PRIVATE = 0o600;
export const MODE_PUBLIC = 0o644;

/** The key pair files: the private key (0600), the public key, and the installer's `tls/` copy (0600). */
export function keyPairFiles(privateKeyPem: string, publicKeyPem: string): OutputFile[] {
  return [
    { path: PRIVATE_KEY_FILE, content: privateKeyPem, mode: MODE_PRIVATE, secret: true },
    { path: PUBLIC_KEY_FILE, content: publicKeyPem, mode: MODE_PUBLIC },
    { path: SIGNING_KEY_TLS_PATH, content: privateKeyPem, mode: MODE_PRIVATE, secret: true },
  ];
}

export type Hosting = 'public' | 'cloudfront';

export interface IdentityProviderLayoutInput {
  readonly name: string;
  readonly region: string;
  readonly publicKeys: readonly PublicKeyInfo[];
  readonly hosting: Hosting;
  readonly dryRun: boolean;
  /** The real issuer, once known (after a real run); defaults to the public-S3 URL or the CloudFront placeholder. */
  readonly issuer?: string;
}

export interface IdentityProviderLayout {
  readonly bucket: string;
  /** The issuer URL, or ccoctl's CloudFront placeholder in a private dry-run. */
  readonly issuer: string;
  readonly issuerKnown: boolean;
  readonly files: readonly OutputFile[];
}

/** Files of `create-identity-provider` (and the identity-provider half of `create-all`). */
export function identityProviderLayout(input: IdentityProviderLayoutInput): IdentityProviderLayout {
  const bucket = bucketName(input.name);
  const partition = partitionForRegion(input.region);
  if (input.hosting === 'cloudfront' && !partition.hasCloudFront) {
    throw new StsctlError(
      'HOSTING_UNAVAILABLE',
      `CloudFront hosting is not available in the ${partition.id} partition (region ${input.region}); use public S3 hosting there`,
    );
  }
  const issuerKnown = input.issuer !== undefined || input.hosting === 'public';
  const issuer =
    input.issuer ??
    (input.hosting === 'public' ? publicS3IssuerUrl(bucket, input.region) : PLACEHOLDER_CLOUDFRONT_URL);
  const files: OutputFile[] = [];
  if (input.dryRun) {
    files.push(
      { path: DRY_RUN_FILES.bucket, content: bucketRequestFile(bucket, input.region), mode: MODE_PUBLIC },
      { path: DRY_RUN_FILES.discovery, content: renderDiscoveryDocument(issuer), mode: MODE_PUBLIC },
      { path: DRY_RUN_FILES.jwks, content: renderJwks(buildJwks(input.publicKeys)), mode: MODE_PUBLIC },
      {
        path: DRY_RUN_FILES.identityProvider,
        content: identityProviderRequestFile(issuer),
        mode: MODE_PUBLIC,
      },
    );
    if (input.hosting === 'cloudfront') {
      files.push(
        {
          path: DRY_RUN_FILES.originAccessIdentity,
          content: originAccessIdentityRequestFile(input.name),
          mode: MODE_PUBLIC,
        },
        {
          path: DRY_RUN_FILES.bucketPolicyForOai,
          content: oaiBucketPolicyRequestFile(partition.id, bucket),
          mode: MODE_PUBLIC,
        },
        {
          path: DRY_RUN_FILES.blockPublicAccess,
          content: blockPublicAccessRequestFile(bucket),
          mode: MODE_PUBLIC,
        },
        {
          path: DRY_RUN_FILES.distribution,
          content: distributionRequestFile(
            input.name,
            s3VirtualHost(bucket, input.region),
            ownershipTags(input.name),
          ),
          mode: MODE_PUBLIC,
        },
      );
    }
  }
  files.push({
    path: AUTHENTICATION_MANIFEST_PATH,
    content: authenticationManifest(issuer),
    mode: MODE_PRIVATE,
  });
  return { bucket, issuer, issuerKnown, files };
}

export interface RolePlan {
  readonly request: CredentialsRequest;
  readonly role: RoleName;
  /** Known role ARN, or undefined when the account is not known (dry-run of create-all). */
  readonly roleArn: string | undefined;
  readonly trustPolicy: string;
  readonly permissionsPolicy: string;
  readonly description: string;
}

export interface IamRolesLayoutInput {
  readonly name: string;
  readonly requests: readonly CredentialsRequest[];
  /** Provider ARN, or undefined when unknown (create-all dry-run): a placeholder is written. */
  readonly providerArn: string | undefined;
  /** Issuer without https://; undefined when unknown. */
  readonly issuerHostPath: string | undefined;
  /** Partition for ARNs built here; from the region or the provider ARN. */
  readonly partition: PartitionId;
  readonly permissionsBoundaryArn?: string | undefined;
  readonly roleNameMode?: RoleNameMode;
  readonly dryRun: boolean;
  /** Role ARNs of a real run, by role name. */
  readonly roleArns?: ReadonlyMap<string, string>;
}

export interface IamRolesLayout {
  readonly roles: readonly RolePlan[];
  readonly files: readonly OutputFile[];
}

/** The account id inside a provider ARN, when it has one. */
export function accountOf(providerArn: string | undefined): string | undefined {
  if (providerArn === undefined) return undefined;
  const parsed = parseArn(providerArn);
  return parsed !== undefined && /^\d{12}$/.test(parsed.account) ? parsed.account : undefined;
}

/** Files of `create-iam-roles` (and the roles half of `create-all`). */
export function iamRolesLayout(input: IamRolesLayoutInput): IamRolesLayout {
  const entries = input.requests.map((request) => ({
    request,
    role: roleName(
      input.name,
      request.secretRef.namespace,
      request.secretRef.name,
      input.roleNameMode ?? 'hash',
    ),
    source: `${request.source.file} document ${request.source.document}`,
  }));
  assertUniqueRoleNames(entries);
  const hostPath = input.issuerHostPath ?? PLACEHOLDER_ISSUER;
  const account = accountOf(input.providerArn);
  const federated =
    input.providerArn ??
    (input.issuerHostPath === undefined
      ? PLACEHOLDER_PROVIDER_ARN
      : oidcProviderArn(input.partition, PLACEHOLDER_ACCOUNT_ID, input.issuerHostPath));
  const tags = ownershipTags(input.name);
  const roles: RolePlan[] = [];
  const files: OutputFile[] = [];
  entries.forEach(({ request, role }, index) => {
    const trust = renderPolicy(trustPolicyForRequest(request, federated, hostPath));
    const policy = renderPolicy(permissionsPolicy(request));
    const arnValue =
      input.roleArns?.get(role.name) ??
      (account === undefined ? undefined : roleArn(input.partition, account, role.name));
    const plan: RolePlan = {
      request,
      role,
      roleArn: arnValue,
      trustPolicy: trust,
      permissionsPolicy: policy,
      description: roleDescription(request),
    };
    roles.push(plan);
    if (input.dryRun) {
      files.push(
        {
          path: roleRequestFileName(index, role.full),
          content: roleRequestFile({
            roleName: role.name,
            description: plan.description,
            trustPolicy: trust,
            permissionsBoundary: input.permissionsBoundaryArn,
            tags,
          }),
          mode: MODE_PUBLIC,
        },
        {
          path: policyRequestFileName(index, role.full),
          content: policyRequestFile({ roleName: role.name, policy }),
          mode: MODE_PUBLIC,
        },
      );
    }
    files.push({
      path: secretManifestPath(request.secretRef.namespace, request.secretRef.name),
      content: secretManifest({
        namespace: request.secretRef.namespace,
        name: request.secretRef.name,
        roleArn: arnValue ?? '',
        dryRun: arnValue === undefined,
      }),
      mode: MODE_PRIVATE,
    });
  });
  assertRequestOutputPaths(files, entries);
  return { roles, files };
}

/**
 * Names from a CredentialsRequest that Kubernetes accepts can still make a file name too long
 * (a 253-character Secret name gives a 334-byte `manifests/<ns>-<name>-credentials.yaml`): such
 * a request is refused, naming its file, document and the field that makes the name.
 */
function assertRequestOutputPaths(
  files: readonly OutputFile[],
  entries: readonly { readonly request: CredentialsRequest; readonly role: RoleName }[],
): void {
  const errors: StsctlError[] = [];
  entries.forEach(({ request, role }, index) => {
    const paths = [
      secretManifestPath(request.secretRef.namespace, request.secretRef.name),
      roleRequestFileName(index, role.full),
      policyRequestFileName(index, role.full),
    ].filter((p) => files.some((f) => f.path === p));
    for (const path of paths) {
      const problem = outputPathProblem(path);
      if (problem === undefined) continue;
      errors.push(
        new StsctlError(
          'OUTPUT_PATH_INVALID',
          `cannot name the output file ${terminalSafe(path)}: ${problem}`,
          {
            file: request.source.file,
            document: request.source.document,
            path: `${request.source.item === undefined ? '' : `items[${request.source.item}].`}spec.secretRef.name`,
            hint: 'use shorter names in secretRef (or a shorter --name for dry-run request files)',
          },
        ),
      );
    }
  });
  if (errors.length === 1 && errors[0] !== undefined) throw errors[0];
  if (errors.length > 1) throw new StsctlAggregateError('OUTPUT_PATH_INVALID', errors);
}

/** Fails when two files would land on one path (e.g. two requests naming the same Secret). */
export function assertDistinctPaths(files: readonly OutputFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path))
      throw new StsctlError('OUTPUT_PATH_CLASH', `two outputs would be written to ${f.path}`);
    seen.add(f.path);
  }
}

/** `hostPath` of an issuer, or undefined for ccoctl's placeholder. */
export function knownIssuerHostPath(layout: IdentityProviderLayout): string | undefined {
  return layout.issuerKnown ? issuerHostPath(layout.issuer) : undefined;
}
