import { decodeJwt, type JWTPayload } from 'jose';
import { webIdentityContext } from '../webidentity/context-keys.js';
import { readSessionClaims } from '../webidentity/session-claims.js';
import { identityFix, jwksFix, tokenSideFix } from './fixes.js';
import { explainTrustDenial } from './trust-edit.js';
import { serviceAccountSubject } from '../core/iam-documents.js';
import { oidcProviderArn, parseArn, partitionForRegion, type PartitionId } from '../core/partitions.js';
import { DEFAULT_FETCH_BUDGET_MS } from '../webidentity/issuer-keys.js';
import { providerHostPath } from '../webidentity/provider.js';
import { verifySignature } from '../webidentity/signature.js';
import { StepLog } from '../webidentity/steps.js';
import type { HttpObservation, IamOidcProvider, IamRole, ObservedTls } from '../webidentity/types.js';
import { couldNotCheck, reasonOf, withFindings } from './checks/check.js';
import { checkClusterConfig, checkSecret } from './checks/cluster.js';
import { checkFleet, conditionKeysDetail, fleetRootCause, withFleetConditionKeys } from './checks/fleet.js';
import { checkHosting } from './checks/hosting.js';
import { checkIrsa } from './checks/irsa.js';
import { checkIssuerDocuments, checkIssuerForm, type IssuerDocuments } from './checks/issuer.js';
import { checkProvider, providerFor, thumbprintExplanation } from './checks/provider.js';
import { checkRole, webIdentityStatements } from './checks/role.js';
import { checkToken } from './checks/token.js';
import { compareLive, decisiveFinding, evaluateToken, toVerdict, verdictCheck } from './checks/verdict.js';
import { Memo, memoizeIssuerView, type DoctorContext } from './context.js';
import { codeForRule } from './findings/rule-map.js';
import type { TemplateVars } from './findings/registry.js';
import { pathlessConditionKeys } from './fleet-paths.js';
import { classifyIssuerHost } from './issuer-host.js';
import {
  componentReport,
  makeFinding,
  summarize,
  withRemedy,
  REPORT_SCHEMA_VERSION,
  type CheckResult,
  type ComponentReport,
  type DoctorReport,
  type Finding,
  type LiveResult,
  type Verdict,
} from './report.js';
import type { ComponentTarget, DoctorTarget } from './target.js';

/**
 * Runs every check of a target concurrently and assembles the report. Each issuer URL is fetched
 * once (a memo around the issuer view, shared with the model), and each AWS read is made once (a
 * memo keyed by what is read). The checks follow the order STS works in; the report puts the
 * first broken link first.
 */

/** Default RoleSessionName of evaluated and live calls. */
export const DEFAULT_SESSION_NAME = 'stsctl-doctor';

/** The audience OpenShift components request (core/tokens.ts DEFAULT_TOKEN_AUDIENCE). */
const OPENSHIFT_AUDIENCE = 'openshift';

/**
 * The client IDs the cluster's tokens need: OpenShift components' `openshift` on an OpenShift
 * cluster, and each IRSA service account's audience (the webhook's default `sts.amazonaws.com`).
 */
function clusterAudiences(target: DoctorTarget): string[] {
  const out = new Set<string>();
  if (target.cluster?.openshift !== false) out.add(OPENSHIFT_AUDIENCE);
  for (const c of target.components) out.add(c.audience ?? OPENSHIFT_AUDIENCE);
  return [...out];
}

function tokenIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token.trim()).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

function accountOf(arn: string | undefined): { account: string; partition: string } | undefined {
  const p = arn === undefined ? undefined : parseArn(arn);
  // Only a well-formed account id names an account: a malformed ARN (a stray backslash) must not
  // send the provider lookup to a bogus account (STS refuses such a request before any lookup).
  return p === undefined || !/^\d{12}$/.test(p.account)
    ? undefined
    : { account: p.account, partition: p.partition };
}

