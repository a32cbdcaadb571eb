import { DEFAULT_AWS_BEHAVIOUR, type AwsBehaviour, type Evidence } from './behaviour.js';
import type { AwsError } from './types.js';

/**
 * Every AWS error the web-identity model can answer with, in one place: code, HTTP status, and
 * AWS's exact message text (aws-sts-oidc.md §2, copied byte for byte). Builders marked
 * **[unverified]** carry a message stsctl chose because no public raw response is known
 * (aws-sts-oidc.md §11.7); they keep AWS's code and status, and docs/webidentity.md lists them.
 *
 * All of these are `Sender` faults: the model lists every `AssumeRoleWithWebIdentity` error as
 * `senderFault: true` (§2), and `AccessDenied` / `ValidationError` are client errors too.
 */

function sender(code: string, status: number, message: string): AwsError {
  return { code, status, message, type: 'Sender' };
}

/** The two spaces after the comma are in AWS's raw bytes (§2, §11.4). */
const COULD_NOT_RETRIEVE_KEY =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/**
 * The 2026 generic answer for a missing or mismatched provider (aws-sts-2026.md §1: user reports
 * from 2026-06 on, external-secrets/external-secrets#6648 of 2026-07-14), byte for byte.
 */
export const GENERIC_INVALID_TOKEN =
  'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.';

/**
 * One constraint violation in AWS's validation-framework wording (§2, `ValidationError` row):
 * `Value '<v>' at '<member>' failed to satisfy constraint: Member must …`.
 */
