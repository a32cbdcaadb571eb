import { evaluateWebIdentity } from '../../webidentity/evaluate.js';
import type { AwsBehaviour } from '../../webidentity/behaviour.js';
import type { AwsError, IamView, IssuerView, WebIdentityResult } from '../../webidentity/types.js';
import { FETCH_RULES, TLS_RULES } from '../findings/rule-map.js';
import type { FindingCode, TemplateVars } from '../findings/registry.js';
import {
  makeFinding,
  type CheckResult,
  type Finding,
  type LiveResult,
  type PredictedError,
  type Verdict,
} from '../report.js';
import { issuerRuleCode } from './issuer.js';
import { withFindings } from './check.js';
import type { LiveAnswer } from '../ports.js';
import { codeForRule } from '../findings/rule-map.js';

/**
 * The verdict for a token: the web-identity model (`evaluateWebIdentity`) run on the IAM view the
 * doctor read and the issuer as fetched from where AWS stands. Its answer is, by construction,
 * what the validating STS answers for the same token and world. The doctor adds only a name for
 * it: the finding that explains the failing rule, preferring a root cause another check found (a
 * private bucket behind a 403, an Authentication CR that disagrees with the provider behind
 * "No OpenIDConnect provider found…" or, since 2026, behind the generic "could not be validated"
 * text that no longer names the cause, an expired certificate behind a thumbprint error).
 */

/** Root causes, in order of preference, that explain each kind of failing rule. */
const ROOT_CAUSES: readonly {
  readonly rules: (rule: string) => boolean;
  readonly codes: readonly FindingCode[];
}[] = [
  {
    rules: (r) => r === 'provider.lookup' || r === 'provider.issuer-https',
    codes: [
      'AUTHENTICATION_ISSUER_MISSING',
      'ISSUER_MISMATCH',
      'ISSUER_S3_FORM_MISMATCH',
      'PROVIDER_URL_CASE_OR_SLASH',
    ],
  },
  {
    rules: (r) => FETCH_RULES.has(r),
    codes: [
      'S3_BUCKET_MISSING',
      'ISSUER_PRIVATE_BUCKET',
      'S3_ACCOUNT_PUBLIC_ACCESS_BLOCK',
      'S3_BUCKET_PUBLIC_ACCESS_BLOCK',
      'CLOUDFRONT_ORIGIN_ACCESS_DENIED',
      'S3_ISSUER_REGION_MISMATCH',
      'CLOUDFRONT_ORIGIN_REGION_MISMATCH',
      'CLOUDFRONT_DISTRIBUTION_NOT_FOUND',
      // Lambda hosting, outermost first: no URL at all, a URL that answers STS's unsigned GET 403
      // (auth type, resource policy), then a function that runs but cannot read its bucket (502).
      'FUNCTION_URL_NOT_FOUND',
      'FUNCTION_URL_AUTH_NOT_NONE',
      'FUNCTION_URL_NOT_PUBLIC',
      'FUNCTION_ROLE_CANNOT_READ_BUCKET',
    ],
  },
  { rules: (r) => TLS_RULES.has(r), codes: ['ISSUER_TLS_CERT_EXPIRED'] },
];

function predicted(error: AwsError): PredictedError {
  return { code: error.code, status: error.status, message: error.message };
}

/** Inputs of one evaluation. */
export interface VerdictInput {
  readonly token: string;
  readonly serviceAccount: string | undefined;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: string | undefined;
  readonly iam: IamView;
  readonly issuer: IssuerView;
  readonly now: Date;
  readonly budgetMs: number;
  /** Which AWS to predict (default today's, `'2026-11'`); the predicted message follows it. */
  readonly behaviour?: AwsBehaviour;
}

/** Runs the model for one token. */
export function evaluateToken(input: VerdictInput): Promise<WebIdentityResult> {
  return evaluateWebIdentity({
    request: {
      RoleArn: input.roleArn,
      RoleSessionName: input.sessionName,
      WebIdentityToken: input.token.trim(),
      ...(input.durationSeconds === undefined ? {} : { DurationSeconds: input.durationSeconds }),
    },
    iam: input.iam,
    issuer: input.issuer,
    now: input.now,
    fetchBudgetMs: input.budgetMs,
    ...(input.behaviour === undefined ? {} : { behaviour: input.behaviour }),
  });
}

