import { awsErrors, constraintViolations } from './aws-errors.js';
import { DEFAULT_AWS_BEHAVIOUR, type AwsBehaviour } from './behaviour.js';
import type { RuleId } from './rules.js';
import { passed, type Checked, type StepLog } from './steps.js';
import type { AssumeRoleWithWebIdentityRequest, IamRole } from './types.js';

/**
 * Request validation, the first thing STS does: the model's shape constraints on every member
 * (aws-sts-oidc.md §1.2), all violations reported together in one `ValidationError` (§2), then the
 * role ARN's form (`Request ARN is invalid`, §2). Nothing here looks at the token's contents or IAM.
 *
 * Today's profile (`'2026-11'`) follows the validation framework details of aws-sts-2026.md §5
 * (probe, user): per member the pattern violation is listed before the length one; lengths count
 * Unicode code points; characters outside the Basic Multilingual Plane fail the pattern; a
 * `DurationSeconds` that is not an integer is `MalformedInput`; a `RoleArn` that is not an ARN at
 * all answers `<value> is invalid`. The `'2025-12'` profile keeps the answers stsctl gave from the
 * older sheet (length first, UTF-16 lengths, `… Member must be an integer`, `Request ARN is invalid`
 * for every bad ARN): no dated AWS change is known there, the older answers were the model's guesses,
 * and the profile keeps earlier records reproducible.
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
/**
 * The same pattern as AWS applies it today: characters outside the BMP fail (aws-sts-2026.md §5).
 * Java reads the model's `\u10000-\u10FFFF` as `\u1000` + `0-\u10FF` + `FF`, so no supplementary
 * character is in the class; the observed failures fit that reading.
 */
const ARN_RE_BMP = /^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD]+$/u;
/** `arn:<partition>:<service>:<region>:<account>:<resource>`: an ARN of any kind (§5 of the 2026 sheet). */
const ANY_ARN_RE = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:./;
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
  behaviour: AwsBehaviour,
): MemberRule {
  if (value === undefined) {
    return { rule, violations: spec.required ? [constraintViolations.notNull(member)] : [] };
  }
  const shown = spec.sensitive === true ? undefined : value;
  const today = behaviour !== '2025-12';
  // Today: code points (2026 §5). 2025-12 profile: UTF-16 code units, as stsctl counted before.
  const length = today ? codePoints(value) : value.length;
  const lengths: string[] = [];
  if (length < spec.min) lengths.push(constraintViolations.minLength(member, shown, spec.min));
  if (length > spec.max) lengths.push(constraintViolations.maxLength(member, shown, spec.max));
  const patterns =
    spec.pattern !== undefined && !spec.pattern.re.test(value)
      ? [constraintViolations.pattern(member, shown, spec.pattern.text)]
      : [];
  // Today: pattern first, then length (2026 §5, probe; also a real AssumeRoleWithSAML answer).
  return { rule, violations: today ? [...patterns, ...lengths] : [...lengths, ...patterns] };
}

/** Unicode code points in `value`: UTF-16 units less one per surrogate pair. */
function codePoints(value: string): number {
  return value.length - (value.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

interface DurationMember extends MemberRule {
  readonly seconds: number;
  /** Set when the value does not parse at all (today's profile: `MalformedInput`). */
  readonly malformed?: string;
}

function durationMember(value: string | undefined, behaviour: AwsBehaviour): DurationMember {
  const rule = 'request.duration';
  if (value === undefined) return { rule, violations: [], seconds: DEFAULT_DURATION_SECONDS };
  let seconds: number;
  let shown: string;
  if (behaviour === '2025-12') {
    if (!/^-?\d+$/.test(value)) {
      return { rule, violations: [constraintViolations.notInteger('durationSeconds', value)], seconds: NaN };
    }
    seconds = Number(value);
    shown = value;
  } else {
    // 2026 §5 (probe): `+900` and `0900` are 900; anything else that is not an integer fails to
    // deserialize (MalformedInput) before validation. The violation echoes the parsed number, as
    // the framework validates the deserialized member [inferred].
    if (!/^[+-]?\d+$/.test(value)) return { rule, violations: [], seconds: NaN, malformed: value };
    seconds = Number(value);
    shown = String(seconds);
  }
  const violations: string[] = [];
  if (seconds < MIN_DURATION_SECONDS)
    violations.push(constraintViolations.minValue('durationSeconds', shown, MIN_DURATION_SECONDS));
  if (seconds > MAX_DURATION_SECONDS)
    violations.push(constraintViolations.maxValue('durationSeconds', shown, MAX_DURATION_SECONDS));
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
  behaviour: AwsBehaviour = DEFAULT_AWS_BEHAVIOUR,
): Checked<ValidatedRequest> {
  const duration = durationMember(request.DurationSeconds, behaviour);
  if (duration.malformed !== undefined) {
    return log.fail(
      'request.duration',
      `DurationSeconds ${JSON.stringify(duration.malformed)} is not an integer`,
      awsErrors.malformedDuration(duration.malformed),
    );
  }
  const today = behaviour !== '2025-12';
  const members: readonly MemberRule[] = [
    stringMember(
      'request.role-arn',
      'roleArn',
      request.RoleArn,
      {
        required: true,
        min: 20,
        max: 2048,
        pattern: { text: ARN_PATTERN, re: today ? ARN_RE_BMP : ARN_RE },
      },
      behaviour,
    ),
    stringMember(
      'request.session-name',
      'roleSessionName',
      request.RoleSessionName,
      {
        required: true,
        min: 2,
        max: 64,
        pattern: { text: ROLE_SESSION_NAME_PATTERN, re: SESSION_NAME_RE },
      },
      behaviour,
    ),
    // The token is `sensitive` in the model: its value is never echoed.
    stringMember(
      'request.token-length',
      'webIdentityToken',
      request.WebIdentityToken,
      {
        required: true,
        min: MIN_TOKEN_LENGTH,
        max: MAX_TOKEN_LENGTH,
        sensitive: true,
      },
      behaviour,
    ),
    stringMember(
      'request.provider-id',
      'providerId',
      request.ProviderId,
      {
        required: false,
        min: 4,
        max: 2048,
      },
      behaviour,
    ),
    {
      rule: 'request.policy-arns',
      violations:
        request.PolicyArns !== undefined && request.PolicyArns.length > 10
          ? [constraintViolations.maxLength('policyArns', `[${request.PolicyArns.join(', ')}]`, 10)]
          : [],
    },
    stringMember(
      'request.policy',
      'policy',
      request.Policy,
      {
        required: false,
        min: 1,
        max: 2048,
        pattern: { text: POLICY_PATTERN, re: POLICY_RE },
      },
      behaviour,
    ),
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
    // Today: an ARN of another kind is `Request ARN is invalid` (user), text that is no ARN at all
    // `<value> is invalid` (2026 §5, probe on AssumeRole, inferred here).
    const notAnArn = today && !ANY_ARN_RE.test(roleArn);
    return log.fail(
      'request.role-arn-format',
      notAnArn ? `${roleArn} is not an ARN` : `${roleArn} is not arn:<partition>:iam::<account>:role/<name>`,
      notAnArn ? awsErrors.invalidArnValue(roleArn) : awsErrors.invalidRoleArn(),
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
