/**
 * Provider-specific claim condition keys: claims of well-known identity providers that AWS STS
 * offers to trust policies (and resource control policies) as `<provider url>:<claim>` since the
 * announcement "AWS STS supports validation of select identity provider specific claims"
 * (https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/,
 * 2026-01/02; aws-sts-2026.md §2).
 *
 * Only keys with a public source naming them are listed. The announcement also names Google,
 * CircleCI and Oracle Cloud Infrastructure, but no public list of their keys could be found, so
 * they are left out rather than guessed: a condition on such a key behaves as a missing key.
 * GitLab is not among the providers the announcement names.
 */

/** One identity provider whose specific claims AWS offers as condition keys. */
export interface ProviderClaimKeys {
  /** Display name. */
  readonly name: string;
  /** The issuer (`iss`, with `https://`) the keys exist for: only tokens of this issuer have them. */
  readonly issuer: string;
  /** Claim names; each is offered as `<issuer without https://>:<claim>`, valued from the claim. */
  readonly claims: readonly string[];
  /** Where the list comes from, with its date. */
  readonly source: string;
}

/**
 * The table. GitHub Actions: the keys of aws-sts-2026.md §2, which match the table of
 * https://cageyv.dev/posts/aws-sts-oidc-claim-validation/ (2026-02-06, quoting AWS's
 * announcement: condition key = JWT claim, evaluated in the trust policy, not carried into the
 * session).
 */
export const PROVIDER_CLAIM_KEYS: readonly ProviderClaimKeys[] = [
  {
    name: 'GitHub Actions',
    issuer: 'https://token.actions.githubusercontent.com',
    claims: [
      'repository',
      'repository_id',
      'repository_owner',
      'actor',
      'actor_id',
      'job_workflow_ref',
      'workflow',
      'ref',
      'environment',
      'enterprise_id',
    ],
    source:
      'AWS What’s New 2026-01 "aws-sts-supports-validation-identity-provider-claims" (aws-sts-2026.md §2); cageyv.dev 2026-02-06',
  },
];

/** The provider-specific claims for an issuer (exact `iss`), or an empty list. */
export function providerSpecificClaims(iss: string): readonly string[] {
  return PROVIDER_CLAIM_KEYS.find((p) => p.issuer === iss)?.claims ?? [];
}
