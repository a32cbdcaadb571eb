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
 * One constraint violation in AWS's validation-framework wording (§2, `ValidationError` row):
 * `Value '<v>' at '<member>' failed to satisfy constraint: Member must …`.
 */
export const constraintViolations = {
  /** `Value null at 'roleArn' failed to satisfy constraint: Member must not be null` (standard framework form; [unverified] for STS). */
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
 * `Value 'x' at 'member'`; for `sensitive` members (the token) the value is left out, as the
 * validation framework does for sensitive fields elsewhere (`Value at 'password' …`) [unverified for STS].
 */
function valueAt(member: string, value: string | undefined): string {
  return value === undefined ? `Value at '${member}'` : `Value '${value}' at '${member}'`;
}

/** The AWS error catalogue of `AssumeRoleWithWebIdentity`. */
export const awsErrors = {
  /** §2: discovery/JWKS unreachable, not 200, slow (> 5 s), bad discovery fields, kid not in the JWKS. */
  couldNotRetrieveKey: (): AwsError => sender('InvalidIdentityToken', 400, COULD_NOT_RETRIEVE_KEY),

  /** §2: STS echoes `iss` verbatim (trailing slash included). */
  noProvider: (iss: string): AwsError =>
    sender('InvalidIdentityToken', 400, `No OpenIDConnect provider found in your account for ${iss}`),

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

  /** §2. */
  regionDisabled: (account: string): AwsError =>
    sender(
      'RegionDisabledException',
      403,
      `STS is not activated in this region for account:${account}. Your account administrator can activate STS in this region using the IAM Console.`,
    ),

  /**
   * [unverified] (§11.7: no raw response known for a malformed JWT). This wording is a recollection of
   * what STS answers for opaque access tokens; stsctl uses it for anything that does not decode as a JWS.
   */
  malformedToken: (): AwsError =>
    sender(
      'InvalidIdentityToken',
      400,
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    ),

  /** [unverified] (§11.7) stsctl's wording for an `alg` outside RS256/384/512, ES256/384/512 (§1.2). */
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