function issuerVars(issuer: string, partition: string): TemplateVars {
  const host = classifyIssuerHost(issuer);
  return {
    issuer,
    iss: issuer,
    issuerHostPath: issuer.replace(/^https:\/\//, ''),
    partition,
    ...(host?.kind === 's3' ? { bucket: host.bucket, region: host.region } : {}),
  };
}

interface IssuerOutcome {
  readonly issuer: string;
  readonly report: ComponentReport;
  readonly documents: IssuerDocuments;
  readonly provider: IamOidcProvider | undefined;
  readonly findings: readonly Finding[];
}

/** Runs the doctor. */
export async function runDoctor(target: DoctorTarget, ctx: DoctorContext): Promise<DoctorReport> {
  const view = memoizeIssuerView(ctx.issuer);
  const memo = new Memo();
  const now = ctx.now();
  const budgetMs = ctx.fetchBudgetMs ?? DEFAULT_FETCH_BUDGET_MS;
  const sessionName = target.sessionName ?? DEFAULT_SESSION_NAME;
  const aws = ctx.aws;
  const awsUnavailable = ctx.awsUnavailableReason ?? 'AWS is not available (no credentials or region)';
  const clusterMode = target.mode === 'cluster' || target.mode === 'manifests';

  const roleArns = [
    ...new Set(target.components.map((c) => c.roleArn).filter((a): a is string => a !== undefined)),
  ];
  const owner = roleArns.map(accountOf).find((a) => a !== undefined);
  const partition = owner?.partition ?? partitionForRegion('us-east-1').id;

  // ---- AWS reads (each once) -------------------------------------------------------------
  let providers: readonly IamOidcProvider[] | undefined;
  let allProviders: readonly IamOidcProvider[] | undefined;
  let providersProblem = awsUnavailable;
  if (aws !== undefined) {
    try {
      const all = await memo.get('providers', () => aws.listOidcProviders());
      allProviders = all;
      // STS reads the providers of the role's account (src/sts/iam-reader.ts does the same).
      providers = owner === undefined ? all : all.filter((p) => p.arn.split(':')[4] === owner.account);
    } catch (e) {
      providersProblem = reasonOf(e);
    }
  }
  const roles = new Map<string, { role: IamRole | undefined } | { problem: string }>();
  await Promise.all(
    roleArns.map(async (arn) => {
      if (aws === undefined) {
        roles.set(arn, { problem: awsUnavailable });
        return;
      }
      try {
        roles.set(arn, { role: await memo.get(`role:${arn}`, () => aws.getRole(arn)) });
      } catch (e) {
        roles.set(arn, { problem: reasonOf(e) });
      }
    }),
  );

  // ---- issuers -----------------------------------------------------------------------------
  const issuers: string[] = [];
  const addIssuer = (i: string | undefined): void => {
    if (i !== undefined && i.startsWith('https://') && !issuers.includes(i)) issuers.push(i);
  };
  addIssuer(target.issuer);
  for (const c of target.components)
    for (const t of c.tokens) if (t.token !== undefined) addIssuer(tokenIssuer(t.token));
  if (target.issuer !== undefined && !target.issuer.startsWith('https://')) {
    // Still show why the issuer is unusable.
  }

  const issuerOutcomes = await Promise.all(
    issuers.map(async (issuer): Promise<IssuerOutcome> => {
      const vars = {
        ...issuerVars(issuer, partition),
        ...(owner === undefined ? {} : { accountId: owner.account }),
      };
      const form = checkIssuerForm(issuer, vars);
      const known = providers === undefined ? undefined : providerFor(issuer, providers);
      const documents = await checkIssuerDocuments(issuer, known, view, now, vars, budgetMs);
      const provider = checkProvider(
        issuer,
        providers,
        providersProblem,
        documents.discovery,
        clusterMode ? clusterAudiences(target) : [],
        vars,
      );
      const jwksUri = documents.keys?.jwksUri;
      const hosting = await checkHosting({
        issuer,
        jwksUri,
        aws,
        awsUnavailable,
        memo,
        accountId: owner?.account ?? accountOf(provider.provider?.arn)?.account,
        partition,
        vars,
        fetched: {
          ...(documents.discovery === undefined ? {} : { discovery: documents.discovery }),
          ...(documents.jwks === undefined ? {} : { jwks: documents.jwks }),
        },
      });
      // A fleet member (an issuer under a path on a shared distribution): where the path is missing.
      const fleet = await checkFleet({
        issuer,
        aws,
        memo,
        view,
        fetched: {
          ...(documents.discovery === undefined ? {} : { discovery: documents.discovery }),
          ...(documents.jwks === undefined ? {} : { jwks: documents.jwks }),
        },
        failedRule: documents.failedRule,
        providers,
        vars,
      });
      // The fleet check names the cause the documents check sees the symptom of: it goes first.
      const checks: CheckResult[] = [
        form,
        ...(fleet === undefined ? [] : [fleet]),
        documents.result,
        provider.result,
        hosting,
      ];
      const report = componentReport({ reconcile: true, name: issuer, kind: 'issuer', checks });
      return { issuer, report, documents, provider: provider.provider, findings: report.findings };
    }),
  );
  const outcomeOf = (issuer: string | undefined): IssuerOutcome | undefined =>
    issuerOutcomes.find((o) => o.issuer === issuer);

  // ---- cluster -----------------------------------------------------------------------------
  const trustedProviderUrls: string[] = [];
  for (const entry of roles.values()) {
    if (!('role' in entry) || entry.role === undefined) continue;
    for (const grant of webIdentityStatements(entry.role.assumeRolePolicyDocument)) {
      for (const arn of grant.federated) {
        const m = /:oidc-provider\/(.+)$/.exec(arn);
        if (m?.[1] !== undefined) trustedProviderUrls.push(`https://${m[1]}`);
      }
    }
  }
  const clusterChecks =
    target.cluster === undefined
      ? []
      : checkClusterConfig(target.cluster, trustedProviderUrls, issuerVars(target.issuer ?? '', partition));
  const clusterProblems = (target.cluster?.readProblems ?? []).map((p, i) =>
    couldNotCheck(`cluster.read.${i}`, 'Reading the cluster', 'credentials', p),
  );
  const clusterReport =
    target.cluster === undefined
      ? undefined
      : componentReport({ name: 'cluster', kind: 'cluster', checks: [...clusterChecks, ...clusterProblems] });
  const clusterFindings = clusterReport?.findings ?? [];

  // ---- components --------------------------------------------------------------------------
  const componentReports = await Promise.all(
    target.components.map((component) =>
      diagnoseComponent(component, {
        target,
        ctx,
        view,
        now,
        budgetMs,
        sessionName,
        providers,
        providersProblem,
        allProviders,
        roles,
        partition,
        outcomeOf,
        clusterFindings,
        clusterMode,
      }),
    ),
  );

  const brokenFirst = (list: readonly ComponentReport[]): ComponentReport[] =>
    [...list].sort((a, b) => Number(b.brokenHop !== undefined) - Number(a.brokenHop !== undefined));
  // STS's decision first: the groups whose first error is the finding a verdict fails on (the
  // decisive finding, or the root cause it was taken from) lead, so the report's first error is
  // the rule on which the model's verdict fails; the other groups follow as "also wrong".
  const all = [
    ...(clusterReport === undefined ? [] : [clusterReport]),
    ...issuerOutcomes.map((o) => o.report),
    ...brokenFirst(componentReports),
  ];
  const key = (f: Finding): string => `${f.code}\u0000${f.detail.split('\n')[0] ?? ''}`;
  const decisiveKeys = new Set(all.flatMap((c) => c.findings.filter((f) => f.decisive === true).map(key)));
  const leads = (c: ComponentReport): boolean => {
    const first = c.findings.find((f) => f.severity === 'error');
    return first !== undefined && decisiveKeys.has(key(first));
  };
  const components = [...all.filter(leads), ...all.filter((c) => !leads(c))];
  const issuer = target.issuer ?? issuers[0];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    mode: target.mode,
    ...(issuer === undefined ? {} : { issuer }),
    components,
    summary: summarize(components),
  };
}

