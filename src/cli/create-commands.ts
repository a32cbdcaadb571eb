import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { CreateResult } from '../commands/create.js';
import type { Reporter } from '../core/reporter.js';
import type { Hosting } from '../core/output-layout.js';
import type { RoleNameMode } from '../core/names.js';
import { CliExit, SCHEMA_VERSION, type CliIo } from './io.js';
import type { ProvisionOptions, ProvisionScope } from '../commands/provision.js';
import type { TraceRecorder } from '../aws/trace.js';
import { StsctlError } from '../core/errors.js';
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The modules behind the commands, loaded when a command runs: defining the commands (and so
 * `--help`) loads no AWS SDK module.
 */
const load = {
  create: () => import('../commands/create.js'),
  provision: () => import('../commands/provision.js'),
  delete: () => import('../commands/delete.js'),
  trace: () => import('../aws/trace.js'),
  confirm: () => import('./confirm.js'),
  render: () => import('./provision-render.js'),
  export: () => import('../aws/export/index.js'),
  fs: () => import('node:fs/promises'),
};

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
  hosting:
    'Where the issuer is served: a public S3 bucket, a private bucket behind CloudFront, a private bucket behind a Lambda function URL (lambda), or your own server (self, with --issuer-url)',
  sharedIssuer:
    'With --hosting cloudfront: join the fleet issuer <fleet> (one bucket <fleet>-oidc and one distribution for many clusters); the issuer is https://<domain>/<name>',
  issuerUrl:
    'With --hosting self: the issuer URL your server serves (https, no port); the documents are written to <output-dir>/issuer',
  roleNameMode:
    'How role names over 64 characters are shortened: "hash" keeps them unique (default); "ccoctl" cuts at 64 like ccoctl, to adopt roles it created (collisions are refused)',
  output: 'Result format on stdout',
};

function outputOption(): Option {
  return new Option('--output <format>', HELP.output).choices(['text', 'json']).default('text');
}

function hostingFrom(opts: {
  hosting?: string;
  createPrivateS3Bucket?: boolean;
}): Hosting | 'self' | 'lambda' {
  if (opts.createPrivateS3Bucket === true && (opts.hosting === 'self' || opts.hosting === 'lambda')) {
    throw new StsctlError(
      'INVALID_HOSTING',
      `--create-private-s3-bucket asks for CloudFront hosting; it does not go with --hosting ${opts.hosting}`,
      { path: '--create-private-s3-bucket' },
    );
  }
  if (opts.createPrivateS3Bucket === true) return 'cloudfront';
  return opts.hosting === 'cloudfront' || opts.hosting === 'self' || opts.hosting === 'lambda'
    ? opts.hosting
    : 'public';
}

/**
 * The hosting of a `--dry-run`, which writes ccoctl's request files: those describe S3 and
 * CloudFront hosting only (ccoctl.md §2), so a self-hosted issuer is previewed with `stsctl plan`.
 */