export const constraintViolations = {
  /** `Value null at 'roleArn' failed to satisfy constraint: Member must not be null` (confirmed: aws-sts-2026.md §5). */
  notNull: (member: string): string =>
    `Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  /** Observed for `roleSessionName` (§2). */
  maxLength: (member: string, value: string | undefined, max: number): string =>
    `${valueAt(member, value)} failed to satisfy constraint: Member must have length less than or equal to ${max}`,
  minLength: (member: string, value: string | undefined, min: number): string =>
    `${valueAt(member, value)} failed to satisfy constraint: Member must have length greater than or equal to ${min}`,
  /** Observed: `… Member must satisfy regular expression pattern: [\w+=,.@-]*` (§2). */
  pattern: (member: string, value: string | undefined, pattern: string): string =>
    `${valueAt(member, value)} failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
  /** Observed on GetSessionToken, same framework (§2). */
  minValue: (member: string, value: string, min: number): string =>
    `${valueAt(member, value)} failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
  maxValue: (member: string, value: string, max: number): string =>
    `${valueAt(member, value)} failed to satisfy constraint: Member must have value less than or equal to ${max}`,
  /** [unverified] stsctl's wording for a DurationSeconds that is not a whole number. */
  notInteger: (member: string, value: string): string =>
    `${valueAt(member, value)} failed to satisfy constraint: Member must be an integer`,
};

/**
 * `Value 'x' at 'member'`; for `sensitive` members (the token) the value is left out: `Value at
 * 'webIdentityToken' …` (user, confirmed: aws-sts-2026.md §5).
 */
function valueAt(member: string, value: string | undefined): string {
  return value === undefined ? `Value at '${member}'` : `Value '${value}' at '${member}'`;
}

/** The AWS error catalogue of `AssumeRoleWithWebIdentity`. */
export const awsErrors = {
  /** §2: discovery/JWKS unreachable, not 200, slow (> 5 s), bad discovery fields, kid not in the JWKS. */
  couldNotRetrieveKey: (): AwsError => sender('InvalidIdentityToken', 400, COULD_NOT_RETRIEVE_KEY),

  /**
   * §2: STS echoes `iss` verbatim (trailing slash included). The answer of the `'2025-12'` profile;
   * since mid-2026 AWS answers {@link awsErrors.tokenNotValidated} instead (aws-sts-2026.md §1).
   */
  noProvider: (iss: string): AwsError =>
    sender('InvalidIdentityToken', 400, `No OpenIDConnect provider found in your account for ${iss}`),

  /**
   * aws-sts-2026.md §1: the 2026 generic answer for no provider, a wrong issuer host, an issuer
   * missing its path, a destroyed provider; it no longer says which link broke.
   */
  tokenNotValidated: (): AwsError => sender('InvalidIdentityToken', 400, GENERIC_INVALID_TOKEN),

  /** §2, §4. */
  thumbprintMismatch: (): AwsError =>
    sender(
      'InvalidIdentityToken',
      400,
      "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    ),

  /** §2: the effective audience is not in the provider's ClientIDList. */
  incorrectAudience: (): AwsError => sender('InvalidIdentityToken', 400, 'Incorrect token audience'),

  /**
   * §2: observed for `aud` (`Missing a required claim: aud`). For `iss`, `sub` and `exp` the same
   * form is stsctl's choice [unverified].
   */
  missingClaim: (claim: string): AwsError =>
    sender('InvalidIdentityToken', 400, `Missing a required claim: ${claim}`),

  /** §2: the 2024 form, a space before each number; values are Unix seconds. */
  tokenExpired: (nowSeconds: number, expSeconds: number): AwsError =>
    sender(
      'ExpiredTokenException',
      400,
      `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${expSeconds}`,
    ),

  /** §2: no statement allows, an explicit deny, or no such role. The message names no role. */
  accessDenied: (): AwsError =>
    sender('AccessDenied', 403, 'Not authorized to perform sts:AssumeRoleWithWebIdentity'),

  /**
   * §2: `1 validation error detected: …`, or `N validation errors detected: …; …`.
   * @param violations messages from {@link constraintViolations}, in the request shape's member order.
   */
  validation: (violations: readonly string[]): AwsError =>
    sender(
      'ValidationError',
      400,
      `${violations.length} validation error${violations.length === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
    ),

  /** §2, §12. */
  durationExceedsMax: (): AwsError =>
    sender(
      'ValidationError',
      400,
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    ),

  /** §2 (re:Post `eks-troubleshoot-irsa-errors`: a role ARN with an extra `:`). */
  invalidRoleArn: (): AwsError => sender('ValidationError', 400, 'Request ARN is invalid'),

  /**
   * aws-sts-2026.md §5: a `RoleArn` that is not an ARN at all answers `<value> is invalid` (probe
   * on `AssumeRole`; inferred for web identity, same front end).
   */
  invalidArnValue: (value: string): AwsError => sender('ValidationError', 400, `${value} is invalid`),

  /**
   * aws-sts-2026.md §5: a `DurationSeconds` that does not parse as a number fails before validation
   * with `MalformedInput` (400); `""` answers `missing value for decimal type` (probe). For other
   * text the wording is stsctl's [inferred].
   */
  malformedDuration: (value: string): AwsError =>
    sender(
      'MalformedInput',
      400,
      value === '' ? 'missing value for decimal type' : `invalid value for decimal type: ${value}`,
    ),

  /** §2. */
  regionDisabled: (account: string): AwsError =>
    sender(
      'RegionDisabledException',
      403,
      `STS is not activated in this region for account:${account}. Your account administrator can activate STS in this region using the IAM Console.`,
    ),

  /**
   * aws-sts-2026.md §6 (user/3rd): the answer for malformed tokens and for algorithms STS refused
   * before ECDSA support; so the best-supported answer for any token STS cannot take as a JWS.
   */
  malformedToken: (): AwsError =>
    sender(
      'InvalidIdentityToken',
      400,
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    ),

  /**
   * [inferred] (§11.7) stsctl's earlier wording for an `alg` outside RS256/384/512, ES256/384/512
   * (§1.2); kept for the `'2025-12'` profile. Today's profile answers {@link awsErrors.malformedToken}.
   */
  unsupportedAlgorithm: (alg: string): AwsError =>
    sender('InvalidIdentityToken', 400, `Unsupported signing algorithm in the ID Token: ${alg}`),

  /** [unverified] (§11.7) stsctl's wording for a signature that does not verify with the `kid`'s key. */
  invalidSignature: (): AwsError =>
    sender('InvalidIdentityToken', 400, 'The ID Token signature could not be verified'),

  /**
   * [unverified] stsctl's wording for a time claim that is not a whole number; the model requires
   * "Timestamps in the token must be formatted as either an integer or a long integer" (§1.2).
   */
  invalidTimestamp: (claim: string): AwsError =>
    sender(
      'InvalidIdentityToken',
      400,
      `Invalid value for the ${claim} claim: timestamps must be formatted as either an integer or a long integer`,
    ),
};

