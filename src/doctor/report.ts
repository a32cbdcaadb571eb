import { stepShellLines, type Fix } from './fix.js';
import {
  FINDINGS,
  HOPS,
  fillTemplate,
  type FindingCode,
  type FindingDefinition,
  type Hop,
  type Severity,
  type TemplateVars,
} from './findings/registry.js';

/**
 * The doctor's report: plain data (STYLE.md §4). Checks produce it, renderers turn it into text,
 * JSON or HTML, and the CLI maps it to an exit code. Nothing here prints.
 */

/** Version of the JSON form; bump on incompatible changes. */
export const REPORT_SCHEMA_VERSION = 1;

/** An AWS error as STS answers it (code, HTTP status, exact message). */
export interface PredictedError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

/** One thing found wrong (or worth knowing). */
export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly hop: Hop;
  readonly title: string;
  /** What was observed, in one or two sentences with the user's names. */
  readonly detail: string;
  /** The error STS (and AWS) answers because of it, when it makes a call fail. */
  readonly predictedError?: PredictedError;
  /**
   * The fix in words and shell lines: the {@link remedy}'s steps as copy-pasteable lines when the
   * doctor could write them, else the registry's steps with the user's names filled in.
   */
  readonly fix: readonly string[];
  /** The fix as data (src/doctor/fix.ts): complete steps, every value filled, applied by `--fix`. */
  readonly remedy?: Fix;
  /**
   * For a finding after the first error: whether it would still make STS refuse once the first
   * is fixed (`blocks`), is the symptom the first causes (`consequence`: a 403 on the documents
   * behind a private bucket), or does not by itself refuse this call (`independent`).
   */
  readonly afterFirst?: 'blocks' | 'consequence' | 'independent';
  /**
   * True for the finding that explains the web-identity model's answer for this component's
   * token: its `predictedError` is exactly what STS returns.
   */
  readonly decisive?: boolean;
}

/** What a check concluded. Could-not-check is never a failure (STYLE.md §4). */
export type CheckOutcome =
  | { readonly status: 'pass'; readonly detail: string }
  | { readonly status: 'fail'; readonly findings: readonly Finding[] }
  | { readonly status: 'could-not-check'; readonly reason: string };

/** One check that ran. */
export interface CheckResult {
  /** Stable id, e.g. `issuer.documents`, `role.trust`. */
  readonly id: string;
  readonly title: string;
  readonly hop: Hop;
  readonly outcome: CheckOutcome;
}

/** The web-identity model's answer for one token, the way STS would give it. */
export type Verdict =
  | {
      readonly ok: true;
      readonly serviceAccount: string | undefined;
      readonly assumedRoleArn: string;
      readonly audience: string;
      readonly provider: string;
    }
  | {
      readonly ok: false;
      readonly serviceAccount: string | undefined;
      readonly error: PredictedError;
      /** The model's rule id that decided it (docs/webidentity.md). */
      readonly rule: string;
      readonly detail: string;
    };

/** The result of the real `AssumeRoleWithWebIdentity` call (`--live`). Never holds credentials. */
export interface LiveResult {
  readonly serviceAccount: string | undefined;
  readonly ok: boolean;
  readonly error?: PredictedError;
  readonly assumedRoleArn?: string;
  /** Whether AWS answered what the model predicted (same code and message, or both success). */
  readonly matchesPrediction: boolean;
}

/** One group of the report: the issuer, or a cluster component (or the one token given). */
export interface ComponentReport {
  /** `issuer`, `token`, `cluster`, or `<namespace>/<secret>` of a CredentialsRequest. */
  readonly name: string;
  readonly kind: 'issuer' | 'component' | 'cluster';
  readonly roleArn?: string;
  readonly serviceAccounts: readonly string[];
  readonly verdicts: readonly Verdict[];
  readonly live: readonly LiveResult[];
  readonly checks: readonly CheckResult[];
  /** Findings of every check, the decisive one first, then by severity and hop. */
  readonly findings: readonly Finding[];
  /** The first hop with an error finding. */
  readonly brokenHop?: Hop;
}

