import { join } from 'node:path';
import type { CredentialsRequest, SkippedDocument } from '../core/credentials-requests.js';
import { StsctlError } from '../core/errors.js';
import type { PublicKeyInfo } from '../core/keys.js';
import { PUBLIC_KEY_FILE } from '../core/manifests.js';
import { validateName, type RoleNameMode } from '../core/names.js';
import {
  assertDistinctPaths,
  iamRolesLayout,
  identityProviderLayout,
  knownIssuerHostPath,
  type Hosting,
  type OutputFile,
  type RolePlan,
} from '../core/output-layout.js';
import {
  parseArn,
  partitionById,
  partitionForRegion,
  validateRegion,
  type PartitionId,
} from '../core/partitions.js';
import { readCredentialsRequestsDir } from '../files/credentials-requests-dir.js';
import { writeOutputFiles, type WriteOutcome } from '../files/output-writer.js';
import { loadPublicKey, planKeyPair } from './key-pair.js';
import type { Reporter } from '../core/reporter.js';

/**
 * The ccoctl-compatible create commands, offline (`--dry-run`): validate every input, compute every
 * output file, then write them in one go. Real AWS runs are added by the provisioning layer.
 */

export interface CreateResult {
  readonly outputDir: string;
  readonly issuer?: string;
  readonly kid?: string;
  readonly roles: readonly RolePlan[];
  readonly skipped: readonly SkippedDocument[];
  readonly written: readonly WriteOutcome[];
}

function reportSkipped(skipped: readonly SkippedDocument[], reporter: Reporter): void {
  for (const s of skipped) {
    reporter.emit('credentials-request.skipped', {
      file: s.source.file,
      document: s.source.document,
      item: s.source.item,
      level: s.level,
      message: s.message,
    });
  }
}

function reportFeatureGated(requests: readonly CredentialsRequest[], reporter: Reporter): void {
  for (const r of requests) {
    if (r.featureGates.length > 0) {
      reporter.emit('credentials-request.feature-gated', {
        namespace: r.namespace ?? '',
        name: r.name,
        featureGates: r.featureGates,
      });
    }
  }
}

function logWritten(outputDir: string, written: readonly WriteOutcome[], reporter: Reporter): void {
  for (const w of written)
    reporter.emit('file.written', { action: w.action, path: join(outputDir, w.path), mode: w.mode });
}

export interface CreateKeyPairOptions {
  readonly outputDir: string;
}

/** `create-key-pair`. */
export async function createKeyPair(
  options: CreateKeyPairOptions,
  reporter: Reporter,
): Promise<CreateResult> {
  const plan = await planKeyPair(options.outputDir, reporter);
  const written = await writeOutputFiles(options.outputDir, plan.files);
  logWritten(options.outputDir, written, reporter);
  return { outputDir: options.outputDir, kid: plan.publicKey.kid, roles: [], skipped: [], written };
}

export interface IdentityProviderOptions {
  readonly name: string;
  readonly region: string;
  readonly outputDir: string;
  readonly publicKeyFile?: string | undefined;
  readonly hosting: Hosting;
  readonly dryRun: boolean;
}

function dryRunOnly(command: string, dryRun: boolean): void {
  if (!dryRun) {
    throw new StsctlError(
      'REAL_RUN_UNAVAILABLE',
      `${command} here writes dry-run files only; real runs go through provision() (src/commands/provision.ts)`,
    );
  }
}

function identityProviderFiles(
  options: IdentityProviderOptions,
  publicKey: PublicKeyInfo,
  reporter: Reporter,
): { files: OutputFile[]; issuer: string; issuerHostPath: string | undefined } {
  const layout = identityProviderLayout({
    name: options.name,
    region: options.region,
    publicKeys: [publicKey],
    hosting: options.hosting,
    dryRun: options.dryRun,
  });
  for (const f of layout.files)
    reporter.emit('file.saving', { file: f.path, path: join(options.outputDir, f.path) });
  return { files: [...layout.files], issuer: layout.issuer, issuerHostPath: knownIssuerHostPath(layout) };
}

/** `create-identity-provider`. */
export async function createIdentityProvider(
  options: IdentityProviderOptions,
  reporter: Reporter,
): Promise<CreateResult> {
  validateName(options.name);
  validateRegion(options.region);
  dryRunOnly('create-identity-provider', options.dryRun);
  const keyPath = options.publicKeyFile ?? join(options.outputDir, PUBLIC_KEY_FILE);
  const publicKey = await loadPublicKey(keyPath, options.publicKeyFile === undefined);
  const { files, issuer } = identityProviderFiles(options, publicKey, reporter);
  assertDistinctPaths(files);
  const written = await writeOutputFiles(options.outputDir, files, { dryRun: options.dryRun });
  logWritten(options.outputDir, written, reporter);
  reporter.emit('issuer.url', { issuer });
  return { outputDir: options.outputDir, issuer, kid: publicKey.kid, roles: [], skipped: [], written };
}

export interface IamRolesOptions {
  readonly name: string;
  readonly credentialsRequestsDir: string;
  readonly identityProviderArn: string;
  readonly permissionsBoundaryArn?: string | undefined;
  readonly region?: string | undefined;
  readonly outputDir: string;
  readonly enableTechPreview: boolean;
  readonly roleNameMode: RoleNameMode;
  readonly dryRun: boolean;
}

