import { join } from 'node:path';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { checkCustomDomainCertificate } from '../aws/certificate.js';
import { attachTrace, type TraceRecorder } from '../aws/trace.js';
import { apply, type ApplyResult } from '../aws/apply.js';
import { loadIssuerFunctionPackage, type FunctionPackage } from '../aws/issuer-function.js';
import type { Desired, DesiredRole, HostingSpec } from '../aws/model.js';
import { observe, type ObserveTarget } from '../aws/observe.js';
import { plan, type Plan } from '../aws/plan.js';
import { withObservedDigests } from '../aws/export/digest.js';
import { checkReviewedPlan, type ReviewedPlan } from '../aws/export/reviewed-plan.js';
import { exportSubject, type ExportSubject } from '../aws/export/subject.js';
import type { Observed } from '../aws/model.js';
import type { CredentialsRequest, SkippedDocument } from '../core/credentials-requests.js';
import { StsctlError } from '../core/errors.js';
import {
  ownershipTags,
  permissionsPolicy,
  renderPolicy,
  roleDescription,
  trustPolicyForRequest,
} from '../core/iam-documents.js';
import { issuerHostPath, publicS3IssuerUrl, validateIssuerUrl } from '../core/issuer.js';
import { buildJwks } from '../core/jwks.js';
import type { PublicKeyInfo } from '../core/keys.js';
import {
  PUBLIC_KEY_FILE,
  PRIVATE_KEY_FILE,
  SIGNING_KEY_TLS_PATH,
  authenticationManifest,
  AUTHENTICATION_MANIFEST_PATH,
} from '../core/manifests.js';
import { bucketName, validateName, type RoleNameMode } from '../core/names.js';
import { iamRolesLayout, MODE_PRIVATE, type OutputFile, type RolePlan } from '../core/output-layout.js';
import { parseArn, partitionForRegion, validateRegion } from '../core/partitions.js';
import { readCredentialsRequestsDir } from '../files/credentials-requests-dir.js';
import { preflightOutputDirectory, writeOutputFiles, type WriteOutcome } from '../files/output-writer.js';
import { issuerFetcherFromEnvironment, liveThumbprints } from '../net/environment.js';
import type { IssuerView } from '../webidentity/types.js';
import { parseProviderArn } from './create.js';
import { loadPublicKey, planKeyPair } from './key-pair.js';
import {
  SELF_HOSTED_DOCUMENTS_DIR,
  directoryDocuments,
  reportSelfHostedThumbprints,
  selfHostedThumbprints,
} from './self-hosting.js';
import type { Reporter } from '../core/reporter.js';

/**
 * Real runs of the create commands and `plan`: validate everything, write the key pair first (a
 * published key whose private half was lost would be worse than no run), then observe → plan →
 * apply against AWS, then write the manifests with the real issuer and role ARNs.
 */

export type ProvisionScope = 'all' | 'identity-provider' | 'iam-roles';

export interface ProvisionOptions {
  readonly scope: ProvisionScope;
  readonly name: string;
  /** Required except for create-iam-roles (where it defaults to the provider's partition's main region). */
  readonly region?: string | undefined;
  readonly outputDir: string;
  readonly credentialsRequestsDir?: string | undefined;
  readonly publicKeyFile?: string | undefined;
  readonly identityProviderArn?: string | undefined;
  readonly permissionsBoundaryArn?: string | undefined;
  /** Where the issuer is served; `self` needs {@link ProvisionOptions.issuerUrl}. */
  readonly hosting: 'public' | 'cloudfront' | 'self' | 'lambda';
  /** `--issuer-url`: the operator's own issuer URL (`--hosting self` only). */
  readonly issuerUrl?: string | undefined;
  readonly customDomain?: string | undefined;
  readonly acmCertificateArn?: string | undefined;
  /**
   * `--shared-issuer <fleet>` (`--hosting cloudfront` only): the cluster joins the fleet's issuer,
   * one bucket and distribution for every cluster of the fleet (src/aws/plan/fleet.ts).
   */
  readonly sharedIssuer?: string | undefined;
  readonly enableTechPreview: boolean;
  readonly roleNameMode: RoleNameMode;
  /** Replace a published keys.json that holds other keys (default: merge by kid). */
  readonly forceKeys: boolean;
  readonly profile?: string | undefined;
  readonly deployTimeoutMs?: number | undefined;
  /** Allow the run to change the cluster's published issuer (`--migrate-issuer`); default false. */
  readonly migrateIssuer?: boolean | undefined;
  /**
   * `create-all --plan`: the reviewed plan to apply; the run refuses it (exit 2, nothing changed)
   * when the account or the flags no longer match it.
   */
  readonly reviewedPlan?: ReviewedPlan | undefined;
}

