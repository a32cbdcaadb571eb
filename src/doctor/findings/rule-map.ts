import type { RuleId } from '../../webidentity/rules.js';
import type { HttpObservation } from '../../webidentity/types.js';
import type { FindingCode } from './registry.js';

/**
 * The finding each failing web-identity rule (src/webidentity/rules.ts) is reported as. The
 * model decides *whether* and *with which AWS error* a call fails; this table only names it for
 * people. A fetch failure is refined by what was observed (DNS vs connection vs timeout).
 */
const RULE_FINDINGS: Readonly<Record<RuleId, FindingCode | undefined>> = {
  'request.role-arn': 'REQUEST_INVALID',
  'request.session-name': 'REQUEST_INVALID',
  'request.token-length': 'TOKEN_MALFORMED',
  'request.provider-id': 'REQUEST_INVALID',
  'request.policy-arns': 'REQUEST_INVALID',
  'request.policy': 'REQUEST_INVALID',
  'request.duration': 'REQUEST_INVALID',
  'request.role-arn-format': 'REQUEST_INVALID',
  'token.decode': 'TOKEN_MALFORMED',
  'token.alg': 'TOKEN_ALG_UNSUPPORTED',
  'token.claim-aud': 'TOKEN_MISSING_AUD',
  'token.claim-iss': 'TOKEN_MISSING_CLAIM',
  'token.claim-sub': 'TOKEN_MISSING_CLAIM',
  'provider.issuer-https': 'ISSUER_NOT_HTTPS',
  'provider.lookup': 'PROVIDER_MISSING',
  'audience.client-id': 'AUDIENCE_NOT_ALLOWED',
  'discovery.fetch': 'ISSUER_UNREACHABLE',
  'discovery.tls': 'THUMBPRINT_MISMATCH',
  'discovery.status': 'DISCOVERY_HTTP_STATUS',
  'discovery.budget': 'DISCOVERY_SLOW',
  'discovery.json': 'DISCOVERY_NOT_JSON',
  'discovery.fields': 'DISCOVERY_MISSING_FIELDS',
  'discovery.issuer-match': 'DISCOVERY_ISSUER_MISMATCH',
  'jwks.uri': 'DISCOVERY_JWKS_URI_INVALID',
  'jwks.fetch': 'ISSUER_UNREACHABLE',
  'jwks.tls': 'THUMBPRINT_MISMATCH',
  'jwks.status': 'JWKS_HTTP_STATUS',
  'jwks.budget': 'JWKS_SLOW',
  'jwks.json': 'JWKS_INVALID',
  'jwks.key-count': 'JWKS_TOO_MANY_KEYS',
  'jwks.kid': 'TOKEN_KID_NOT_IN_JWKS',
  'token.signature': 'TOKEN_SIGNATURE_INVALID',
  'token.timestamps': 'TOKEN_TIMESTAMP_INVALID',
  'token.claim-exp': 'TOKEN_MISSING_CLAIM',
  'token.expiry': 'TOKEN_EXPIRED',
  'trust.role-exists': 'ROLE_MISSING',
  'trust.policy': 'TRUST_POLICY_DENIES',
  'trust.tag-session': 'TRUST_POLICY_DENIES',
  'trust.source-identity': 'TRUST_POLICY_DENIES',
  'request.duration-max': 'SESSION_DURATION_EXCEEDS_MAX',
  grant: undefined,
};

/** Rules about fetching the issuer (their failures may have a hosting root cause). */
export const FETCH_RULES: ReadonlySet<string> = new Set([
  'discovery.fetch',
  'discovery.status',
  'jwks.fetch',
  'jwks.status',
]);

/** Rules about the issuer's TLS chain. */
export const TLS_RULES: ReadonlySet<string> = new Set(['discovery.tls', 'jwks.tls']);

/** The finding code for a failed rule; `observation` refines fetch failures. */
export function codeForRule(rule: string, observation?: HttpObservation): FindingCode {
  if ((rule === 'discovery.fetch' || rule === 'jwks.fetch') && observation !== undefined && !observation.ok) {
    if (observation.error === 'dns') return 'ISSUER_DNS';
    if (observation.error === 'timeout') return rule === 'discovery.fetch' ? 'DISCOVERY_SLOW' : 'JWKS_SLOW';
  }
  return (RULE_FINDINGS as Readonly<Record<string, FindingCode | undefined>>)[rule] ?? 'LIVE_MISMATCH';
}
