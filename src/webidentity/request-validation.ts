import { awsErrors, constraintViolations } from './aws-errors.js';
import type { RuleId } from './rules.js';
import { passed, type Checked, type StepLog } from './steps.js';
import type { AssumeRoleWithWebIdentityRequest, IamRole } from './types.js';

/**
 * Request validation, the first thing STS does: the model's shape constraints on every member
 * (aws-sts-oidc.md §1.2), all violations reported together in one `ValidationError` (§2), then the
 * role ARN's form (`Request ARN is invalid`, §2). Nothing here looks at the token's contents or IAM.
 */

/** Default session length when `DurationSeconds` is absent (§1.2). */
export const DEFAULT_DURATION_SECONDS = 3600;
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;
export const MIN_TOKEN_LENGTH = 4;
/** 2048 until the model change of 2021-04-15, 20000 since (§1.2). */
export const MAX_TOKEN_LENGTH = 20000;

/** The pattern texts exactly as the model (and so AWS's messages) spell them. */
export const ROLE_SESSION_NAME_PATTERN = '[\\w+=,.@-]*';
const ARN_PATTERN =
  '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';
const POLICY_PATTERN = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';

// JavaScript's \w is ASCII [A-Za-z0-9_], like Java's default \w the model's patterns are written for.
const SESSION_NAME_RE = /^[\w+=,.@-]*$/;
const ARN_RE = /^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;
const POLICY_RE = /^[\t\n\r\u0020-\u00FF]+$/;
/** `arn:<partition>:iam::<12 digits>:role/<optional path/><name>`; IAM role names are `[\w+=,.@-]{1,64}` (§5.2). */
const ROLE_ARN_RE = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]{1,64})$/;

/** A request that passed validation. */
export interface ValidatedRequest {
  readonly roleArn: string;
  readonly partition: string;
  readonly account: string;
  readonly roleName: string;
  readonly roleSessionName: string;
  readonly token: string;
  /** `DurationSeconds`, or 3600 when absent. */
  readonly durationSeconds: number;
}

interface MemberRule {
  readonly rule: RuleId;
  readonly violations: readonly string[];
}

function stringMember(
  rule: RuleId,
  member: string,
  value: string | undefined,
  spec: {
    readonly required: boolean;
    readonly min: number;
    readonly max: number;
    readonly pattern?: { readonly text: string; readonly re: RegExp };
    readonly sensitive?: boolean;
  },
): MemberRule {
  if (value === undefined) {
    return { rule, violations: spec.required ? [constraintViolations.notNull(member)] : [] };
  }
  const shown = spec.sensitive === true ? undefined : value;
  const violations: string[] = [];
  // Trait order as in the model: length, then pattern.
  if (value.length < spec.min) violations.push(constraintViolations.minLength(member, shown, spec.min));
  if (value.length > spec.max) violations.push(constraintViolations.maxLength(member, shown, spec.max));
  if (spec.pattern !== undefined && !spec.pattern.re.test(value)) {
    violations.push(constraintViolations.pattern(member, shown, spec.pattern.text));
  }
  return { rule, violations };
}

function durationMember(value: string | undefined): MemberRule & { readonly seconds: number } {
  const rule = 'request.duration';
  if (value === undefined) return { rule, violations: [], seconds: DEFAULT_DURATION_SECONDS };
  if (!/^-?\d+$/.test(value)) {
    return { rule, violations: [constraintViolations.notInteger('durationSeconds', value)], seconds: NaN };
  }
  const seconds = Number(value);
  const violations: string[] = [];
  if (seconds < MIN_DURATION_SECONDS)
    violations.push(constraintViolations.minValue('durationSeconds', value, MIN_DURATION_SECONDS));
  if (seconds > MAX_DURATION_SECONDS)
    violations.push(constraintViolations.maxValue('durationSeconds', value, MAX_DURATION_SECONDS));
  return { rule, violations, seconds };
}

/**
 * Validates an `AssumeRoleWithWebIdentity` request the way STS does before it reads the token:
 * every member's constraints (one `ValidationError` listing all violations in the request shape's
 * member order, §1.2, §2), then the role ARN's form (`Request ARN is invalid`).
 * @see aws-sts-oidc.md §1.2, §2
 */