function dryRunHosting(hosting: Hosting | 'self' | 'lambda', flags: RealRunFlags): Hosting {
  if (flags.sharedIssuer !== undefined) {
    throw new StsctlError(
      'INVALID_SHARED_ISSUER',
      "--dry-run writes ccoctl's request files, which know no fleet issuer; preview a fleet member with `stsctl plan --hosting cloudfront --shared-issuer …`",
      { path: '--dry-run' },
    );
  }
  if (hosting === 'self' || hosting === 'lambda') {
    throw new StsctlError(
      'INVALID_HOSTING',
      `--dry-run writes ccoctl's S3/CloudFront request files; with --hosting ${hosting} preview the run with \`stsctl plan --hosting ${hosting}${hosting === 'self' ? ' --issuer-url …' : ''}\``,
      { path: '--dry-run' },
    );
  }
  return hosting;
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

const hostingOption = (): Option =>
  new Option('--hosting <kind>', HELP.hosting)
    .choices(['public', 'cloudfront', 'lambda', 'self'])
    .default('public');
const roleNameModeOption = (): Option =>
  new Option('--role-name-mode <mode>', HELP.roleNameMode).choices(['hash', 'ccoctl']).default('hash');

/** The flags of `create-all`, which `plan` shares (all but `--dry-run`). */
function addCreateAllOptions(cmd: Command, withDryRun: boolean): Command {
  cmd
    .requiredOption('--name <name>', HELP.name)
    .requiredOption('--region <region>', HELP.region)
    .requiredOption('--credentials-requests-dir <dir>', HELP.credReqDir)
    .option('--permissions-boundary-arn <arn>', HELP.boundary)
    .option('--output-dir <dir>', HELP.outputDir)
    .option('--enable-tech-preview', HELP.techPreview, false)
    .option('--create-private-s3-bucket', HELP.privateBucket, false)
    .addOption(hostingOption());
  if (withDryRun) cmd.option('--dry-run', HELP.dryRun, false);
  return cmd
    .option('--public-key-file <file>', HELP.publicKeyFile)
    .addOption(roleNameModeOption())
    .addOption(outputOption());
}

/** Flags of real runs (ignored by --dry-run). */
interface RealRunFlags {
  issuerUrl?: string;
  sharedIssuer?: string;
  customDomain?: string;
  acmCertificateArn?: string;
  force?: boolean;
  profile?: string;
  trace?: boolean;
  deployTimeout?: string;
  migrateIssuer?: boolean;
}

function addRealRunOptions(cmd: Command, hosting: boolean): Command {
  if (hosting) {
    cmd
      .option('--issuer-url <url>', HELP.issuerUrl)
      .option('--shared-issuer <fleet>', HELP.sharedIssuer)
      .option(
        '--custom-domain <domain>',
        'Serve the issuer at https://<domain> (CloudFront alias; needs --acm-certificate-arn)',
      )
      .option('--acm-certificate-arn <arn>', 'ACM certificate for --custom-domain (must be in us-east-1)')
      .option('--force', 'Replace a published keys.json holding other keys instead of merging by kid', false)
      .option('--deploy-timeout <seconds>', 'How long to wait for CloudFront to deploy', '1500')
      .option(
        '--migrate-issuer',
        "Allow a run that changes the cluster's published issuer (other hosting, custom domain); the old provider and keys are kept",
        false,
      );
  }
  return cmd
    .option(
      '--profile <name>',
      'AWS profile from the shared config files (default: the standard credential chain)',
    )
    .option('--trace', 'Print every AWS call with its duration, and the critical path', false);
}

async function traceFor(ctx: Context, flags: RealRunFlags): Promise<TraceRecorder | undefined> {
  if (flags.trace !== true) return undefined;
  const { TraceRecorder } = await load.trace();
  return new TraceRecorder((c) => {
    ctx.io.stderr.write(
      `trace: ${c.service}.${c.operation} ${(c.end - c.start).toFixed(0)} ms${c.ok ? '' : ' (failed)'}\n`,
    );
  });
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new StsctlError('INVALID_FLAG', `${flag} must be a positive number of seconds (got "${value}")`);
  return n * 1000;
}

async function realRun(
  ctx: Context,
  command: string,
  scope: ProvisionScope,
  base: Omit<
    ProvisionOptions,
    | 'scope'
    | 'customDomain'
    | 'acmCertificateArn'
    | 'forceKeys'
    | 'profile'
    | 'deployTimeoutMs'
    | 'issuerUrl'
    | 'sharedIssuer'
  >,
  flags: RealRunFlags & { plan?: string },
  output: string,
): Promise<void> {
  const trace = await traceFor(ctx, flags);
  const reviewedPlan = flags.plan === undefined ? undefined : await readReviewedPlan(ctx, flags.plan);
  const { provision } = await load.provision();
  const { renderProvisionJson, renderProvisionText } = await load.render();
  const result = await provision(
    {
      ...base,
      scope,
      issuerUrl: flags.issuerUrl,
      sharedIssuer: flags.sharedIssuer,
      customDomain: flags.customDomain,
      acmCertificateArn: flags.acmCertificateArn,
      forceKeys: flags.force === true,
      profile: flags.profile,
      deployTimeoutMs: seconds(flags.deployTimeout, '--deploy-timeout'),
      migrateIssuer: flags.migrateIssuer === true,
      reviewedPlan,
    },
    ctx.reporter(),
    { ...(trace === undefined ? {} : { trace }), env: ctx.io.env },
  );
  ctx.io.stdout.write(
    output === 'json'
      ? renderProvisionJson(command, result, trace)
      : renderProvisionText(command, result, result.outcome, trace),
  );
}

/** The `--plan` file of create-all, read and checked for shape (its staleness is checked against AWS). */
async function readReviewedPlan(
  ctx: Context,
  file: string,
): Promise<import('../aws/export/index.js').ReviewedPlan> {
  const { readFile } = await load.fs();
  const path = resolve(ctx.io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new StsctlError(
      'INVALID_PLAN_FILE',
      `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        file,
      },
    );
  }
  const { parseReviewedPlan } = await load.export();
  return parseReviewedPlan(text, file);
}

interface CreateAllFlags extends RealRunFlags {
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
  plan?: string;
}

function createAllBase(
  ctx: Context,
  opts: CreateAllFlags,
  outputDir: string,
): Omit<
  ProvisionOptions,
  'scope' | 'customDomain' | 'acmCertificateArn' | 'forceKeys' | 'profile' | 'deployTimeoutMs'
> & { readonly region: string; readonly credentialsRequestsDir: string } {
  return {
    name: opts.name,
    region: opts.region,
    outputDir,
    credentialsRequestsDir: resolve(ctx.io.cwd, opts.credentialsRequestsDir),
    publicKeyFile: opts.publicKeyFile === undefined ? undefined : resolve(ctx.io.cwd, opts.publicKeyFile),
    permissionsBoundaryArn: opts.permissionsBoundaryArn,
    hosting: hostingFrom(opts),
    enableTechPreview: opts.enableTechPreview,
    roleNameMode: opts.roleNameMode as RoleNameMode,
  };
}

/** `stsctl plan` (the flags of create-all) and `stsctl delete`. */
export function addPlanAndDeleteCommands(program: Command, ctx: Context): void {
  const planCmd = addCreateAllOptions(
    program
      .command('plan')
      .summary('Show what create-all would change in AWS (create / update with a field diff / unchanged)'),
    false,
  );
  planCmd.option(
    '--detailed-exitcode',
    'exit 0 when there is nothing to change, 2 when there are changes, 1 on error (for CI)',
    false,
  );
  planCmd.addOption(
    new Option(
      '--export <format>',
      'Print the plan as a shell script of aws CLI commands or a CloudFormation template (manual mode); writes the key pair and manifests to --output-dir as create-all would',
    ).choices(['aws-cli', 'cloudformation']),
  );
  addRealRunOptions(planCmd, true).action(
    async (opts: CreateAllFlags & { detailedExitcode: boolean; export?: 'aws-cli' | 'cloudformation' }) => {
      const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
      const trace = await traceFor(ctx, opts);
      const { previewPlan, exportPlan } = await load.provision();
      const { renderPlanJson, renderPlanText } = await load.render();
      // The same options whether the plan is shown or exported: what is reviewed is what is run.
      const planOptions: ProvisionOptions = {
        ...createAllBase(ctx, { ...opts, dryRun: false }, outputDir),
        scope: 'all',
        issuerUrl: opts.issuerUrl,
        sharedIssuer: opts.sharedIssuer,
        customDomain: opts.customDomain,
        acmCertificateArn: opts.acmCertificateArn,
        forceKeys: opts.force === true,
        profile: opts.profile,
        migrateIssuer: opts.migrateIssuer === true,
      };
      const deps = { ...(trace === undefined ? {} : { trace }), env: ctx.io.env };
      if (opts.export !== undefined) {
        const exported = await exportPlan(planOptions, ctx.reporter(), deps);
        const x = await load.export();
        const options = {
          planHash: x.planHash(JSON.parse(renderPlanJson(exported.plan)) as unknown),
          version: pkg.version,
        };
        ctx.io.stdout.write(
          opts.export === 'aws-cli'
            ? x.renderAwsCliScript(exported.subject, exported.plan, options)
            : x.renderCloudFormation(exported.subject, exported.plan, options),
        );
        ctx.io.stderr.write(
          `plan --export ${opts.export}: wrote ${exported.written.length} files to ${outputDir} as create-all would (key pair, Secrets${exported.subject.issuerKnown ? ', Authentication manifest' : '; the script writes the Authentication manifest once the CloudFront domain is known'}); plan ${options.planHash}\n`,
        );
        if (opts.detailedExitcode && exported.plan.changes.some((c) => c.action !== 'unchanged'))
          throw new CliExit(2);
        return;
      }
      const p = await previewPlan(planOptions, ctx.reporter(), deps);
      ctx.io.stdout.write(opts.output === 'json' ? renderPlanJson(p) : renderPlanText(p));
      if (opts.detailedExitcode && p.changes.some((c) => c.action !== 'unchanged')) throw new CliExit(2);
    },
  );

  const del = program
    .command('delete')
    .summary('Delete credentials objects')
    .description(
      'Delete everything tagged openshift.io/cloud-credential-operator/<name> (objects, bucket, distribution, origin access control, roles, OIDC provider) and the origin access identity ccoctl made for <name>, and nothing else.',
    )
    .requiredOption('--name <name>', HELP.name)
    .requiredOption('--region <region>', 'AWS region where the resources were created')
    .option('--dry-run', 'List what would be deleted; delete nothing', false)
    .option('--yes', 'Do not ask for confirmation', false)
    .option(
      '--shared-issuer <fleet>',
      "The cluster is a member of this fleet issuer: delete its documents, roles and provider, and keep the fleet's hosting",
    )
    .option(
      '--delete-shared-issuer',
      "With --shared-issuer: also delete the fleet's bucket, distribution and origin access control, when no other cluster's documents remain",
      false,
    )
    .option(
      '--deploy-timeout <seconds>',
      'How long to wait for a disabled CloudFront distribution to deploy',
      '1500',
    )
    .addOption(outputOption());
  addRealRunOptions(del, false).action(
    async (
      opts: RealRunFlags & {
        name: string;
        region: string;
        dryRun: boolean;
        yes: boolean;
        output: string;
        deleteSharedIssuer: boolean;
      },
    ) => {
      const base = {
        name: opts.name,
        region: opts.region,
        sharedIssuer: opts.sharedIssuer,
        deleteSharedIssuer: opts.deleteSharedIssuer,
        profile: opts.profile,
        deployTimeoutMs: seconds(opts.deployTimeout, '--deploy-timeout'),
      };
      const { deleteResources } = await load.delete();
      const { renderDeletionJson, renderDeletionText } = await load.render();
      if (!opts.dryRun && !opts.yes) {
        const { confirmOrRefuse } = await load.confirm();
        const preview = await deleteResources({ ...base, dryRun: true }, ctx.reporter(), { env: ctx.io.env });
        if (preview.found.length === 0) {
          ctx.io.stdout.write(renderDeletionText(preview, true, undefined));
          return;
        }
        await confirmOrRefuse(
          ctx.io,
          renderDeletionText(preview, true, undefined),
          `Delete these ${preview.found.length} resources?`,
          'delete',
        );
      }
      const trace = await traceFor(ctx, opts);
      const result = await deleteResources({ ...base, dryRun: opts.dryRun }, ctx.reporter(), {
        ...(trace === undefined ? {} : { trace }),
        env: ctx.io.env,
      });
      ctx.io.stdout.write(
        opts.output === 'json'
          ? renderDeletionJson(result, opts.dryRun, trace)
          : renderDeletionText(result, opts.dryRun, trace),
      );
      if (result.remaining.length > 0) {
        throw new StsctlError(
          'DELETE_INCOMPLETE',
          `${result.remaining.length} resources remain (listed above)`,
          { kind: 'failure' },
        );
      }
    },
  );
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
      const { createKeyPair } = await load.create();
      const result = await createKeyPair({ outputDir }, ctx.reporter());
      ctx.io.stdout.write(render(result, opts.output, 'create-key-pair'));
    });

  const idp = parent
    .command('create-identity-provider')
    .summary('Create IAM identity provider')
    .description('Create the issuer (discovery document and JWKS) and the IAM OIDC identity provider.')
    .requiredOption('--name <name>', HELP.name)
    .requiredOption('--region <region>', HELP.region)
    .option('--public-key-file <file>', HELP.publicKeyFile)
    .option('--dry-run', HELP.dryRun, false)
    .option('--output-dir <dir>', HELP.outputDir)
    .option('--create-private-s3-bucket', HELP.privateBucket, false)
    .addOption(hostingOption())
    .addOption(outputOption());
  addRealRunOptions(idp, true).action(
    async (
      opts: RealRunFlags & {
        name: string;
        region: string;
        publicKeyFile?: string;
        dryRun: boolean;
        outputDir?: string;
        createPrivateS3Bucket: boolean;
        hosting: string;
        output: string;
      },
    ) => {
      const base = {
        name: opts.name,
        region: opts.region,
        outputDir: resolve(ctx.io.cwd, opts.outputDir ?? ''),
        publicKeyFile: opts.publicKeyFile === undefined ? undefined : resolve(ctx.io.cwd, opts.publicKeyFile),
        hosting: hostingFrom(opts),
      };
      if (!opts.dryRun) {
        const real = { ...base, enableTechPreview: false, roleNameMode: 'hash' as const };
        await realRun(ctx, 'create-identity-provider', 'identity-provider', real, opts, opts.output);
        return;
      }
      const { createIdentityProvider } = await load.create();
      const result = await createIdentityProvider(
        { ...base, hosting: dryRunHosting(base.hosting, opts), dryRun: true },
        ctx.reporter(),
      );
      ctx.io.stdout.write(render(result, opts.output, 'create-identity-provider'));
    },
  );

  const roles = parent
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
    .addOption(roleNameModeOption())
    .addOption(outputOption());
  addRealRunOptions(roles, false).action(
    async (
      opts: RealRunFlags & {
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
      },
    ) => {
      const base = {
        name: opts.name,
        region: opts.region,
        outputDir: resolve(ctx.io.cwd, opts.outputDir ?? ''),
        credentialsRequestsDir: resolve(ctx.io.cwd, opts.credentialsRequestsDir),
        identityProviderArn: opts.identityProviderArn,
        permissionsBoundaryArn: opts.permissionsBoundaryArn,
        enableTechPreview: opts.enableTechPreview,
        roleNameMode: opts.roleNameMode as RoleNameMode,
      };
      if (!opts.dryRun) {
        const real = { ...base, hosting: 'public' as const };
        await realRun(ctx, 'create-iam-roles', 'iam-roles', real, opts, opts.output);
        return;
      }
      const { createIamRoles } = await load.create();
      const result = await createIamRoles({ ...base, dryRun: true }, ctx.reporter());
      ctx.io.stdout.write(render(result, opts.output, 'create-iam-roles'));
    },
  );

  const all = addCreateAllOptions(
    parent
      .command('create-all')
      .summary('Create all the required credentials objects')
      .description(
        'Key pair, issuer, IAM OIDC provider, one role per CredentialsRequest, and the cluster manifests.',
      ),
    true,
  );
  all.option(
    '--plan <file>',
    'Apply exactly this reviewed plan (stsctl plan --output json, same flags); refused, changing nothing, if the account changed since',
  );
  addRealRunOptions(all, true).action(async (opts: CreateAllFlags) => {
    const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
    if (opts.plan !== undefined && opts.dryRun)
      throw new StsctlError(
        'INVALID_FLAG',
        '--plan applies a reviewed plan; it cannot be combined with --dry-run',
      );
    if (!opts.dryRun) {
      await realRun(ctx, 'create-all', 'all', createAllBase(ctx, opts, outputDir), opts, opts.output);
      return;
    }
    const { createAll } = await load.create();
    const base = createAllBase(ctx, opts, outputDir);
    const result = await createAll(
      { ...base, hosting: dryRunHosting(base.hosting, opts), dryRun: true },
      ctx.reporter(),
    );
    ctx.io.stdout.write(render(result, opts.output, 'create-all'));
  });
}