/** Checks `--identity-provider-arn` and returns its partition and issuer host/path. */
export function parseProviderArn(value: string): { partition: PartitionId; issuerHostPath: string } {
  const parsed = parseArn(value);
  const prefix = 'oidc-provider/';
  if (parsed?.service !== 'iam' || !parsed.resource.startsWith(prefix) || !/^\d{12}$/.test(parsed.account)) {
    throw new StsctlError(
      'INVALID_PROVIDER_ARN',
      `--identity-provider-arn "${value}" is not an IAM OIDC provider ARN (arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>)`,
    );
  }
  const partition = partitionById(parsed.partition);
  if (partition === undefined) {
    throw new StsctlError(
      'INVALID_PROVIDER_ARN',
      `--identity-provider-arn names an unknown partition "${parsed.partition}"`,
    );
  }
  return { partition: partition.id, issuerHostPath: parsed.resource.slice(prefix.length) };
}

function validateBoundary(value: string | undefined): void {
  if (value === undefined || value === '') return;
  const parsed = parseArn(value);
  if (parsed?.service !== 'iam' || !parsed.resource.startsWith('policy/')) {
    throw new StsctlError(
      'INVALID_BOUNDARY_ARN',
      `--permissions-boundary-arn "${value}" is not an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)`,
    );
  }
}

function roleFilesAndReport(
  layout: ReturnType<typeof iamRolesLayout>,
  outputDir: string,
  reporter: Reporter,
): void {
  for (const r of layout.roles) {
    if (r.role.shortened) {
      reporter.emit('role.name-shortened', { full: r.role.full, roleName: r.role.name });
    }
  }
  for (const f of layout.files) reporter.emit('file.saving', { file: f.path, path: join(outputDir, f.path) });
}

/** `create-iam-roles`. */
export async function createIamRoles(options: IamRolesOptions, reporter: Reporter): Promise<CreateResult> {
  validateName(options.name);
  if (options.region !== undefined && options.region !== '') validateRegion(options.region);
  const provider = parseProviderArn(options.identityProviderArn);
  validateBoundary(options.permissionsBoundaryArn);
  dryRunOnly('create-iam-roles', options.dryRun);
  const read = await readCredentialsRequestsDir(options.credentialsRequestsDir, {
    enableTechPreview: options.enableTechPreview,
  });
  reportSkipped(read.skipped, reporter);
  reportFeatureGated(read.requests, reporter);
  const layout = iamRolesLayout({
    name: options.name,
    requests: read.requests,
    providerArn: options.identityProviderArn,
    issuerHostPath: provider.issuerHostPath,
    partition: provider.partition,
    permissionsBoundaryArn: options.permissionsBoundaryArn,
    roleNameMode: options.roleNameMode,
    dryRun: options.dryRun,
  });
  assertDistinctPaths(layout.files);
  roleFilesAndReport(layout, options.outputDir, reporter);
  const written = await writeOutputFiles(options.outputDir, layout.files, { dryRun: options.dryRun });
  logWritten(options.outputDir, written, reporter);
  return { outputDir: options.outputDir, roles: layout.roles, skipped: read.skipped, written };
}

export interface CreateAllOptions {
  readonly name: string;
  readonly region: string;
  readonly credentialsRequestsDir: string;
  readonly outputDir: string;
  readonly publicKeyFile?: string | undefined;
  readonly permissionsBoundaryArn?: string | undefined;
  readonly hosting: Hosting;
  readonly enableTechPreview: boolean;
  readonly roleNameMode: RoleNameMode;
  readonly dryRun: boolean;
}

/**
 * `create-all`: key pair (unless `--public-key-file`), identity provider files, role files and
 * Secrets. Every input is read and validated before the first file is written.
 */
export async function createAll(options: CreateAllOptions, reporter: Reporter): Promise<CreateResult> {
  validateName(options.name);
  validateRegion(options.region);
  validateBoundary(options.permissionsBoundaryArn);
  dryRunOnly('create-all', options.dryRun);
  const read = await readCredentialsRequestsDir(options.credentialsRequestsDir, {
    enableTechPreview: options.enableTechPreview,
  });
  const files: OutputFile[] = [];
  let publicKey: PublicKeyInfo;
  if (options.publicKeyFile === undefined) {
    const plan = await planKeyPair(options.outputDir, reporter);
    files.push(...plan.files);
    publicKey = plan.publicKey;
  } else {
    publicKey = await loadPublicKey(options.publicKeyFile, false);
  }
  reportSkipped(read.skipped, reporter);
  reportFeatureGated(read.requests, reporter);
  const idp = identityProviderFiles(options, publicKey, reporter);
  files.push(...idp.files);
  // In a dry run the provider does not exist yet: its ARN is known but for the account id
  // (public hosting), or not at all (CloudFront: the issuer is the distribution's domain).
  const layout = iamRolesLayout({
    name: options.name,
    requests: read.requests,
    providerArn: undefined,
    issuerHostPath: idp.issuerHostPath,
    partition: partitionForRegion(options.region).id,
    permissionsBoundaryArn: options.permissionsBoundaryArn,
    roleNameMode: options.roleNameMode,
    dryRun: options.dryRun,
  });
  roleFilesAndReport(layout, options.outputDir, reporter);
  files.push(...layout.files);
  assertDistinctPaths(files);
  const written = await writeOutputFiles(options.outputDir, files, { dryRun: options.dryRun });
  logWritten(options.outputDir, written, reporter);
  reporter.emit('issuer.url', { issuer: idp.issuer });
  return {
    outputDir: options.outputDir,
    issuer: idp.issuer,
    kid: publicKey.kid,
    roles: layout.roles,
    skipped: read.skipped,
    written,
  };
}