export interface ProvisionDeps {
  readonly clients?: AwsClients;
  /** Records every AWS call (`--trace`). */
  readonly trace?: TraceRecorder;
  readonly fetcher?: IssuerView;
  readonly env?: NodeJS.ProcessEnv;
}

interface Prepared {
  readonly region: string;
  readonly desired: Desired;
  readonly target: ObserveTarget;
  readonly requests: readonly CredentialsRequest[];
  readonly rolePlans: readonly RolePlan[];
  readonly skipped: readonly SkippedDocument[];
  readonly keyFiles: readonly OutputFile[];
  readonly publicKey: PublicKeyInfo | undefined;
}

const DNS_NAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function hostingSpec(
  o: ProvisionOptions,
  region: string,
  lambdaCode: FunctionPackage | undefined,
): HostingSpec {
  if (o.issuerUrl !== undefined && o.hosting !== 'self') {
    throw new StsctlError(
      'INVALID_HOSTING',
      '--issuer-url is only used with --hosting self (the other hostings derive the issuer from the bucket or the distribution)',
      { path: '--issuer-url' },
    );
  }
  if (o.sharedIssuer !== undefined) checkSharedIssuer(o);
  if (o.hosting === 'self') return selfHostingSpec(o);
  if (o.acmCertificateArn !== undefined && o.customDomain === undefined) {
    throw new StsctlError(
      'INVALID_CERTIFICATE',
      '--acm-certificate-arn is only used with --custom-domain (the certificate CloudFront serves for it)',
    );
  }
  if (o.customDomain !== undefined && o.hosting !== 'cloudfront') {
    throw new StsctlError(
      'INVALID_HOSTING',
      '--custom-domain needs --hosting cloudfront (the domain is an alias of the distribution)',
    );
  }
  if (o.hosting === 'public') return { kind: 'public' };
  if (o.hosting === 'lambda' && lambdaCode !== undefined) return { kind: 'lambda', code: lambdaCode };
  const partition = partitionForRegion(region);
  if (!partition.hasCloudFront) {
    throw new StsctlError(
      'HOSTING_UNAVAILABLE',
      `CloudFront hosting is not available in the ${partition.id} partition (region ${region}); use --hosting public there`,
    );
  }
  if (o.customDomain !== undefined) {
    if (!DNS_NAME_RE.test(o.customDomain)) {
      throw new StsctlError(
        'INVALID_CUSTOM_DOMAIN',
        `--custom-domain "${o.customDomain}" is not a lowercase DNS name`,
      );
    }
    const cert = o.acmCertificateArn === undefined ? undefined : parseArn(o.acmCertificateArn);
    if (cert?.service !== 'acm' || !cert.resource.startsWith('certificate/')) {
      throw new StsctlError(
        'INVALID_CERTIFICATE',
        '--custom-domain needs --acm-certificate-arn (arn:aws:acm:us-east-1:<account>:certificate/<id>)',
      );
    }
    if (cert.region !== 'us-east-1') {
      throw new StsctlError(
        'INVALID_CERTIFICATE',
        `--acm-certificate-arn is in ${cert.region}; CloudFront only uses ACM certificates from us-east-1`,
      );
    }
  }
  return {
    kind: 'cloudfront',
    customDomain: o.customDomain,
    acmCertificateArn: o.acmCertificateArn,
    ...(o.sharedIssuer === undefined ? {} : { sharedIssuer: o.sharedIssuer }),
  };
}

/**
 * `--shared-issuer <fleet>`: CloudFront hosting only (the fleet's one distribution serves every
 * cluster's prefix), a fleet name that makes a valid bucket name (`<fleet>-oidc`), and a cluster
 * name other than the fleet's (the fleet's OAC and distribution carry the fleet's name; a cluster
 * of the same name could not be told from them).
 */
