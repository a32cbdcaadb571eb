/**
 * Dated behaviour profiles of AWS STS `AssumeRoleWithWebIdentity`, and the evidence each answer of
 * the model rests on.
 *
 * AWS changes what STS answers without versioning the API: since about June–July 2026 a missing or
 * mismatched IAM OIDC provider gets a generic message instead of "No OpenIDConnect provider found…"
 * (aws-sts-2026.md §1), and since 2026-01/02 trust policies may test provider-specific claims
 * (§2). The model therefore answers as AWS does today by default, and can be asked to answer as AWS
 * did before, so that an answer recorded in an older log can be reproduced and explained.
 */

/**
 * A behaviour profile, named by the month whose AWS it describes.
 * - `'2026-11'`: AWS as the 2026 fact sheet (aws-sts-2026.md, reviewed 2026-11) describes it:
 *   generic message for a missing/mismatched provider, provider-specific claim keys, the request
 *   validation details of §5, "not a valid JWT" for a refused algorithm (§6).
 * - `'2025-12'`: AWS before either 2026 change, as the older fact sheet (aws-sts-oidc.md) recorded
 *   it: `No OpenIDConnect provider found in your account for <iss>`, no provider-specific keys.
 *   Where the older sheet had no evidence (request-validation order, a refused algorithm's text),
 *   this profile keeps the answers stsctl gave then, so earlier records stay reproducible.
 */
export type AwsBehaviour = '2026-11' | '2025-12';

/** Every profile, newest first. */
export const AWS_BEHAVIOURS: readonly AwsBehaviour[] = ['2026-11', '2025-12'];

/** The profile used when none is asked for: AWS as it answers today. */
export const DEFAULT_AWS_BEHAVIOUR: AwsBehaviour = '2026-11';

/** True for a known profile name (for option parsing at the edges). */
export function isAwsBehaviour(value: string): value is AwsBehaviour {
  return (AWS_BEHAVIOURS as readonly string[]).includes(value);
}

/**
 * How an answer is known (the kinds aws-sts-2026.md defines):
 * - `raw`: an AWS response body or SDK log pasted publicly;
 * - `user`: a user quoting AWS's message;
 * - `probe`: a public probe suite run against real STS for `AssumeRole`/`GetCallerIdentity` (same
 *   Query front end and validation framework; applying it to web identity is an inference);
 * - `doc`: AWS documentation or announcement;
 * - `3rd`: an emulator or third-party client (may be wrong);
 * - `inferred`: no direct source; stsctl's documented choice.
 */
export type EvidenceKind = 'raw' | 'user' | 'probe' | 'doc' | '3rd' | 'inferred';

/** The evidence behind one answer. */
export interface Evidence {
  readonly kind: EvidenceKind;
  /** Fact-sheet section(s): `2026 §5` (aws-sts-2026.md) or `§2` (aws-sts-oidc.md). */
  readonly sheet: string;
  /** The public source the sheet names, with its date, when there is one. */
  readonly source?: string;
}