/** Counts over the whole report (findings deduplicated by code and detail). */
export interface ReportSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  readonly couldNotCheck: number;
  readonly healthy: boolean;
}

/** The report. */
export interface DoctorReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly mode: 'token' | 'issuer' | 'cluster' | 'manifests';
  readonly issuer?: string;
  readonly components: readonly ComponentReport[];
  readonly summary: ReportSummary;
}

/** Builds a finding from the registry, filling its templates with `vars`. */
export function makeFinding(
  code: FindingCode,
  detail: string,
  vars: TemplateVars = {},
  options: {
    /** The error STS answers; `null` when it answers none here (default: the registry's). */
    readonly predictedError?: PredictedError | null;
    readonly decisive?: boolean;
  } = {},
): Finding {
  const def: FindingDefinition = FINDINGS[code];
  const predicted: PredictedError | undefined =
    options.predictedError === null
      ? undefined
      : (options.predictedError ?? (def.predicts === undefined ? undefined : stripType(def.predicts(vars))));
  return {
    code,
    severity: def.severity,
    hop: def.hop,
    title: def.title,
    detail,
    ...(predicted === undefined ? {} : { predictedError: predicted }),
    fix: def.fix.map((f) => fillTemplate(f, vars)),
    ...(options.decisive === true ? { decisive: true } : {}),
  };
}

/**
 * The finding with a fix as data; its text lines become the steps' shell lines. A fix with no
 * steps says that nothing in AWS changes (the cause is outside AWS): its summary leads the text lines.
 */
export function withRemedy(finding: Finding, remedy: Fix | undefined): Finding {
  if (remedy === undefined) return finding;
  if (remedy.steps.length === 0) return { ...finding, remedy, fix: [remedy.summary, ...finding.fix] };
  return { ...finding, remedy, fix: remedy.steps.map((s) => stepShellLines(s).join('\n')) };
}

function stripType(e: { code: string; status: number; message: string }): PredictedError {
  return { code: e.code, status: e.status, message: e.message };
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Orders findings so the first broken link comes first: the decisive finding (the one STS's answer
 * comes from), then errors before warnings before infos, each in the order of the credential path.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => {
    const d = Number(b.decisive === true) - Number(a.decisive === true);
    if (d !== 0) return d;
    const s = SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
    if (s !== 0) return s;
    return HOPS.indexOf(a.hop) - HOPS.indexOf(b.hop);
  });
}