function checkSharedIssuer(o: ProvisionOptions): void {
  const fleet = o.sharedIssuer ?? '';
  if (o.hosting !== 'cloudfront') {
    throw new StsctlError(
      'INVALID_HOSTING',
      `--shared-issuer needs --hosting cloudfront (the fleet's one distribution serves every cluster); got --hosting ${o.hosting}`,
      { path: '--shared-issuer' },
    );
  }
  validateName(fleet, '--shared-issuer');
  if (fleet === o.name) {
    throw new StsctlError(
      'INVALID_SHARED_ISSUER',
      `--name "${o.name}" is the fleet's own name; a cluster of a fleet needs a name of its own`,
      { path: '--name' },
    );
  }
}

/** `--hosting self --issuer-url`: the URL checked against AWS's rules; no CloudFront flag applies. */
function selfHostingSpec(o: ProvisionOptions): HostingSpec {
  if (o.customDomain !== undefined || o.acmCertificateArn !== undefined) {
    throw new StsctlError(
      'INVALID_HOSTING',
      '--custom-domain and --acm-certificate-arn are CloudFront settings; with --hosting self the issuer is --issuer-url',
      { path: '--custom-domain' },
    );
  }
  if (o.issuerUrl === undefined || o.issuerUrl === '')
    throw new StsctlError('MISSING_FLAG', '--hosting self needs --issuer-url https://<host>[/<path>]', {
      path: '--issuer-url',
    });
  const issuerUrl = validateIssuerUrl(o.issuerUrl, '--issuer-url');
  return {
    kind: 'self',
    issuerUrl,
    documents: directoryDocuments(join(o.outputDir, SELF_HOSTED_DOCUMENTS_DIR)),
  };
}

