import { awsErrors, profileErrors } from './aws-errors.js';
import { DEFAULT_AWS_BEHAVIOUR, type AwsBehaviour } from './behaviour.js';
import { passed, type Checked, type StepLog } from './steps.js';
import type { TokenClaims } from './token.js';
import type { IamOidcProvider } from './types.js';

/**
 * Finding the IAM OIDC provider for a token and checking its audience (aws-sts-oidc.md §3.1, §3.6).
 */

/**
 * The provider URL with `https://`, the form compared with `iss`. `GetOpenIDConnectProvider`
 * returns the URL without a scheme (§5.1); a view that kept the scheme is accepted as is, the way
 * cluster-api-provider-aws#4017 had to compare both forms.
 */
export function providerIssuerUrl(provider: IamOidcProvider): string {
  return provider.url.startsWith('https://') ? provider.url : `https://${provider.url}`;
}

/** The provider URL without a scheme: the prefix of its condition keys (`<url>:sub`, §3.5). */
export function providerHostPath(provider: IamOidcProvider): string {
  return provider.url.startsWith('https://') ? provider.url.slice('https://'.length) : provider.url;
}

/**
 * Looks the provider up by `iss` in the role's account: `iss` must be `https://` (rule
 * `provider.issuer-https`) and equal a provider's URL byte for byte (rule `provider.lookup`):
 * case- and trailing-slash-sensitive, no normalization (§3.1). Provider URLs always start with
 * `https://`, so a non-https `iss` can match none. Today both fail with the generic 2026 answer
 * (`The web identity token provided could not be validated…`, user reports since 2026-06,
 * aws-sts-2026.md §1); under the `'2025-12'` profile with `No OpenIDConnect provider found in your
 * account for <iss>`, echoing `iss` verbatim (§2, §12). The step detail still says which link broke.
 * @param behaviour the AWS behaviour profile; default today's.
 */
export function findProvider(
  iss: string,
  providers: readonly IamOidcProvider[],
  log: StepLog,
  behaviour: AwsBehaviour = DEFAULT_AWS_BEHAVIOUR,
): Checked<IamOidcProvider> {
  const notFound = profileErrors(behaviour).providerNotFound;
  if (!iss.startsWith('https://')) {
    return log.fail('provider.issuer-https', `iss ${iss} does not start with https://`, notFound(iss));
  }
  log.pass('provider.issuer-https', iss);

  const provider = providers.find((p) => providerIssuerUrl(p) === iss);
  if (provider === undefined) {
    const known = providers.map(providerIssuerUrl);
    const near = known.find(
      (url) => url.replace(/\/$/, '').toLowerCase() === iss.replace(/\/$/, '').toLowerCase(),
    );
    const hint = near === undefined ? '' : ` (${near} differs only in case or a trailing slash)`;
    return log.fail(
      'provider.lookup',
      `no provider URL equals ${iss} among ${known.length} provider(s)${hint}`,
      notFound(iss),
    );
  }
  log.pass('provider.lookup', provider.arn);
  return passed(provider);
}

/**
 * The audience check (rule `audience.client-id`): the effective audience is `azp` when the token
 * has one, else `aud` (any element of a list); it must be in the provider's ClientIDList, compared
 * exactly (§2 "Incorrect token audience", §3.6: the `azp` rule is observed for Azure AD v2, not
 * documented by AWS for generic providers). Both profiles keep the specific message: two 2026
 * runbooks say an audience mismatch now gets the generic text, but that is unconfirmed
 * (aws-sts-2026.md §1), and the specific text is the one with raw evidence; the doctor's explainer
 * lists an audience mismatch among the causes of the generic message all the same.
 * @returns the effective audience (the matching client ID).
 */
export function checkAudience(claims: TokenClaims, provider: IamOidcProvider, log: StepLog): Checked<string> {
  const candidates = claims.azp !== undefined ? [claims.azp] : claims.aud;
  const audience = candidates.find((a) => provider.clientIds.includes(a));
  const source = claims.azp !== undefined ? 'azp' : 'aud';
  if (audience === undefined) {
    return log.fail(
      'audience.client-id',
      `${source} ${JSON.stringify(candidates)} not in ClientIDList ${JSON.stringify(provider.clientIds)}`,
      awsErrors.incorrectAudience(),
    );
  }
  log.pass('audience.client-id', `${source} ${audience} is a client ID of the provider`);
  return passed(audience);
}