/** The verdict as report data. */
export function toVerdict(result: WebIdentityResult, serviceAccount: string | undefined): Verdict {
  if (result.ok) {
    return {
      ok: true,
      serviceAccount,
      assumedRoleArn: result.grant.assumedRoleArn,
      audience: result.grant.audience,
      provider: result.grant.provider,
    };
  }
  const step = [...result.steps].reverse().find((s) => s.rule === result.rule);
  return {
    ok: false,
    serviceAccount,
    error: predicted(result.error),
    rule: result.rule,
    detail: step?.detail ?? '',
  };
}

/**
 * The decisive finding for a failed evaluation: a root cause among `related` (findings of the
 * issuer, hosting and cluster checks) when one explains the failing rule, else the rule's own
 * finding. Either way its predicted error is the model's error, byte for byte.
 */
export function decisiveFinding(
  result: Extract<WebIdentityResult, { ok: false }>,
  related: readonly Finding[],
  vars: TemplateVars,
  observationFor: (rule: string) => Parameters<typeof codeForRule>[1],
  now: Date,
): Finding {
  const error = predicted(result.error);
  for (const cause of ROOT_CAUSES) {
    if (!cause.rules(result.rule)) continue;
    for (const code of cause.codes) {
      const root = related.find((f) => f.code === code);
      // The cause of a refusal is an error whatever its severity alone (a region mismatch is only a
      // warning while the documents are still served).
      if (root !== undefined) return { ...root, severity: 'error', predictedError: error, decisive: true };
    }
  }
  const step = [...result.steps].reverse().find((s) => s.rule === result.rule);
  const code = issuerRuleCode(result.rule, observationFor(result.rule), now);
  // The issuer's own checks may have found the same thing with more names filled in (a thumbprint).
  const same = related.find((f) => f.code === code && f.severity === 'error');
  if (same !== undefined) return { ...same, predictedError: error, decisive: true };
  return makeFinding(code, step?.detail ?? result.error.message, vars, {
    predictedError: error,
    decisive: true,
  });
}

/** The verdict as a check result (its failure carries the decisive finding). */
export function verdictCheck(verdict: Verdict, decisive: Finding | undefined, label: string): CheckResult {
  const id = 'sts.verdict';
  const title = `What STS answers${label === '' ? '' : ` for ${label}`}`;
  if (verdict.ok) {
    return withFindings(
      id,
      title,
      'credentials',
      [],
      `credentials for ${verdict.assumedRoleArn} (audience ${verdict.audience})`,
    );
  }
  return withFindings(
    id,
    title,
    decisive?.hop ?? 'credentials',
    decisive === undefined ? [] : [decisive],
    '',
  );
}

/** Compares a live answer with the verdict. */
export function compareLive(
  verdict: Verdict,
  answer: LiveAnswer,
  vars: TemplateVars,
): { live: LiveResult; finding?: Finding } {
  const matches = verdict.ok
    ? answer.ok
    : !answer.ok && answer.code === verdict.error.code && answer.message === verdict.error.message;
  const live: LiveResult = {
    serviceAccount: verdict.serviceAccount,
    ok: answer.ok,
    ...(answer.ok
      ? { assumedRoleArn: answer.assumedRoleArn }
      : { error: { code: answer.code, status: answer.status, message: answer.message } }),
    matchesPrediction: matches,
  };
  if (matches) return { live };
  const said = answer.ok ? 'credentials' : `${answer.code}: ${answer.message}`;
  const expected = verdict.ok ? 'credentials' : `${verdict.error.code}: ${verdict.error.message}`;
  return {
    live,
    finding: makeFinding('LIVE_MISMATCH', `AWS answered ${said}; the model predicted ${expected}`, vars, {
      predictedError: answer.ok
        ? null
        : { code: answer.code, status: answer.status, message: answer.message },
    }),
  };
}