async function prepare(
  o: ProvisionOptions,
  reporter: Reporter,
  forPlanOnly: boolean,
  awsFor: (region: string) => AwsClients,
): Promise<Prepared> {
  validateName(o.name);
  let region = o.region;
  let provider: { partition: string; issuerHostPath: string } | undefined;
  if (o.scope === 'iam-roles') {
    if (o.identityProviderArn === undefined)
      throw new StsctlError('MISSING_FLAG', '--identity-provider-arn is required');
    provider = parseProviderArn(o.identityProviderArn);
    region ??=
      provider.partition === 'aws-cn'
        ? 'cn-north-1'
        : provider.partition === 'aws-us-gov'
          ? 'us-gov-west-1'
          : 'us-east-1';
  }
  if (region === undefined || region === '') throw new StsctlError('MISSING_FLAG', '--region is required');
  validateRegion(region);
  if (o.permissionsBoundaryArn !== undefined) {
    const b = parseArn(o.permissionsBoundaryArn);
    if (b?.service !== 'iam' || !b.resource.startsWith('policy/')) {
      throw new StsctlError(
        'INVALID_BOUNDARY_ARN',
        `--permissions-boundary-arn "${o.permissionsBoundaryArn}" is not an IAM policy ARN`,
      );
    }
  }
  // The shipped issuer function, packaged as Lambda takes it (--hosting lambda).
  const hosting = hostingSpec(
    o,
    region,
    o.hosting === 'lambda' ? await loadIssuerFunctionPackage() : undefined,
  );

  let requests: readonly CredentialsRequest[] = [];
  let skipped: readonly SkippedDocument[] = [];
  if (o.scope !== 'identity-provider') {
    if (o.credentialsRequestsDir === undefined)
      throw new StsctlError('MISSING_FLAG', '--credentials-requests-dir is required');
    const read = await readCredentialsRequestsDir(o.credentialsRequestsDir, {
      enableTechPreview: o.enableTechPreview,
    });
    requests = read.requests;
    skipped = read.skipped;
    for (const s of skipped)
      if (s.level === 'warning')
        reporter.emit('credentials-request.skipped', {
          file: s.source.file,
          document: s.source.document,
          item: s.source.item,
          level: s.level,
          message: s.message,
        });
  }
  const layout = iamRolesLayout({
    name: o.name,
    requests,
    providerArn: undefined,
    issuerHostPath: undefined,
    partition: partitionForRegion(region).id,
    permissionsBoundaryArn: o.permissionsBoundaryArn,
    roleNameMode: o.roleNameMode,
    dryRun: false,
  });

  // The output directory is input too: a file where manifests/ must be, a symlink leading outside,
  // an unwritable folder — found now, before any AWS call, not after every resource exists.
  if (!forPlanOnly) {
    await preflightOutputDirectory(o.outputDir, [
      ...(o.scope === 'all' && o.publicKeyFile === undefined
        ? [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, SIGNING_KEY_TLS_PATH].map((path) => ({ path }))
        : []),
      ...(o.scope !== 'iam-roles' ? [{ path: AUTHENTICATION_MANIFEST_PATH }] : []),
      ...layout.files.map((f) => ({ path: f.path })),
    ]);
  }

  // A custom domain's certificate is input too, read from ACM: checked after the flags and files,
  // before the key pair is generated, anything is written or AWS is changed.
  if (
    o.scope !== 'iam-roles' &&
    hosting.kind === 'cloudfront' &&
    hosting.customDomain !== undefined &&
    hosting.acmCertificateArn !== undefined
  ) {
    await checkCustomDomainCertificate(awsFor(region).acm, hosting.acmCertificateArn, hosting.customDomain);
  }

  let keyFiles: OutputFile[] = [];
  let publicKey: PublicKeyInfo | undefined;
  if (o.scope === 'all' && o.publicKeyFile === undefined) {
    if (forPlanOnly) {
      const path = join(o.outputDir, PUBLIC_KEY_FILE);
      publicKey = await loadPublicKey(path, true).catch(() => undefined);
    } else {
      const k = await planKeyPair(o.outputDir, reporter);
      keyFiles = [...k.files];
      publicKey = k.publicKey;
    }
  } else if (o.scope !== 'iam-roles') {
    const path = o.publicKeyFile ?? join(o.outputDir, PUBLIC_KEY_FILE);
    publicKey = await loadPublicKey(path, o.publicKeyFile === undefined);
  }

  const tags = ownershipTags(o.name);
  const roles: DesiredRole[] = layout.roles.map((r) => ({
    name: r.role.name,
    description: roleDescription(r.request),
    trustPolicy: (providerArn, hostPath) =>
      renderPolicy(trustPolicyForRequest(r.request, providerArn, hostPath)),
    inlinePolicy: renderPolicy(permissionsPolicy(r.request)),
    permissionsBoundaryArn: o.permissionsBoundaryArn,
    tags,
    serves: `${r.request.secretRef.namespace}/${r.request.secretRef.name}`,
  }));
  // A fleet member's documents go to the fleet's bucket, under `<name>/`.
  const bucket = bucketName(o.sharedIssuer ?? o.name);
  const desired: Desired = {
    name: o.name,
    region,
    bucket,
    hosting,
    tags,
    jwks: publicKey === undefined ? { keys: [] } : buildJwks([publicKey]),
    replaceKeys: o.forceKeys,
    migrateIssuer: o.migrateIssuer === true,
    issuer: o.scope !== 'iam-roles',
    roles,
  };
  const knownHostPath =
    provider?.issuerHostPath ??
    (hosting.kind === 'public'
      ? issuerHostPath(publicS3IssuerUrl(bucket, region))
      : hosting.kind === 'self'
        ? issuerHostPath(hosting.issuerUrl)
        : hosting.kind !== 'cloudfront' || hosting.customDomain === undefined
          ? undefined
          : o.sharedIssuer === undefined
            ? hosting.customDomain
            : `${hosting.customDomain}/${o.name}`);
  const target: ObserveTarget = {
    name: o.name,
    region,
    bucket,
    hosting: hosting.kind,
    ...(hosting.kind === 'self' ? { documents: hosting.documents } : {}),
    issuer: desired.issuer,
    issuerHostPath: knownHostPath,
    providerArn: o.identityProviderArn,
    roleNames: roles.map((r) => r.name),
    ...(o.sharedIssuer === undefined ? {} : { sharedIssuer: o.sharedIssuer }),
  };
  return { region, desired, target, requests, rolePlans: layout.roles, skipped, keyFiles, publicKey };
}

