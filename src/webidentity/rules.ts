import type { AwsErrorName } from './aws-errors.js';
import type { Evidence } from './behaviour.js';

/**
 * The registry of web-identity rules: each stable id (the `rule` of an `EvaluationStep` and of a
 * failed result), what it checks, the section of aws-sts-oidc.md it rests on, the evidence for its
 * answer (kind and source as aws-sts-2026.md defines them), the catalogue messages it may answer
 * with (aws-errors.ts), and how the behaviour profiles differ where they do. Listed in the order
 * the model evaluates them (see evaluate.ts). docs/webidentity.md holds the same table; a unit test
 * keeps the two in step.
 */
export interface RuleInfo {
  /** What the rule checks, in one line. */
  readonly checks: string;
  /** Section(s) of aws-sts-oidc.md. */
  readonly source: string;
  /** What the rule's answer rests on. */
  readonly evidence: Evidence;
  /** The catalogue builders (aws-errors.ts) the rule may answer with, in any profile. */
  readonly answers: readonly AwsErrorName[];
  /** How the `'2026-11'` and `'2025-12'` profiles answer differently, when they do. */
  readonly differs?: string;
}

export const RULES = {
  'request.role-arn': {
    checks: 'RoleArn present, 20..2048 characters, allowed characters',
    source: '§1.2',
    evidence: { kind: 'probe', sheet: '§1.2, 2026 §5' },
    answers: ['validation'],
    differs:
      '2026-11: pattern before length, code points, non-BMP characters fail the pattern; 2025-12: length before pattern, UTF-16 units',
  },
  'request.session-name': {
    checks: 'RoleSessionName present, 2..64 characters, pattern [\\w+=,.@-]*',
    source: '§1.2, §2',
    evidence: { kind: 'user', sheet: '§1.2, §2, 2026 §5' },
    answers: ['validation'],
    differs: '2026-11: pattern before length, code points; 2025-12: length before pattern',
  },
  'request.token-length': {
    checks: 'WebIdentityToken present, 4..20000 characters',
    source: '§1.2',
    evidence: { kind: 'user', sheet: '§1.2, 2026 §5 (value omitted: confirmed)' },
    answers: ['validation'],
  },
  'request.provider-id': {
    checks: 'ProviderId, when given, 4..2048 characters',
    source: '§1.2',
    evidence: { kind: 'probe', sheet: '§1.2, 2026 §5' },
    answers: ['validation'],
  },
  'request.policy-arns': {
    checks: 'PolicyArns: at most 10',
    source: '§1.2',
    evidence: { kind: 'inferred', sheet: '§1.2' },
    answers: ['validation'],
  },
  'request.policy': {
    checks: 'Policy, when given, 1..2048 characters, allowed characters',
    source: '§1.2',
    evidence: { kind: 'probe', sheet: '§1.2, 2026 §5' },
    answers: ['validation'],
    differs: '2026-11: pattern before length; 2025-12: length before pattern',
  },
  'request.duration': {
    checks: 'DurationSeconds, when given, an integer in 900..43200',
    source: '§1.2, §2',
    evidence: { kind: 'probe', sheet: '§1.2, §2, 2026 §5' },
    answers: ['validation', 'malformedDuration'],
    differs:
      '2026-11: not an integer → MalformedInput, +900/0900 = 900; 2025-12: ValidationError `Member must be an integer`',
  },
  'request.role-arn-format': {
    checks: 'RoleArn has the form arn:<partition>:iam::<account>:role/<path/><name>',
    source: '§2',
    evidence: { kind: 'user', sheet: '§2, 2026 §5', source: 're:Post eks-troubleshoot-irsa-errors' },
    answers: ['invalidRoleArn', 'invalidArnValue'],
    differs:
      '2026-11: not an ARN at all → `<value> is invalid` (inferred from an AssumeRole probe); 2025-12: always `Request ARN is invalid`',
  },
  'token.decode': {
    checks: 'the token is a compact JWS whose header and payload are JSON objects',
    source: '§11.7',
    evidence: { kind: 'user', sheet: '2026 §6 (user/3rd)' },
    answers: ['malformedToken'],
  },
  'token.alg': {
    checks: 'header alg is RS256/384/512 or ES256/384/512 (never none, never HMAC)',
    source: '§1.2, §3.3',
    evidence: { kind: 'user', sheet: '§1.2, 2026 §6 (best-supported: no evidence for PS256, HS256, none)' },
    answers: ['malformedToken', 'unsupportedAlgorithm'],
    differs:
      "2026-11: `The ID Token provided is not a valid JWT…`; 2025-12: stsctl's `Unsupported signing algorithm in the ID Token: <alg>`",
  },
  'token.claim-aud': {
    checks: 'the token has an aud claim (string or list of strings)',
    source: '§2, §3.4',
    evidence: { kind: 'user', sheet: '§2, 2026 §6', source: 'aws-sdk-ruby#2698' },
    answers: ['missingClaim'],
  },
  'token.claim-iss': {
    checks: 'the token has an iss claim (a string)',
    source: '§3.4',
    evidence: { kind: 'inferred', sheet: '§3.4, 2026 §8' },
    answers: ['missingClaim'],
  },
  'token.claim-sub': {
    checks: 'the token has a sub claim (a string)',
    source: '§3.4',
    evidence: { kind: 'user', sheet: '2026 §6 (confirmed)' },
    answers: ['missingClaim'],
  },
  'provider.issuer-https': {
    checks: 'iss starts with https://',
    source: '§3.1, §12',
    evidence: { kind: 'inferred', sheet: '§3.1, §12, 2026 §1, §8' },
    answers: ['tokenNotValidated', 'noProvider'],
    differs:
      '2026-11: the generic `could not be validated` text; 2025-12: `No OpenIDConnect provider found in your account for <iss>`',
  },
  'provider.lookup': {
    checks: "an IAM OIDC provider in the role's account whose URL equals iss exactly",
    source: '§3.1, §12',
    evidence: {
      kind: 'user',
      sheet: '§3.1, §12, 2026 §1',
      source:
        'external-secrets/external-secrets#6648 (2026-07-14); mozilla-iam/mozilla-aws-cli#127 (2025-12 text, raw)',
    },
    answers: ['tokenNotValidated', 'noProvider'],
    differs:
      '2026-11: the generic `could not be validated` text; 2025-12: `No OpenIDConnect provider found in your account for <iss>`',
  },
  'audience.client-id': {
    checks: "the effective audience (azp ?? aud) is in the provider's ClientIDList",
    source: '§2, §3.6',
    evidence: { kind: 'user', sheet: '§2, §3.6, 2026 §1 (generic text for it unconfirmed: kept specific)' },
    answers: ['incorrectAudience'],
  },
  'discovery.fetch': {
    checks: '<iss>/.well-known/openid-configuration answers at all',
    source: '§3.2',
    evidence: { kind: 'user', sheet: '§3.2, 2026 §7' },
    answers: ['couldNotRetrieveKey'],
  },
  'discovery.tls': {
    checks: 'discovery host: CA-library trust, else a chain certificate matching a thumbprint',
    source: '§4',
    evidence: { kind: 'doc', sheet: '§4, 2026 §7' },
    answers: ['thumbprintMismatch'],
  },
  'discovery.status': {
    checks: 'discovery answers HTTP 200',
    source: '§3.2',
    evidence: { kind: 'user', sheet: '§3.2, 2026 §7', source: 'openshift/cloud-credential-operator#468' },
    answers: ['couldNotRetrieveKey'],
  },
  'discovery.budget': {
    checks: 'discovery answered within the fetch budget (5 s)',
    source: '§2, §3.2',
    evidence: { kind: 'doc', sheet: '§2, §3.2' },
    answers: ['couldNotRetrieveKey'],
  },
  'discovery.json': {
    checks: 'discovery is a JSON object',
    source: '§3.2',
    evidence: { kind: 'inferred', sheet: '§3.2' },
    answers: ['couldNotRetrieveKey'],
  },
  'discovery.fields': {
    checks:
      'discovery has issuer, jwks_uri, response_types_supported, subject_types_supported, id_token_signing_alg_values_supported',
    source: '§3.2',
    evidence: { kind: 'user', sheet: '§3.2' },
    answers: ['couldNotRetrieveKey'],
  },
  'discovery.issuer-match': {
    checks: 'discovery issuer equals iss (reported, not enforced: unverified)',
    source: '§3.2, §11.7',
    evidence: { kind: 'inferred', sheet: '§3.2, §11.7, 2026 §8' },
    answers: [],
  },
  'jwks.uri': {
    checks: 'jwks_uri is an https URL',
    source: '§3.2',
    evidence: { kind: 'inferred', sheet: '§3.2' },
    answers: ['couldNotRetrieveKey'],
  },
  'jwks.fetch': {
    checks: 'jwks_uri answers at all',
    source: '§3.2',
    evidence: { kind: 'user', sheet: '§3.2' },
    answers: ['couldNotRetrieveKey'],
  },
  'jwks.tls': {
    checks: 'JWKS host: CA-library trust, else a chain certificate matching a thumbprint',
    source: '§4',
    evidence: { kind: 'doc', sheet: '§4, 2026 §7' },
    answers: ['thumbprintMismatch'],
  },
  'jwks.status': {
    checks: 'jwks_uri answers HTTP 200',
    source: '§3.2',
    evidence: { kind: 'user', sheet: '§3.2' },
    answers: ['couldNotRetrieveKey'],
  },
  'jwks.budget': {
    checks: 'discovery + JWKS answered within the fetch budget (5 s) in total',
    source: '§2, §3.2',
    evidence: { kind: 'doc', sheet: '§2, §3.2' },
    answers: ['couldNotRetrieveKey'],
  },
  'jwks.json': {
    checks: 'the JWKS is a JSON object with a keys list',
    source: '§3.3',
    evidence: { kind: 'inferred', sheet: '§3.3' },
    answers: ['couldNotRetrieveKey'],
  },
  'jwks.key-count': {
    checks: 'the JWKS holds at most 100 keys',
    source: '§3.3',
    evidence: { kind: 'user', sheet: '§3.3, 2026 §6', source: 'spiffe/spire#4699' },
    answers: ['couldNotRetrieveKey'],
  },
  'jwks.kid': {
    checks: "the token's kid is in the JWKS (no kid matches an empty or missing kid)",
    source: '§3.3',
    evidence: { kind: 'user', sheet: '§2, §3.3', source: 'GitLab 342243' },
    answers: ['couldNotRetrieveKey'],
  },
  'token.signature': {
    checks: "the signature verifies with the kid's key (key type fits alg)",
    source: '§3.3, §11.7',
    evidence: { kind: 'inferred', sheet: '§3.3, §11.7, 2026 §8' },
    answers: ['invalidSignature'],
  },
  'token.timestamps': {
    checks: 'exp, iat, nbf, auth_time are integers when present',
    source: '§1.2, §3.4',
    evidence: { kind: 'inferred', sheet: '§1.2, §3.4' },
    answers: ['invalidTimestamp'],
  },
  'token.claim-exp': {
    checks: 'the token has an exp claim',
    source: '§3.4',
    evidence: { kind: 'inferred', sheet: '§3.4, 2026 §8' },
    answers: ['missingClaim'],
  },
  'token.expiry': {
    checks: 'now <= exp + 300 s (5-minute clock-skew leeway)',
    source: '§2, §3.4',
    evidence: { kind: 'raw', sheet: '§2, §3.4, 2026 §6 (2024 form, space before each number)' },
    answers: ['tokenExpired'],
  },
  'trust.role-exists': {
    checks: 'the role named by RoleArn exists',
    source: '§2',
    evidence: { kind: 'inferred', sheet: '§2' },
    answers: ['accessDenied'],
  },
  'trust.policy': {
    checks: 'the trust policy allows sts:AssumeRoleWithWebIdentity for the provider (no explicit deny)',
    source: '§6',
    evidence: { kind: 'user', sheet: '§6, 2026 §2 (provider-specific keys in 2026-11 only)' },
    answers: ['accessDenied'],
    differs: '2026-11: provider-specific claim keys (GitHub) exist in the context; 2025-12: they are absent',
  },
  'trust.tag-session': {
    checks: 'with session tags in the token, the trust policy allows sts:TagSession',
    source: '§1.2, §6',
    evidence: { kind: 'doc', sheet: '§1.2, §6' },
    answers: ['accessDenied'],
  },
  'trust.source-identity': {
    checks: 'with a source identity in the token, the trust policy allows sts:SetSourceIdentity',
    source: '§1.2, §6',
    evidence: { kind: 'doc', sheet: '§1.2, §6' },
    answers: ['accessDenied'],
  },
  'request.duration-max': {
    checks: "DurationSeconds <= the role's MaxSessionDuration",
    source: '§1.2, §2',
    evidence: { kind: 'doc', sheet: '§1.2, §2' },
    answers: ['durationExceedsMax'],
  },
  grant: {
    checks: 'credentials are granted: assumed-role ARN, provider, audience, subject',
    source: '§1.3',
    evidence: { kind: 'raw', sheet: '§1.3, §11.1' },
    answers: [],
  },
} as const satisfies Readonly<Record<string, RuleInfo>>;

/** A stable rule id. */
export type RuleId = keyof typeof RULES;
