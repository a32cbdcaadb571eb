import type { JWTPayload } from 'jose';
import { providerSpecificClaims } from '../core/provider-claims.js';
import { DEFAULT_AWS_BEHAVIOUR, type AwsBehaviour } from './behaviour.js';
import type { SessionClaims } from './session-claims.js';
import type { TrustPolicyContext } from './trust-policy.js';

/**
 * The request context a web-identity call offers to trust-policy conditions (aws-sts-oidc.md §3.5):
 * `<provider url>:sub`, `:aud`, `:azp`, `:amr`, `sts:RoleSessionName`, `sts:SourceIdentity`, and
 * for session tags `aws:RequestTag/<key>` and `aws:TagKeys`. Custom claims are not available
 * ("Support for custom claims for OIDC is unavailable in AWS", §3.4), except, in today's profile,
 * the provider-specific claims AWS documents for a few well-known issuers (aws-sts-2026.md §2,
 * src/core/provider-claims.ts): `token.actions.githubusercontent.com:repository` and the like,
 * present only for that issuer's tokens; for any other issuer such a key is absent, so a condition
 * on it has AWS's missing-key semantics.
 *
 * `<provider url>:email` is not offered: a user reports it works (2026 §2) but AWS documents it for
 * no issuer and the report names none, so the model keeps the documented list; a condition on it
 * behaves as on a missing key (docs/webidentity.md, "Choices").
 */

/** What the context is built from. */
export interface WebIdentityContextInput {
  /** Provider URL without `https://`: the key prefix. */
  readonly providerHostPath: string;
  readonly providerArn: string;
  readonly claims: JWTPayload;
  /** The effective audience (`azp ?? aud`), the single value of `<url>:aud`. */
  readonly audience: string;
  readonly roleSessionName: string;
  readonly session: SessionClaims;
  /** The AWS behaviour profile; provider-specific keys exist only in `'2026-11'`. Default today's. */
  readonly behaviour?: AwsBehaviour;
}

/**
 * A claim as a condition value: strings as they are, numbers and booleans as their JSON text (IAM
 * compares condition values as strings), lists of those as lists; anything else is absent.
 */
function claimValue(value: unknown): string | readonly string[] | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const list = value.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
    return list.length > 0 ? list : undefined;
  }
  return undefined;
}

function strings(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    const list = value.filter((v): v is string => typeof v === 'string');
    return list.length > 0 ? list : undefined;
  }
  return undefined;
}

/** The actions a web-identity call needs allowed, given what the token asks for (§1.2, §6). */
export function requiredActions(session: SessionClaims): readonly string[] {
  const actions = ['sts:AssumeRoleWithWebIdentity'];
  if (session.tags !== undefined) actions.push('sts:TagSession');
  if (session.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  return actions;
}

/**
 * Builds the trust-policy context of a web-identity call. `<url>:aud` holds the effective audience;
 * under `ForAnyValue:` / `ForAllValues:` it holds every `aud` value instead.
 */
export function webIdentityContext(input: WebIdentityContextInput): TrustPolicyContext {
  const prefix = input.providerHostPath;
  const keys: Record<string, string | readonly string[]> = {
    [`${prefix}:aud`]: input.audience,
    'sts:RoleSessionName': input.roleSessionName,
  };
  const setKeys: Record<string, readonly string[]> = {};
  const aud = strings(input.claims.aud);
  if (aud !== undefined) setKeys[`${prefix}:aud`] = aud;
  const sub = strings(input.claims.sub);
  if (sub !== undefined) keys[`${prefix}:sub`] = sub;
  const azp = strings(input.claims['azp']);
  if (azp !== undefined) keys[`${prefix}:azp`] = azp;
  const amr = strings(input.claims['amr']);
  if (amr !== undefined) keys[`${prefix}:amr`] = amr;
  if ((input.behaviour ?? DEFAULT_AWS_BEHAVIOUR) !== '2025-12') {
    for (const claim of providerSpecificClaims(`https://${prefix}`)) {
      const value = claimValue(input.claims[claim]);
      if (value !== undefined) keys[`${prefix}:${claim}`] = value;
    }
  }
  if (input.session.sourceIdentity !== undefined) keys['sts:SourceIdentity'] = input.session.sourceIdentity;
  if (input.session.tags !== undefined) {
    for (const [key, value] of Object.entries(input.session.tags)) keys[`aws:RequestTag/${key}`] = value;
    keys['aws:TagKeys'] = Object.keys(input.session.tags);
  }
  return {
    federatedPrincipal: input.providerArn,
    actions: requiredActions(input.session),
    conditionKeys: keys,
    setConditionKeys: setKeys,
  };
}