function clientsFor(o: ProvisionOptions, region: string, deps: ProvisionDeps): AwsClients {
  const clients =
    deps.clients ??
    createAwsClients(
      {
        region,
        maxAttempts: 8,
        ...(o.profile === undefined ? {} : { profile: o.profile }),
      },
      deps.env ?? process.env,
    );
  if (deps.trace !== undefined) attachTrace(clients, deps.trace);
  return clients;
}

/**
 * Clients made on first use, for the region the validated flags give: by the certificate check in
 * {@link prepare}, or for the run itself. `release` destroys them if they were made here.
 */
function lazyClients(
  o: ProvisionOptions,
  deps: ProvisionDeps,
): { readonly get: (region: string) => AwsClients; readonly release: () => void } {
  let made: AwsClients | undefined;
  return {
    get: (region) => (made ??= clientsFor(o, region, deps)),
    release: () => {
      if (deps.clients === undefined) made?.destroy();
    },
  };
}

/** {@link prepare}, releasing the clients it may have made when it throws. */
async function prepareWith(
  o: ProvisionOptions,
  reporter: Reporter,
  forPlanOnly: boolean,
  aws: ReturnType<typeof lazyClients>,
): Promise<Prepared> {
  try {
    return await prepare(o, reporter, forPlanOnly, aws.get);
  } catch (e) {
    aws.release();
    throw e;
  }
}

/** Observes and plans, with the thumbprints of the issuer's live TLS chain when it can be reached. */
async function observeAndPlan(
  prepared: Prepared,
  clients: AwsClients,
  deps: ProvisionDeps,
): Promise<{ observed: Observed; desired: Desired; plan: Plan }> {
  const observed = await observe(clients, prepared.target);
  let desired = prepared.desired;
  const first = plan(desired, observed);
  if (first.issuer !== undefined && desired.issuer) {
    const fetcher = deps.fetcher ?? issuerFetcherFromEnvironment(deps.env ?? process.env);
    const t =
      desired.hosting.kind === 'self'
        ? await selfHostedThumbprints(fetcher, first.issuer)
        : await liveThumbprints(fetcher, first.issuer);
    if ('thumbprints' in t) {
      desired = {
        ...desired,
        thumbprints: 'trustedByCaLibrary' in t ? thumbprintsFor(t, observed.provider) : t.thumbprints,
      };
    }
  }
  return { observed, desired, plan: withObservedDigests(plan(desired, observed), observed) };
}

/**
 * The thumbprints a provider should carry. STS uses them only when the issuer's chain is not trusted
 * by AWS's CA library (aws-sts-2026.md §7): a provider registered without any (by the aws CLI of an
 * exported script, or by IAM itself) is then in order, not drift; one that has thumbprints keeps
 * them current, as ccoctl does. Plan and apply both decide here, so what plan shows is what runs.
 */
function thumbprintsFor(
  live: { readonly thumbprints: readonly string[]; readonly trustedByCaLibrary: boolean },
  provider: { readonly thumbprints: readonly string[] } | undefined,
): readonly string[] {
  return live.trustedByCaLibrary && provider?.thumbprints.length === 0 ? [] : live.thumbprints;
}

/** `stsctl plan`: observe and plan, change nothing. Each change carries its `observed` digest. */
export async function previewPlan(
  o: ProvisionOptions,
  reporter: Reporter,
  deps: ProvisionDeps = {},
): Promise<Plan> {
  const aws = lazyClients(o, deps);
  const prepared = await prepareWith(o, reporter, true, aws);
  const clients = aws.get(prepared.region);
  try {
    const { plan: p } = await observeAndPlan(prepared, clients, deps);
    if (prepared.publicKey === undefined && o.scope === 'all') {
      return {
        ...p,
        changes: p.changes.map((c) =>
          c.kind === 'jwks'
            ? { ...c, notes: [...c.notes, 'a new key pair is generated by create-all and added'] }
            : c,
        ),
      };
    }
    return p;
  } finally {
    if (deps.clients === undefined) clients.destroy();
  }
}