/**
 * Completes the decisive finding with what the doctor observed: for a trust denial, the statement,
 * key, policy values and token values side by side with the reason; for the role and provider
 * findings, the fix as concrete steps (src/doctor/fixes.ts).
 */
async function completeDecisive(
  decisive: Finding,
  o: {
    readonly env: ComponentEnv;
    readonly claims: JWTPayload | undefined;
    readonly role: IamRole | undefined;
    readonly roleArn: string;
    readonly provider: IamOidcProvider | undefined;
    readonly account: string | undefined;
    readonly tls: readonly (ObservedTls | undefined)[];
    readonly kid: string | undefined;
    readonly jwks: HttpObservation | undefined;
  },
): Promise<Finding> {
  const claims = o.claims;
  const tokenSide = tokenSideFix(decisive.code, {
    claims,
    kid: o.kid,
    clientIds: o.provider?.clientIds,
  });
  if (tokenSide !== undefined) return withRemedy(decisive, tokenSide);
  const jwks = o.jwks;
  if (decisive.code === 'JWKS_TOO_MANY_KEYS' && jwks?.ok === true) {
    return withRemedy(decisive, jwksFix({ jwksUri: jwks.url, body: jwks.body, kid: o.kid }));
  }
  if (claims === undefined || o.account === undefined || o.env.providers === undefined) return decisive;
  const audience = effectiveAudience(claims);
  let finding = decisive;
  if (decisive.code === 'TRUST_POLICY_DENIES' && o.role !== undefined && o.provider !== undefined) {
    const context = webIdentityContext({
      providerHostPath: providerHostPath(o.provider),
      providerArn: o.provider.arn,
      claims,
      audience,
      roleSessionName: o.env.sessionName,
      session: readSessionClaims(claims),
      ...(o.env.ctx.behaviour === undefined ? {} : { behaviour: o.env.ctx.behaviour }),
    });
    const why = explainTrustDenial(o.role.assumeRolePolicyDocument, context);
    if (why.length > 0) finding = { ...finding, detail: `${finding.detail}\n${why.join('\n')}` };
    // A fleet member's condition keys written without the issuer's path: the precise cause.
    const hostPath = providerHostPath(o.provider);
    const pathless = pathlessConditionKeys(o.role.assumeRolePolicyDocument, o.provider.arn, hostPath);
    if (pathless.length > 0) {
      finding = makeFinding(
        'FLEET_CONDITION_KEY_WITHOUT_PATH',
        [conditionKeysDetail(o.role.roleName, pathless), ...why].join('\n'),
        {
          roleName: o.role.roleName,
          roleArn: o.roleArn,
          issuerHostPath: hostPath,
          providerArn: o.provider.arn,
        },
        { predictedError: decisive.predictedError ?? null, decisive: true },
      );
    }
  }
  if (decisive.code === 'THUMBPRINT_MISMATCH' && o.provider !== undefined) {
    const provider = o.provider;
    const why = [
      ...new Set(o.tls.filter((t) => t !== undefined).map((t) => thumbprintExplanation(provider, t))),
    ];
    if (why.length > 0) finding = { ...finding, detail: `${finding.detail}\n${why.join('\n')}` };
  }
  const needsRoles = ['PROVIDER_MISSING', 'PROVIDER_URL_CASE_OR_SLASH', 'ISSUER_S3_FORM_MISMATCH'].includes(
    decisive.code,
  );
  let roles: readonly IamRole[] = o.role === undefined ? [] : [o.role];
  const aws = o.env.ctx.aws;
  if (needsRoles && aws?.listRoles !== undefined) {
    try {
      roles = await aws.listRoles();
    } catch {
      // Without the list, only the component's role is updated.
    }
  }
  const fix = identityFix(finding.code, {
    partition: o.env.partition,
    accountId: o.account,
    claims,
    audience,
    sessionName: o.env.sessionName,
    role: o.role,
    provider: o.provider,
    providers: o.env.providers,
    roles,
    durationSeconds: o.env.target.durationSeconds,
    tls: o.tls,
  });
  return withRemedy(finding, fix);
}