/** Keeps one finding per code and detail, preferring the decisive copy. */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const out = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.code}\u0000${f.detail}`;
    const seen = out.get(key);
    if (seen === undefined || (f.decisive === true && seen.decisive !== true)) out.set(key, f);
  }
  return [...out.values()];
}

/**
 * The check that owns each finding code: a finding about the role must not stand next to a role
 * check shown as passing (a contradiction people read as "which one is true?").
 */
const OWNER_CHECK: readonly (readonly [RegExp, string])[] = [
  [/^(TRUST_POLICY_DENIES|ROLE_MISSING|SESSION_DURATION_EXCEEDS_MAX)$/, 'role.trust'],
  [/^(PROVIDER_MISSING|PROVIDER_URL_CASE_OR_SLASH|AUDIENCE_NOT_ALLOWED|THUMBPRINT_MISMATCH)$/, 'provider'],
  [/^(ISSUER_PRIVATE_BUCKET|S3_|CLOUDFRONT_)/, 'issuer.hosting'],
  [/^(DISCOVERY_|JWKS_)/, 'issuer.documents'],
  [/^TOKEN_(EXPIRED|MISSING_AUD|MISSING_CLAIM|MALFORMED|TIMESTAMP_INVALID|ALG_UNSUPPORTED)$/, 'token.claims'],
  [/^FLEET_CONDITION_KEY_WITHOUT_PATH$/, 'role.trust'],
  [/^FLEET_(DOCUMENTS|DISCOVERY)_/, 'issuer.fleet'],
];

/** The id of the check a finding code belongs to, when one does. */
export function ownerCheckOf(code: FindingCode): string | undefined {
  return OWNER_CHECK.find(([re]) => re.test(code))?.[1];
}

/**
 * Turns a passing check into a failing one when another check of the same group found an error
 * it owns (the verdict finds a trust denial the role check, judging without the token, passed).
 */
export function reconcileChecks(checks: readonly CheckResult[]): CheckResult[] {
  const errors = checks.flatMap((c) =>
    c.outcome.status === 'fail' ? c.outcome.findings.filter((f) => f.severity === 'error') : [],
  );
  return checks.map((c) => {
    if (c.outcome.status !== 'pass') return c;
    const owned = errors.filter((f) => ownerCheckOf(f.code) === c.id);
    return owned.length === 0 ? c : { ...c, outcome: { status: 'fail', findings: owned } };
  });
}

/**
 * Findings that only report what the fetch got: symptoms of a hosting or reachability cause (a
 * function URL's 5xx is one when the execution role cannot read the bucket).
 */
const SYMPTOMS: ReadonlySet<FindingCode> = new Set([
  'DISCOVERY_HTTP_STATUS',
  'JWKS_HTTP_STATUS',
  'FUNCTION_URL_FUNCTION_ERROR',
]);

function afterFirst(f: Finding, first: Finding): NonNullable<Finding['afterFirst']> {
  if (f.predictedError === undefined) return 'independent';
  if (
    SYMPTOMS.has(f.code) &&
    // A fleet member's discovery document without the path sends STS to a JWKS that is not there.
    (first.hop === 'issuer' || first.code === 'FLEET_DISCOVERY_WITHOUT_PATH') &&
    first.predictedError !== undefined &&
    first.predictedError.message === f.predictedError.message
  ) {
    return 'consequence';
  }
  return 'blocks';
}

/** Assembles a component's report from its checks (and verdicts). */
export function componentReport(parts: {
  /** Make passing checks fail with the errors they own that another check found. */
  readonly reconcile?: boolean;
  readonly name: string;
  readonly kind: ComponentReport['kind'];
  readonly roleArn?: string | undefined;
  readonly serviceAccounts?: readonly string[];
  readonly verdicts?: readonly Verdict[];
  readonly live?: readonly LiveResult[];
  readonly checks: readonly CheckResult[];
  readonly extraFindings?: readonly Finding[];
}): ComponentReport {
  const checks = parts.reconcile === true ? reconcileChecks(parts.checks) : parts.checks;
  const all = [
    ...(parts.extraFindings ?? []),
    ...checks.flatMap((c) => (c.outcome.status === 'fail' ? c.outcome.findings : [])),
  ];
  const sorted = sortFindings(dedupeFindings(all));
  const firstError = sorted.find((f) => f.severity === 'error');
  // "Also wrong": every error after the first says whether it would still make STS refuse once
  // the first is fixed (it predicts an AWS error of its own) or not.
  const findings = sorted.map((f) =>
    firstError === undefined || f === firstError || f.severity !== 'error'
      ? f
      : { ...f, afterFirst: afterFirst(f, firstError) },
  );
  return {
    name: parts.name,
    kind: parts.kind,
    ...(parts.roleArn === undefined ? {} : { roleArn: parts.roleArn }),
    serviceAccounts: parts.serviceAccounts ?? [],
    verdicts: parts.verdicts ?? [],
    live: parts.live ?? [],
    checks,
    findings,
    ...(firstError === undefined ? {} : { brokenHop: firstError.hop }),
  };
}

/** Counts findings across components (the same finding in two groups counts once). */
export function summarize(components: readonly ComponentReport[]): ReportSummary {
  const unique = dedupeFindings(components.flatMap((c) => c.findings));
  const count = (s: Severity): number => unique.filter((f) => f.severity === s).length;
  const couldNotCheck = components
    .flatMap((c) => c.checks)
    .filter((c) => c.outcome.status === 'could-not-check').length;
  const errors = count('error');
  return { errors, warnings: count('warning'), infos: count('info'), couldNotCheck, healthy: errors === 0 };
}

/** The findings of a component with error severity. */
export function errorFindings(component: ComponentReport): Finding[] {
  return component.findings.filter((f) => f.severity === 'error');
}
