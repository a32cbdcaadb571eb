import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import {
  createAll,
  createIamRoles,
  createIdentityProvider,
  createKeyPair,
  type CreateResult,
} from '../commands/create.js';
import type { Reporter } from '../commands/reporter.js';
import type { Hosting } from '../core/output-layout.js';
import type { RoleNameMode } from '../core/names.js';
import { SCHEMA_VERSION, type CliIo } from './io.js';

/**
 * ccoctl's create commands with its flags and help texts (ccoctl.md §1), plus stsctl's additions
 * (`--hosting`, `--role-name-mode`, `--output`).
 */

interface Context {
  readonly io: CliIo;
  reporter(): Reporter;
}

const HELP = {
  outputDir: 'Directory to place generated files (defaults to current directory)',
  name: "User-defined name for all created AWS resources (can be separate from the cluster's infra-id)",
  region: 'AWS region where the S3 OpenID Connect endpoint will be created',
  publicKeyFile: 'Path to public ServiceAccount signing key',
  dryRun: 'Skip creating objects, and just save what would have been created into files',
  privateBucket:
    'Create private S3 bucket with public CloudFront OIDC endpoint (same as --hosting cloudfront)',
  credReqDir:
    "Directory containing files of CredentialsRequests to create IAM Roles for (can be created by running 'oc adm release extract --credentials-requests --cloud=aws' against an OpenShift release image)",
  providerArn:
    "ARN of IAM Identity provider for IAM Role trust relationship (can be created with the 'create identity-provider' sub-command)",
  boundary: 'ARN of IAM policy to use as the permissions boundary for created roles',
  techPreview: 'Opt into processing CredentialsRequests marked as tech-preview',
  hosting: 'Where the issuer is served: a public S3 bucket, or a private bucket behind CloudFront',
  roleNameMode:
    'How role names over 64 characters are shortened: "hash" keeps them unique (default); "ccoctl" cuts at 64 like ccoctl, to adopt roles it created (collisions are refused)',
  output: 'Result format on stdout',
};

function outputOption(): Option {
  return new Option('--output <format>', HELP.output).choices(['text', 'json']).default('text');
}

function hostingFrom(opts: { hosting?: string; createPrivateS3Bucket?: boolean }): Hosting {
  if (opts.createPrivateS3Bucket === true) return 'cloudfront';
  return opts.hosting === 'cloudfront' ? 'cloudfront' : 'public';
}

const SKIP_LABELS: Record<string, string> = {
  'not-aws': 'for another cloud provider',
  'not-a-credentials-request': 'not a CredentialsRequest',
  'marked-for-deletion': 'marked for in-cluster deletion',
  'tech-preview': 'tech-preview (see --enable-tech-preview)',
  'feature-set': 'for another feature set',
};

