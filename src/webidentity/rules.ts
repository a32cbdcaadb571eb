/**
 * The registry of web-identity rules: each stable id (the `rule` of an `EvaluationStep` and of a
 * failed result), what it checks, and the section of aws-sts-oidc.md it rests on. Listed in the
 * order the model evaluates them (see evaluate.ts). docs/webidentity.md holds the same table with
 * the AWS error each rule answers; a unit test keeps the two in step.
 */
export interface RuleInfo {
  /** What the rule checks, in one line. */
  readonly checks: string;
  /** Section(s) of aws-sts-oidc.md. */
  readonly source: string;
}

export const RULES = {
  'request.role-arn': { checks: 'RoleArn present, 20..2048 characters, allowed characters', source: '§1.2' },
  'request.session-name': {
    checks: 'RoleSessionName present, 2..64 characters, pattern [\\w+=,.@-]*',
    source: '§1.2, §2',
  },
  'request.token-length': { checks: 'WebIdentityToken present, 4..20000 characters', source: '§1.2' },
  'request.provider-id': { checks: 'ProviderId, when given, 4..2048 characters', source: '§1.2' },
  'request.policy-arns': { checks: 'PolicyArns: at most 10', source: '§1.2' },
  'request.policy': { checks: 'Policy, when given, 1..2048 characters, allowed characters', source: '§1.2' },
  'request.duration': { checks: 'DurationSeconds, when given, an integer in 900..43200', source: '§1.2, §2' },
  'request.role-arn-format': {
    checks: 'RoleArn has the form arn:<partition>:iam::<account>:role/<path/><name>',
    source: '§2',
  },
  'token.decode': {
    checks: 'the token is a compact JWS whose header and payload are JSON objects',
    source: '§11.7',
  },
  'token.alg': {
    checks: 'header alg is RS256/384/512 or ES256/384/512 (never none, never HMAC)',
    source: '§1.2, §3.3',
  },
  'token.claim-aud': { checks: 'the token has an aud claim (string or list of strings)', source: '§2, §3.4' },
  'token.claim-iss': { checks: 'the token has an iss claim (a string)', source: '§3.4' },
  'token.claim-sub': { checks: 'the token has a sub claim (a string)', source: '§3.4' },
  'provider.issuer-https': { checks: 'iss starts with https://', source: '§3.1, §12' },
  'provider.lookup': {
    checks: "an IAM OIDC provider in the role's account whose URL equals iss exactly",
    source: '§3.1, §12',
  },
  'audience.client-id': {
    checks: "the effective audience (azp ?? aud) is in the provider's ClientIDList",
    source: '§2, §3.6',
  },
  'discovery.fetch': { checks: '<iss>/.well-known/openid-configuration answers at all', source: '§3.2' },
  'discovery.tls': {
    checks: 'discovery host: CA-library trust, else a chain certificate matching a thumbprint',
    source: '§4',
  },
  'discovery.status': { checks: 'discovery answers HTTP 200', source: '§3.2' },
  'discovery.budget': { checks: 'discovery answered within the fetch budget (5 s)', source: '§2, §3.2' },
  'discovery.json': { checks: 'discovery is a JSON object', source: '§3.2' },
  'discovery.fields': {
    checks:
      'discovery has issuer, jwks_uri, response_types_supported, subject_types_supported, id_token_signing_alg_values_supported',
    source: '§3.2',
  },
  'discovery.issuer-match': {
    checks: 'discovery issuer equals iss (reported, not enforced: unverified)',
    source: '§3.2, §11.7',
  },
  'jwks.uri': { checks: 'jwks_uri is an https URL', source: '§3.2' },
  'jwks.fetch': { checks: 'jwks_uri answers at all', source: '§3.2' },
  'jwks.tls': {
    checks: 'JWKS host: CA-library trust, else a chain certificate matching a thumbprint',
    source: '§4',
  },
  'jwks.status': { checks: 'jwks_uri answers HTTP 200', source: '§3.2' },
  'jwks.budget': {
    checks: 'discovery + JWKS answered within the fetch budget (5 s) in total',
    source: '§2, §3.2',
  },
  'jwks.json': { checks: 'the JWKS is a JSON object with a keys list', source: '§3.3' },
  'jwks.key-count': { checks: 'the JWKS holds at most 100 keys', source: '§3.3' },
  'jwks.kid': {
    checks: "the token's kid is in the JWKS (no kid matches an empty or missing kid)",
    source: '§3.3',
  },
  'token.signature': {
    checks: "the signature verifies with the kid's key (key type fits alg)",
    source: '§3.3, §11.7',
  },
  'token.timestamps': { checks: 'exp, iat, nbf, auth_time are integers when present', source: '§1.2, §3.4' },
  'token.claim-exp': { checks: 'the token has an exp claim', source: '§3.4' },
  'token.expiry': { checks: 'now <= exp + 300 s (5-minute clock-skew leeway)', source: '§2, §3.4' },
  'trust.role-exists': { checks: 'the role named by RoleArn exists', source: '§2' },
  'trust.policy': {
    checks: 'the trust policy allows sts:AssumeRoleWithWebIdentity for the provider (no explicit deny)',
    source: '§6',
  },
  'trust.tag-session': {
    checks: 'with session tags in the token, the trust policy allows sts:TagSession',
    source: '§1.2, §6',
  },
  'trust.source-identity': {
    checks: 'with a source identity in the token, the trust policy allows sts:SetSourceIdentity',
    source: '§1.2, §6',
  },
  'request.duration-max': { checks: "DurationSeconds <= the role's MaxSessionDuration", source: '§1.2, §2' },
  grant: { checks: 'credentials are granted: assumed-role ARN, provider, audience, subject', source: '§1.3' },
} as const satisfies Readonly<Record<string, RuleInfo>>;

/** A stable rule id. */
export type RuleId = keyof typeof RULES;