function effectiveAudience(claims: JWTPayload): string {
  const azp = claims['azp'];
  if (typeof azp === 'string') return azp;
  const aud = claims.aud;
  return typeof aud === 'string' ? aud : Array.isArray(aud) && typeof aud[0] === 'string' ? aud[0] : '';
}

interface ComponentEnv {
  readonly target: DoctorTarget;
  readonly ctx: DoctorContext;
  readonly view: ReturnType<typeof memoizeIssuerView>;
  readonly now: Date;
  readonly budgetMs: number;
  readonly sessionName: string;
  readonly providers: readonly IamOidcProvider[] | undefined;
  readonly providersProblem: string;
  /** Every listed provider, of any account (an IRSA role may sit in another one). */
  readonly allProviders: readonly IamOidcProvider[] | undefined;
  readonly roles: ReadonlyMap<string, { role: IamRole | undefined } | { problem: string }>;
  readonly partition: string;
  readonly outcomeOf: (issuer: string | undefined) => IssuerOutcome | undefined;
  readonly clusterFindings: readonly Finding[];
  readonly clusterMode: boolean;
}

async function diagnoseComponent(component: ComponentTarget, env: ComponentEnv): Promise<ComponentReport> {
  const checks: CheckResult[] = [];
  const verdicts: Verdict[] = [];
  const live: LiveResult[] = [];
  const extra: Finding[] = [];
  const roleEntry = component.roleArn === undefined ? undefined : env.roles.get(component.roleArn);
  const roleArn = component.roleArn;
  const account = accountOf(roleArn);
  const baseVars: TemplateVars = {
    partition: env.partition,
    ...(component.namespace === undefined ? {} : { namespace: component.namespace }),
    ...(component.serviceAccounts[0] === undefined ? {} : { serviceAccount: component.serviceAccounts[0] }),
    ...(component.secretRef === undefined
      ? {}
      : { secretName: component.secretRef.name, secretNamespace: component.secretRef.namespace }),
    ...(roleArn === undefined ? {} : { roleArn, roleName: roleArn.split('/').at(-1) ?? roleArn }),
    ...(account === undefined ? {} : { accountId: account.account }),
  };
  if (component.secret !== undefined) checks.push(checkSecret(component, baseVars));

  const withToken = new Set<string>();
  for (const t of component.tokens) {
    const label = t.serviceAccount ?? '';
    if (t.token === undefined) {
      checks.push(
        couldNotCheck(
          'token.request',
          `Token${label === '' ? '' : ` for ${label}`}`,
          'token',
          t.unavailable ?? 'no token',
        ),
      );
      continue;
    }
    if (t.serviceAccount !== undefined) withToken.add(t.serviceAccount);
    const iss = tokenIssuer(t.token);
    const issuerOutcome = env.outcomeOf(iss);
    const vars: TemplateVars = {
      ...baseVars,
      ...(iss === undefined ? {} : issuerVars(iss, env.partition)),
      ...(t.serviceAccount === undefined ? {} : { serviceAccount: t.serviceAccount }),
      ...(issuerOutcome?.provider === undefined ? {} : { providerArn: issuerOutcome.provider.arn }),
    };
    const tokenCheck = checkToken(t.token, env.now, vars, env.target.issuer);
    checks.push(tokenCheck.result);

    const canEvaluate =
      env.providers !== undefined && roleArn !== undefined && roleEntry !== undefined && 'role' in roleEntry;
    if (!canEvaluate) {
      const reason =
        roleArn === undefined
          ? 'no role ARN (give --role-arn, or the Secret must name role_arn)'
          : roleEntry !== undefined && 'problem' in roleEntry
            ? roleEntry.problem
            : env.providersProblem;
      checks.push(
        couldNotCheck(
          'sts.verdict',
          `What STS answers${label === '' ? '' : ` for ${label}`}`,
          'credentials',
          reason,
        ),
      );
      // Without IAM the key and signature can still be checked with the model's own stages.
      const keys = issuerOutcome?.documents.keys;
      const decoded = tokenCheck.decoded;
      if (keys !== undefined && decoded !== undefined) {
        const log = new StepLog();
        const signature = await verifySignature(decoded, keys.jwks, log);
        if (!signature.ok) {
          extra.push(
            makeFinding(codeForRule(signature.rule), log.steps.at(-1)?.detail ?? '', vars, {
              predictedError: signature.error,
            }),
          );
        }
      }
      continue;
    }
    const result = await evaluateToken({
      token: t.token,
      serviceAccount: t.serviceAccount,
      roleArn,
      sessionName: env.sessionName,
      durationSeconds: env.target.durationSeconds,
      iam: { providers: env.providers, role: roleEntry.role },
      issuer: env.view,
      now: env.now,
      budgetMs: env.budgetMs,
      ...(env.ctx.behaviour === undefined ? {} : { behaviour: env.ctx.behaviour }),
    });
    const verdict = toVerdict(result, t.serviceAccount);
    verdicts.push(verdict);
    let decisive: Finding | undefined;
    if (!result.ok) {
      const related = [...env.clusterFindings, ...(issuerOutcome?.findings ?? [])];
      // A fleet member's missing path is the more precise cause of a refused fetch.
      const { code, status, message } = result.error;
      decisive =
        fleetRootCause(result.rule, related, { code, status, message }) ??
        decisiveFinding(
          result,
          related,
          vars,
          (rule): HttpObservation | undefined =>
            rule.startsWith('jwks.') ? issuerOutcome?.documents.jwks : issuerOutcome?.documents.discovery,
          env.now,
        );
      decisive = await completeDecisive(decisive, {
        env,
        claims: tokenCheck.decoded?.claims,
        role: roleEntry.role,
        roleArn,
        provider: issuerOutcome?.provider,
        account: account?.account,
        tls: [issuerOutcome?.documents.discovery?.tls, issuerOutcome?.documents.jwks?.tls],
        kid: tokenCheck.decoded?.kid,
        jwks: issuerOutcome?.documents.jwks,
      });
    }
    checks.push(verdictCheck(verdict, decisive, label));
    if (env.target.live === true && env.ctx.aws !== undefined) {
      try {
        const answer = await env.ctx.aws.assumeRoleWithWebIdentity({
          roleArn,
          token: t.token.trim(),
          sessionName: env.sessionName,
          ...(env.target.durationSeconds === undefined
            ? {}
            : { durationSeconds: Number(env.target.durationSeconds) }),
        });
        const compared = compareLive(verdict, answer, vars);
        live.push(compared.live);
        if (compared.finding !== undefined) extra.push(compared.finding);
      } catch (e) {
        checks.push(couldNotCheck('sts.live', 'Live AssumeRoleWithWebIdentity', 'credentials', reasonOf(e)));
      }
    }
  }

  // IRSA: the webhook's annotations against the provider for the cluster's issuer.
  if (component.irsa !== undefined) {
    const issuer =
      component.tokens
        .map((t) => (t.token === undefined ? undefined : tokenIssuer(t.token)))
        .find((i) => i !== undefined) ?? env.target.issuer;
    // The provider of the role's own account when there is one (what STS uses), else any
    // account's provider for the issuer (so a role beside the wrong account is named).
    const all = env.allProviders ?? [];
    const inRoleAccount = all.filter((p) => account !== undefined && p.arn.split(':')[4] === account.account);
    const provider =
      issuer === undefined ? undefined : (providerFor(issuer, inRoleAccount) ?? providerFor(issuer, all));
    checks.push(
      checkIrsa({
        facts: component.irsa,
        provider,
        sessionName: env.sessionName,
        ...(component.tokens[0]?.token === undefined ? {} : { token: component.tokens[0].token }),
        ...(env.ctx.behaviour === undefined ? {} : { behaviour: env.ctx.behaviour }),
        vars: { ...baseVars, ...(issuer === undefined ? {} : issuerVars(issuer, env.partition)) },
      }),
    );
  }

  // The role, for service accounts without a token (with one, the verdict judged it).
  if (roleArn !== undefined) {
    const issuer =
      component.tokens
        .map((t) => (t.token === undefined ? undefined : tokenIssuer(t.token)))
        .find((i) => i !== undefined) ?? env.target.issuer;
    const outcome = env.outcomeOf(issuer);
    if (roleEntry === undefined || 'problem' in roleEntry) {
      checks.push(
        couldNotCheck('role.trust', 'Role and trust policy', 'role', roleEntry?.problem ?? 'role not read'),
      );
    } else if (issuer !== undefined) {
      const hostPath =
        outcome?.provider === undefined
          ? issuer.replace(/^https:\/\//, '')
          : providerHostPath(outcome.provider);
      const providerArn =
        outcome?.provider?.arn ??
        (account === undefined
          ? ''
          : oidcProviderArn(account.partition as PartitionId, account.account, hostPath));
      const judged = component.serviceAccounts.filter((sa) => !withToken.has(sa));
      const audience = component.audience ?? OPENSHIFT_AUDIENCE;
      const vars = { ...baseVars, ...issuerVars(issuer, env.partition) };
      const roleCheck = checkRole({
        role: roleEntry.role,
        roleArn,
        namespace: component.namespace,
        serviceAccounts: judged,
        providerArn,
        providerHostPath: hostPath,
        audience,
        sessionName: env.sessionName,
        vars,
      });
      // A fleet member's condition keys without the issuer's path: named as such, with the fix.
      const role = roleEntry.role;
      const keys =
        role === undefined ? [] : pathlessConditionKeys(role.assumeRolePolicyDocument, providerArn, hostPath);
      const sa = judged[0];
      checks.push(
        role === undefined || keys.length === 0
          ? roleCheck
          : withFleetConditionKeys(roleCheck, {
              roleName: role.roleName,
              keys,
              vars: { ...vars, roleName: role.roleName, issuerHostPath: hostPath, providerArn },
              remedy:
                outcome?.provider === undefined ||
                account === undefined ||
                component.namespace === undefined ||
                sa === undefined
                  ? undefined
                  : identityFix('FLEET_CONDITION_KEY_WITHOUT_PATH', {
                      partition: env.partition,
                      accountId: account.account,
                      claims: {
                        iss: issuer,
                        sub: serviceAccountSubject(component.namespace, sa),
                        aud: [audience],
                      },
                      audience,
                      sessionName: env.sessionName,
                      role,
                      provider: outcome.provider,
                      providers: env.providers ?? [],
                      roles: [role],
                    }),
            }),
      );
    }
  } else if (env.clusterMode && component.secret !== 'missing') {
    checks.push(
      couldNotCheck('role.trust', 'Role and trust policy', 'role', 'no role ARN known for this component'),
    );
  }

  return componentReport({
    reconcile: true,
    name: component.name,
    kind: 'component',
    roleArn,
    serviceAccounts: component.serviceAccounts,
    verdicts,
    live,
    checks:
      extra.length === 0
        ? checks
        : [...checks, withFindings('sts.extra', 'Signature and live comparison', 'credentials', extra, '')],
  });
}