function render(result: CreateResult, format: string, command: string): string {
  if (format === 'json') {
    return `${JSON.stringify(
      {
        schemaVersion: SCHEMA_VERSION,
        command,
        outputDir: result.outputDir,
        issuer: result.issuer ?? null,
        kid: result.kid ?? null,
        roles: result.roles.map((r) => ({
          roleName: r.role.name,
          fullName: r.role.full,
          shortened: r.role.shortened,
          roleArn: r.roleArn ?? null,
          credentialsRequest: {
            name: r.request.name,
            namespace: r.request.namespace ?? null,
            file: r.request.source.file,
            document: r.request.source.document,
          },
          secret: r.request.secretRef,
          serviceAccounts: r.request.serviceAccountNames,
          featureGates: r.request.featureGates,
        })),
        skipped: result.skipped.map((s) => ({
          file: s.source.file,
          document: s.source.document,
          reason: s.reason,
          message: s.message,
        })),
        files: result.written.map((w) => ({
          path: w.path,
          action: w.action,
          mode: `0${w.mode.toString(8)}`,
        })),
      },
      null,
      2,
    )}\n`;
  }
  const lines: string[] = [];
  const counts = { created: 0, updated: 0, unchanged: 0 };
  for (const w of result.written) counts[w.action] += 1;
  lines.push(
    `Wrote ${result.written.length} files to ${result.outputDir} (${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged)`,
  );
  if (result.issuer !== undefined) lines.push(`Issuer: ${result.issuer}`);
  if (result.kid !== undefined) lines.push(`Signing key kid: ${result.kid}`);
  if (result.roles.length > 0) {
    lines.push(`Roles (${result.roles.length}):`);
    for (const r of result.roles) {
      const sas = r.request.serviceAccountNames.join(', ');
      const gated =
        r.request.featureGates.length > 0 ? ` [feature-gated: ${r.request.featureGates.join(', ')}]` : '';
      lines.push(
        `  ${r.role.name}  ${r.request.secretRef.namespace}/${r.request.secretRef.name}  (${sas})${gated}`,
      );
    }
  }
  const notable = result.skipped.filter((s) => s.level !== 'debug');
  if (notable.length > 0) {
    const byReason = new Map<string, number>();
    for (const s of notable) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
    const parts = [...byReason].map(([reason, n]) => `${n} ${SKIP_LABELS[reason] ?? reason}`);
    lines.push(
      `Skipped ${notable.length} document${notable.length === 1 ? '' : 's'}: ${parts.join(', ')}; details on stderr`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function addCreateCommands(parent: Command, ctx: Context): void {
  parent
    .command('create-key-pair')
    .summary('Create a key pair')
    .description('Create the RSA 4096 key pair that signs service-account tokens (reuses an existing one).')
    .option('--output-dir <dir>', HELP.outputDir)
    .addOption(outputOption())
    .action(async (opts: { outputDir?: string; output: string }) => {
      const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
      const result = await createKeyPair({ outputDir }, ctx.reporter());
      ctx.io.stdout.write(render(result, opts.output, 'create-key-pair'));
    });

  parent
    .command('create-identity-provider')
    .summary('Create IAM identity provider')
    .description('Create the issuer (discovery document and JWKS) and the IAM OIDC identity provider.')
    .requiredOption('--name <name>', HELP.name)
    .requiredOption('--region <region>', HELP.region)
    .option('--public-key-file <file>', HELP.publicKeyFile)
    .option('--dry-run', HELP.dryRun, false)
    .option('--output-dir <dir>', HELP.outputDir)
    .option('--create-private-s3-bucket', HELP.privateBucket, false)
    .addOption(
      new Option('--hosting <kind>', HELP.hosting).choices(['public', 'cloudfront']).default('public'),
    )
    .addOption(outputOption())
    .action(
      async (opts: {
        name: string;
        region: string;
        publicKeyFile?: string;
        dryRun: boolean;
        outputDir?: string;
        createPrivateS3Bucket: boolean;
        hosting: string;
        output: string;
      }) => {
        const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
        const result = await createIdentityProvider(
          {
            name: opts.name,
            region: opts.region,
            outputDir,
            publicKeyFile:
              opts.publicKeyFile === undefined ? undefined : resolve(ctx.io.cwd, opts.publicKeyFile),
            hosting: hostingFrom(opts),
            dryRun: opts.dryRun,
          },
          ctx.reporter(),
        );
        ctx.io.stdout.write(render(result, opts.output, 'create-identity-provider'));
      },
    );

  parent
    .command('create-iam-roles')
    .summary('Create IAM roles')
    .description(
      'Create one IAM role per AWS CredentialsRequest, trusting only its service accounts, and its Secret.',
    )
    .requiredOption('--name <name>', HELP.name)
    .requiredOption('--credentials-requests-dir <dir>', HELP.credReqDir)
    .requiredOption('--identity-provider-arn <arn>', HELP.providerArn)
    .option('--permissions-boundary-arn <arn>', HELP.boundary)
    .option('--region <region>', 'AWS region endpoint only required for GovCloud')
    .option('--dry-run', HELP.dryRun, false)
    .option('--output-dir <dir>', HELP.outputDir)
    .option('--enable-tech-preview', HELP.techPreview, false)
    .addOption(
      new Option('--role-name-mode <mode>', HELP.roleNameMode).choices(['hash', 'ccoctl']).default('hash'),
    )
    .addOption(outputOption())
    .action(
      async (opts: {
        name: string;
        credentialsRequestsDir: string;
        identityProviderArn: string;
        permissionsBoundaryArn?: string;
        region?: string;
        dryRun: boolean;
        outputDir?: string;
        enableTechPreview: boolean;
        roleNameMode: string;
        output: string;
      }) => {
        const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
        const result = await createIamRoles(
          {
            name: opts.name,
            credentialsRequestsDir: resolve(ctx.io.cwd, opts.credentialsRequestsDir),
            identityProviderArn: opts.identityProviderArn,
            permissionsBoundaryArn: opts.permissionsBoundaryArn,
            region: opts.region,
            outputDir,
            enableTechPreview: opts.enableTechPreview,
            roleNameMode: opts.roleNameMode as RoleNameMode,
            dryRun: opts.dryRun,
          },
          ctx.reporter(),
        );
        ctx.io.stdout.write(render(result, opts.output, 'create-iam-roles'));
      },
    );

  parent
    .command('create-all')
    .summary('Create all the required credentials objects')
    .description(
      'Key pair, issuer, IAM OIDC provider, one role per CredentialsRequest, and the cluster manifests.',
    )
    .requiredOption('--name <name>', HELP.name)
    .requiredOption('--region <region>', HELP.region)
    .requiredOption('--credentials-requests-dir <dir>', HELP.credReqDir)
    .option('--permissions-boundary-arn <arn>', HELP.boundary)
    .option('--output-dir <dir>', HELP.outputDir)
    .option('--enable-tech-preview', HELP.techPreview, false)
    .option('--create-private-s3-bucket', HELP.privateBucket, false)
    .addOption(
      new Option('--hosting <kind>', HELP.hosting).choices(['public', 'cloudfront']).default('public'),
    )
    .option('--dry-run', HELP.dryRun, false)
    .option('--public-key-file <file>', HELP.publicKeyFile)
    .addOption(
      new Option('--role-name-mode <mode>', HELP.roleNameMode).choices(['hash', 'ccoctl']).default('hash'),
    )
    .addOption(outputOption())
    .action(
      async (opts: {
        name: string;
        region: string;
        credentialsRequestsDir: string;
        permissionsBoundaryArn?: string;
        outputDir?: string;
        enableTechPreview: boolean;
        createPrivateS3Bucket: boolean;
        hosting: string;
        dryRun: boolean;
        publicKeyFile?: string;
        roleNameMode: string;
        output: string;
      }) => {
        const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
        const result = await createAll(
          {
            name: opts.name,
            region: opts.region,
            credentialsRequestsDir: resolve(ctx.io.cwd, opts.credentialsRequestsDir),
            outputDir,
            publicKeyFile:
              opts.publicKeyFile === undefined ? undefined : resolve(ctx.io.cwd, opts.publicKeyFile),
            permissionsBoundaryArn: opts.permissionsBoundaryArn,
            hosting: hostingFrom(opts),
            enableTechPreview: opts.enableTechPreview,
            roleNameMode: opts.roleNameMode as RoleNameMode,
            dryRun: opts.dryRun,
          },
          ctx.reporter(),
        );
        ctx.io.stdout.write(render(result, opts.output, 'create-all'));
      },
    );
}