export function validateRequest(
  request: AssumeRoleWithWebIdentityRequest,
  log: StepLog,
): Checked<ValidatedRequest> {
  const duration = durationMember(request.DurationSeconds);
  const members: readonly MemberRule[] = [
    stringMember('request.role-arn', 'roleArn', request.RoleArn, {
      required: true,
      min: 20,
      max: 2048,
      pattern: { text: ARN_PATTERN, re: ARN_RE },
    }),
    stringMember('request.session-name', 'roleSessionName', request.RoleSessionName, {
      required: true,
      min: 2,
      max: 64,
      pattern: { text: ROLE_SESSION_NAME_PATTERN, re: SESSION_NAME_RE },
    }),
    // The token is `sensitive` in the model: its value is never echoed.
    stringMember('request.token-length', 'webIdentityToken', request.WebIdentityToken, {
      required: true,
      min: MIN_TOKEN_LENGTH,
      max: MAX_TOKEN_LENGTH,
      sensitive: true,
    }),
    stringMember('request.provider-id', 'providerId', request.ProviderId, {
      required: false,
      min: 4,
      max: 2048,
    }),
    {
      rule: 'request.policy-arns',
      violations:
        request.PolicyArns !== undefined && request.PolicyArns.length > 10
          ? [constraintViolations.maxLength('policyArns', `[${request.PolicyArns.join(', ')}]`, 10)]
          : [],
    },
    stringMember('request.policy', 'policy', request.Policy, {
      required: false,
      min: 1,
      max: 2048,
      pattern: { text: POLICY_PATTERN, re: POLICY_RE },
    }),
    duration,
  ];

  const violations: string[] = [];
  let firstFailing: RuleId | undefined;
  for (const m of members) {
    if (m.violations.length === 0) {
      log.pass(m.rule, 'within the model constraints');
    } else {
      firstFailing ??= m.rule;
      violations.push(...m.violations);
    }
  }
  if (firstFailing !== undefined) {
    const error = awsErrors.validation(violations);
    for (const m of members) {
      if (m.violations.length > 0 && m.rule !== firstFailing)
        log.fail(m.rule, m.violations.join('; '), error);
    }
    const first = members.find((m) => m.rule === firstFailing);
    return log.fail(firstFailing, first?.violations.join('; ') ?? '', error);
  }

  // Constraints passed, so the three required members are present.
  const roleArn = request.RoleArn ?? '';
  const match = ROLE_ARN_RE.exec(roleArn);
  const [, partition, account, roleName] = match ?? [];
  if (partition === undefined || account === undefined || roleName === undefined) {
    return log.fail(
      'request.role-arn-format',
      `${roleArn} is not arn:<partition>:iam::<account>:role/<name>`,
      awsErrors.invalidRoleArn(),
    );
  }
  log.pass('request.role-arn-format', `role ${roleName} in account ${account} (${partition})`);
  return passed({
    roleArn,
    partition,
    account,
    roleName,
    roleSessionName: request.RoleSessionName ?? '',
    token: request.WebIdentityToken ?? '',
    durationSeconds: duration.seconds,
  });
}

/**
 * `DurationSeconds` against the role's `MaxSessionDuration` (§1.2: "If you specify a value higher
 * than this setting, the operation fails"; message from §2). Evaluated once the caller is
 * authorized: STS does not reveal anything about a role to an unauthorized caller (a missing role
 * answers `AccessDenied`, §2), and this check reads the role [unverified order].
 */
export function checkMaxSessionDuration(
  request: ValidatedRequest,
  explicitDuration: boolean,
  role: IamRole,
  log: StepLog,
): Checked<number> {
  if (request.durationSeconds > role.maxSessionDuration) {
    return log.fail(
      'request.duration-max',
      `DurationSeconds ${request.durationSeconds} > MaxSessionDuration ${role.maxSessionDuration}`,
      awsErrors.durationExceedsMax(),
    );
  }
  log.pass(
    'request.duration-max',
    `${request.durationSeconds} s${explicitDuration ? '' : ' (default)'} <= MaxSessionDuration ${role.maxSessionDuration} s`,
  );
  return passed(request.durationSeconds);
}