export interface ExportedPlan {
  readonly plan: Plan;
  /** The desired values the exporters render (src/aws/export/subject.ts). */
  readonly subject: ExportSubject;
  /** The key pair (when made now) and the manifests, written as create-all writes them. */
  readonly written: readonly WriteOutcome[];
}

/**
 * `stsctl plan --export`: the plan and everything an exporter renders, changing nothing in AWS.
 * Like create-all it makes the key pair when there is none (the JWKS to publish holds its public
 * half) and writes the manifests: the Secrets (role ARNs are known from the account and the role
 * names) and, when the issuer is known now, the Authentication manifest (for a CloudFront
 * distribution yet to be created, the exported script writes it once it knows the domain).
 */
export async function exportPlan(
  o: ProvisionOptions,
  reporter: Reporter,
  deps: ProvisionDeps = {},
): Promise<ExportedPlan> {
  // The exporters render a cluster's own issuer (its bucket, distribution and documents at the
  // root). A fleet member's issuer has a path, its documents a prefix, and the bucket and
  // distribution belong to the fleet; refused before anything is read or written rather than
  // rendered as a single cluster's hosting, which would publish a wrong issuer.
  if (o.sharedIssuer !== undefined) {
    throw new StsctlError(
      'INVALID_SHARED_ISSUER',
      'plan --export renders the hosting of one cluster, not a member of a fleet issuer; review a fleet member with `stsctl plan --shared-issuer …` and apply it with `stsctl create-all --shared-issuer …`',
      { path: '--export' },
    );
  }
  const aws = lazyClients(o, deps);
  const prepared = await prepareWith(o, reporter, false, aws);
  const clients = aws.get(prepared.region);
  let planned: Awaited<ReturnType<typeof observeAndPlan>>;
  try {
    planned = await observeAndPlan(prepared, clients, deps);
  } finally {
    if (deps.clients === undefined) clients.destroy();
  }
  refuseMigration(planned.plan, prepared.desired);
  const subject = exportSubject(planned.desired, planned.observed, planned.plan);
  const written: WriteOutcome[] = [];
  if (prepared.keyFiles.length > 0) written.push(...(await writeOutputFiles(o.outputDir, prepared.keyFiles)));
  const files: OutputFile[] = [];
  if (subject.issuerKnown)
    files.push({
      path: AUTHENTICATION_MANIFEST_PATH,
      content: authenticationManifest(subject.issuer),
      mode: MODE_PRIVATE,
    });
  files.push(
    ...iamRolesLayout({
      name: o.name,
      requests: prepared.requests,
      providerArn: planned.plan.providerArn,
      issuerHostPath: planned.plan.issuer === undefined ? undefined : issuerHostPath(planned.plan.issuer),
      partition: partitionForRegion(prepared.region).id,
      roleNameMode: o.roleNameMode,
      dryRun: false,
      roleArns: new Map(subject.roles.map((r) => [r.name, r.arn])),
    }).files,
  );
  const manifests = await writeOutputFiles(o.outputDir, files);
  for (const m of manifests) {
    if (m.path !== AUTHENTICATION_MANIFEST_PATH)
      reporter.emit('credentials-secret.written', { path: m.absolutePath });
    else reporter.emit('authentication-manifest.written', { path: m.absolutePath });
  }
  written.push(...manifests);
  return { plan: planned.plan, subject, written };
}

/** The same refusal as apply's: no export silently moves the cluster to another issuer. */
function refuseMigration(p: Plan, desired: Desired): void {
  const m = p.migration;
  if (m === undefined || desired.migrateIssuer === true) return;
  throw new StsctlError(
    'ISSUER_MIGRATION_REFUSED',
    `this plan would change the issuer of "${desired.name}" from ${m.from} to ${m.to ?? 'a new CloudFront domain'}: ${m.consequences.join('; ')}`,
    {
      hint: 'run with the flags that created the cluster (--hosting, --custom-domain, --region), or add --migrate-issuer to move it on purpose',
    },
  );
}

/**
 * `create-all --plan`: observes again and refuses the reviewed plan (nothing changed, nothing
 * written) when it was made for other flags or the account drifted since.
 */