/**
 * The answers that depend on the behaviour profile (behaviour.ts): the same failure, answered as
 * AWS does in that profile.
 */
export interface ProfileErrors {
  /** No provider for `iss` (or a non-https `iss`): §1 of aws-sts-2026.md. */
  readonly providerNotFound: (iss: string) => AwsError;
  /** An `alg` STS refuses: aws-sts-2026.md §6 ("not a valid JWT" best-supported). */
  readonly refusedAlgorithm: (alg: string) => AwsError;
}

/** The profile-dependent answers of `behaviour` (default: today's). */
export function profileErrors(behaviour: AwsBehaviour = DEFAULT_AWS_BEHAVIOUR): ProfileErrors {
  return behaviour === '2025-12'
    ? { providerNotFound: awsErrors.noProvider, refusedAlgorithm: awsErrors.unsupportedAlgorithm }
    : {
        providerNotFound: () => awsErrors.tokenNotValidated(),
        refusedAlgorithm: () => awsErrors.malformedToken(),
      };
}

/** A builder of the catalogue. */
export type AwsErrorName = keyof typeof awsErrors;

/**
 * The evidence behind each message of the catalogue (kind, fact-sheet section, public source and
 * date). `2026 §n` is aws-sts-2026.md, `§n` aws-sts-oidc.md. docs/webidentity.md shows the same.
 */
export const MESSAGE_EVIDENCE: Readonly<Record<AwsErrorName, Evidence>> = {
  couldNotRetrieveKey: {
    kind: 'raw',
    sheet: '§2, §11.4, 2026 §7',
    source: 'openshift/cloud-credential-operator#468; GitLab 342243',
  },
  noProvider: {
    kind: 'raw',
    sheet: '§2, 2026 §1',
    source: 'mozilla-iam/mozilla-aws-cli#127 (iss echoed verbatim)',
  },
  tokenNotValidated: {
    kind: 'user',
    sheet: '2026 §1',
    source: 'external-secrets/external-secrets#6648 (2026-07-14); reports of 2026-06, 2026-07, 2026-08',
  },
  thumbprintMismatch: { kind: 'user', sheet: '§2, §4' },
  incorrectAudience: {
    kind: 'user',
    sheet: '§2, 2026 §1 (unconfirmed reports that 2026 folds it into the generic text)',
  },
  missingClaim: {
    kind: 'user',
    sheet: '2026 §6 (aud, sub confirmed; iss, exp inferred, 2026 §8)',
    source: 'aws-sdk-ruby#2698 (aud)',
  },
  tokenExpired: { kind: 'raw', sheet: '§2, 2026 §6 (2024 form with the space; the 2021 form lacked it)' },
  accessDenied: { kind: 'user', sheet: '§2, §6' },
  validation: {
    kind: 'probe',
    sheet: '§2, 2026 §5',
    source: 'also seen in a real AssumeRoleWithSAML answer',
  },
  durationExceedsMax: { kind: 'doc', sheet: '§1.2, §2, §12' },
  invalidRoleArn: { kind: 'user', sheet: '§2, 2026 §5', source: 're:Post eks-troubleshoot-irsa-errors' },
  invalidArnValue: { kind: 'inferred', sheet: '2026 §5 (probe on AssumeRole)' },
  malformedDuration: {
    kind: 'probe',
    sheet: '2026 §5 ("" → missing value for decimal type; other text inferred)',
  },
  regionDisabled: {
    kind: 'user',
    sheet: '§2, 2026 §7 (a deactivated region answers the provider lookup instead)',
  },
  malformedToken: { kind: 'user', sheet: '2026 §6 (user/3rd)' },
  unsupportedAlgorithm: { kind: 'inferred', sheet: '§11.7 (the 2025-12 profile only)' },
  invalidSignature: { kind: 'inferred', sheet: '§11.7, 2026 §8' },
  invalidTimestamp: { kind: 'inferred', sheet: '§1.2, 2026 §8' },
};
