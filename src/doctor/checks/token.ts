import { StepLog } from '../../webidentity/steps.js';
import { checkExpiry, decodeToken, requireClaims, type DecodedToken } from '../../webidentity/token.js';
import { codeForRule } from '../findings/rule-map.js';
import type { TemplateVars } from '../findings/registry.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import { withFindings } from './check.js';

/**
 * Token shape and claims (alg, kid, iss, aud, sub, exp/iat/nbf, age) through the model's own
 * per-stage functions (decodeToken, requireClaims, checkExpiry), so the errors are the ones STS
 * answers; plus what STS does not enforce but people trip over: no `kid`, a token issued more than
 * a day ago ("Token too old", aws-sts-oidc.md §2), `iat`/`nbf` in the future, and an `iss` that
 * is not the issuer under test.
 */

/** Tokens issued longer ago than this are flagged (§2: "Token too old" seen at about 1.8 days). */
export const TOKEN_OLD_SECONDS = 86_400;
/** Clock skew tolerated before `iat`/`nbf` count as "in the future". */
const FUTURE_SKEW_SECONDS = 60;

/** The token check's result and what it decoded. */
export interface TokenCheck {
  readonly result: CheckResult;
  readonly decoded: DecodedToken | undefined;
}

/** Runs the token check. `expectedIssuer` is the issuer under test, when there is one. */
export function checkToken(
  token: string,
  now: Date,
  vars: TemplateVars,
  expectedIssuer: string | undefined,
): TokenCheck {
  const log = new StepLog();
  const findings: Finding[] = [];
  const title = 'Token shape and claims';
  const decoded = decodeToken(token.trim(), log);
  if (!decoded.ok) {
    const step = log.steps.at(-1);
    findings.push(
      makeFinding(codeForRule(decoded.rule), step?.detail ?? decoded.error.message, vars, {
        predictedError: decoded.error,
      }),
    );
    return { result: withFindings('token.claims', title, 'token', findings, ''), decoded: undefined };
  }
  const t = decoded.value;
  const claims = requireClaims(t, log);
  if (!claims.ok) {
    findings.push(
      makeFinding(codeForRule(claims.rule), log.steps.at(-1)?.detail ?? '', vars, {
        predictedError: claims.error,
      }),
    );
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const expiry = checkExpiry(t, now, log);
  if (!expiry.ok) {
    const exp = typeof t.claims.exp === 'number' ? String(t.claims.exp) : undefined;
    findings.push(
      makeFinding(
        codeForRule(expiry.rule),
        log.steps.at(-1)?.detail ?? '',
        { ...vars, now: String(nowSeconds), ...(exp === undefined ? {} : { exp }) },
        { predictedError: expiry.error },
      ),
    );
  }
  if (t.kid === undefined) {
    findings.push(makeFinding('TOKEN_NO_KID', `header ${JSON.stringify(t.header)} has no kid`, vars));
  }
  const iat = t.claims.iat;
  if (typeof iat === 'number' && nowSeconds - iat > TOKEN_OLD_SECONDS) {
    findings.push(
      makeFinding('TOKEN_OLD', `issued ${Math.round((nowSeconds - iat) / 3600)} h ago (iat ${iat})`, vars),
    );
  }
  for (const claim of ['iat', 'nbf'] as const) {
    const value = t.claims[claim];
    if (typeof value === 'number' && value - nowSeconds > FUTURE_SKEW_SECONDS) {
      findings.push(
        makeFinding(
          'TOKEN_NOT_YET_VALID',
          `${claim} ${value} is ${value - nowSeconds} s in the future`,
          vars,
        ),
      );
    }
  }
  const iss = t.claims.iss;
  if (expectedIssuer !== undefined && typeof iss === 'string' && iss !== expectedIssuer) {
    findings.push(
      makeFinding(
        'TOKEN_ISSUER_UNEXPECTED',
        `iss ${iss} is not the issuer under test ${expectedIssuer}`,
        vars,
      ),
    );
  }
  const aud = Array.isArray(t.claims.aud) ? t.claims.aud.join(', ') : (t.claims.aud ?? '');
  return {
    result: withFindings(
      'token.claims',
      title,
      'token',
      findings,
      `alg ${t.alg}, kid ${t.kid ?? '(none)'}, iss ${String(iss)}, aud ${aud}, sub ${String(t.claims.sub)}`,
    ),
    decoded: t,
  };
}