async function checkReviewed(reviewed: ReviewedPlan, prepared: Prepared, clients: AwsClients): Promise<void> {
  const observed = await observe(clients, prepared.target);
  checkReviewedPlan(reviewed, plan(prepared.desired, observed), observed);
}

export interface ProvisionResult {
  readonly outcome: ApplyResult;
  readonly skipped: readonly SkippedDocument[];
  readonly written: readonly WriteOutcome[];
  readonly kid: string | undefined;
  /**
   * With `--custom-domain`: the DNS record the user must create (stsctl manages no DNS), pointing
   * the domain at the distribution. Until it exists STS cannot fetch the issuer.
   */
  readonly dnsRecord: DnsRecordInstruction | undefined;
}

export interface DnsRecordInstruction {
  readonly name: string;
  readonly type: 'CNAME';
  /** The distribution's `*.cloudfront.net` domain. */
  readonly value: string;
}

function dnsRecordFor(o: ProvisionOptions, outcome: ApplyResult): DnsRecordInstruction | undefined {
  if (o.scope === 'iam-roles' || o.customDomain === undefined || outcome.distribution === undefined)
    return undefined;
  return { name: o.customDomain, type: 'CNAME', value: outcome.distribution.domainName };
}

/** Real `create-all`, `create-identity-provider` or `create-iam-roles`. */
export async function provision(
  o: ProvisionOptions,
  reporter: Reporter,
  deps: ProvisionDeps = {},
): Promise<ProvisionResult> {
  const aws = lazyClients(o, deps);
  const prepared = await prepareWith(o, reporter, false, aws);
  const written: WriteOutcome[] = [];
  const clients = aws.get(prepared.region);
  const fetcher = deps.fetcher ?? issuerFetcherFromEnvironment(deps.env ?? process.env);
  let outcome: ApplyResult;
  try {
    if (o.reviewedPlan !== undefined) await checkReviewed(o.reviewedPlan, prepared, clients);
    if (prepared.keyFiles.length > 0)
      written.push(...(await writeOutputFiles(o.outputDir, prepared.keyFiles)));
    outcome = await apply({
      clients,
      desired: prepared.desired,
      target: prepared.target,
      reporter,
      thumbprints: async (issuer, provider) => {
        if (prepared.desired.hosting.kind === 'self')
          return reportSelfHostedThumbprints(fetcher, issuer, reporter);
        const t = await liveThumbprints(fetcher, issuer);
        if ('thumbprints' in t) return thumbprintsFor(t, provider);
        reporter.emit('thumbprint.unavailable', { issuer, problem: t.problem });
        return undefined;
      },
      ...(o.deployTimeoutMs === undefined ? {} : { deployTimeoutMs: o.deployTimeoutMs }),
    });
  } finally {
    if (deps.clients === undefined) clients.destroy();
  }
  const files: OutputFile[] = [];
  if (o.scope !== 'iam-roles') {
    files.push({
      path: AUTHENTICATION_MANIFEST_PATH,
      content: authenticationManifest(outcome.issuer),
      mode: MODE_PRIVATE,
    });
  }
  if (o.scope !== 'identity-provider') {
    const layout = iamRolesLayout({
      name: o.name,
      requests: prepared.requests,
      providerArn: outcome.providerArn,
      issuerHostPath: issuerHostPath(outcome.issuer),
      partition: partitionForRegion(prepared.region).id,
      roleNameMode: o.roleNameMode,
      dryRun: false,
      roleArns: outcome.roleArns,
    });
    files.push(...layout.files);
  }
  const manifests = await writeOutputFiles(o.outputDir, files);
  for (const m of manifests) {
    if (m.path !== AUTHENTICATION_MANIFEST_PATH)
      reporter.emit('credentials-secret.written', { path: m.absolutePath });
    else reporter.emit('authentication-manifest.written', { path: m.absolutePath });
  }
  written.push(...manifests);
  reporter.emit('issuer.url', { issuer: outcome.issuer });
  const dnsRecord = dnsRecordFor(o, outcome);
  if (dnsRecord !== undefined) reporter.emit('custom-domain.dns-needed', dnsRecord);
  return { outcome, skipped: prepared.skipped, written, kid: prepared.publicKey?.kid, dnsRecord };
}
