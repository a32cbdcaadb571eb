import type { AwsBehaviour, Evidence } from '../webidentity/behaviour.js';
import { MESSAGE_EVIDENCE } from '../webidentity/aws-errors.js';
import { FINDINGS, type FindingCode } from './findings/registry.js';

/**
 * `explainStsError(text)`: what an STS error text means, from either era of AWS's answers
 * (aws-sts-oidc.md §2, aws-sts-2026.md), whatever wrapped it (Go SDK v1 `WebIdentityErr`, Go SDK
 * v2 `operation error STS…`, JS SDK, boto3 / aws CLI, Java SDK, raw Query XML or JSON): the AWS
 * code and message, and the causes that produce it as finding codes of the registry, most likely
 * first, with the doctor checks that decide between them. Pure: no AWS call, no file.
 *
 * Since mid-2026 AWS answers one generic message for several broken links (2026 §1), so for that
 * text the candidates are what the doctor's provider and issuer checks tell apart.
 */

/** What wrapped the AWS error in the text. */
export type ErrorWrapper =
  'go-sdk-v1' | 'go-sdk-v2' | 'boto3' | 'java-sdk' | 'query-xml' | 'query-json' | 'js-sdk' | 'plain';

/** A cause, as a registry finding. */
export interface ExplainedCandidate {
  readonly code: FindingCode;
  readonly title: string;
  /** `likely` first; `possible`; `unconfirmed` when only unconfirmed reports tie it to the message. */
  readonly likelihood: 'likely' | 'possible' | 'unconfirmed';
}

/** A doctor check that decides between candidates. */
export interface DecidingCheck {
  /** Check id, as in the report (`provider`, `issuer.documents`, …). */
  readonly id: string;
  readonly decides: string;
}

/** The explanation of one error text. */
export interface StsErrorExplanation {
  /** True when the text holds an AWS STS error this function knows. */
  readonly recognised: boolean;
  readonly wrapper: ErrorWrapper;
  /** AWS's error code (SDK class names such as `InvalidIdentityTokenException` normalized). */
  readonly awsCode?: string;
  readonly status?: number;
  readonly message?: string;
  readonly requestId?: string;
  /** Id of the known message (e.g. `generic-2026`, `no-provider`). */
  readonly kind?: string;
  /** Behaviour profiles whose model answers this message (empty: a form AWS no longer answers). */
  readonly profiles: readonly AwsBehaviour[];
  /** Which era of AWS answers it, in words. */
  readonly era: string;
  readonly evidence?: Evidence;
  readonly summary: string;
  readonly candidates: readonly ExplainedCandidate[];
  readonly checks: readonly DecidingCheck[];
  /** Values read from the message: `iss`, `claim`, `now`, `exp`, `age`, `account`. */
  readonly values: Readonly<Record<string, string>>;
}

type Likely = readonly (FindingCode | readonly [FindingCode, ExplainedCandidate['likelihood']])[];

interface KnownMessage {
  readonly kind: string;
  readonly codes: readonly string[];
  readonly pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  readonly captures?: readonly string[];
  readonly profiles: readonly AwsBehaviour[];
  readonly era: string;
  readonly evidence: Evidence;
  readonly summary: string;
  readonly candidates: Likely;
  readonly checks: readonly DecidingCheck[];
}

const BOTH: readonly AwsBehaviour[] = ['2026-11', '2025-12'];
const PROVIDER_CHECKS: readonly DecidingCheck[] = [
  { id: 'provider', decides: 'whether an IAM OIDC provider has exactly the URL of the token’s iss' },
  { id: 'token.claims', decides: 'the token’s iss, and whether it is the issuer under test' },
  { id: 'cluster.issuer', decides: 'whether the Authentication CR names the provider’s issuer' },
  { id: 'issuer.form', decides: 'https, trailing slash, S3 URL form of the issuer' },
];
const PROVIDER_CAUSES: Likely = [
  'PROVIDER_MISSING',
  'ISSUER_MISMATCH',
  ['PROVIDER_URL_CASE_OR_SLASH', 'possible'],
  ['ISSUER_S3_FORM_MISMATCH', 'possible'],
  ['AUTHENTICATION_ISSUER_MISSING', 'possible'],
  ['ISSUER_NOT_HTTPS', 'possible'],
];
const FETCH_CHECKS: readonly DecidingCheck[] = [
  { id: 'issuer.documents', decides: 'discovery and JWKS as STS fetches them: status, latency, fields, kid' },
  { id: 'issuer.hosting', decides: 'bucket policy, public-access blocks, CloudFront origin access' },
  { id: 'sts.verdict', decides: 'the failing rule of the model on the live issuer' },
];

/** Every AWS message of both fact sheets, most specific first. */
const KNOWN: readonly KnownMessage[] = [
  {
    kind: 'generic-2026',
    codes: ['InvalidIdentityToken'],
    pattern:
      /The web identity token provided could not be validated\. See the AssumeRoleWithWebIdentity documentation for requirements\.?/,
    profiles: ['2026-11'],
    era: 'AWS since about June–July 2026',
    evidence: MESSAGE_EVIDENCE.tokenNotValidated,
    summary:
      'STS found no IAM OIDC provider for the token’s issuer, or the provider does not match it; the 2026 text no longer says which (an audience mismatch may give it too, unconfirmed).',
    candidates: [...PROVIDER_CAUSES, ['AUDIENCE_NOT_ALLOWED', 'unconfirmed']],
    checks: [
      ...PROVIDER_CHECKS,
      { id: 'provider', decides: 'whether the token’s audience is a client ID of the provider' },
    ],
  },
  {
    kind: 'no-provider',
    codes: ['InvalidIdentityToken'],
    pattern: /No OpenIDConnect provider found in your account(?: for (\S+))?/,
    captures: ['iss'],
    profiles: ['2025-12'],
    era: 'AWS before mid-2026 (some regions or documentation later)',
    evidence: MESSAGE_EVIDENCE.noProvider,
    summary:
      'STS found no IAM OIDC provider whose URL equals the token’s iss (echoed verbatim) in the role’s account.',
    candidates: PROVIDER_CAUSES,
    checks: PROVIDER_CHECKS,
  },
  {
    kind: 'could-not-retrieve-key',
    codes: ['InvalidIdentityToken'],
    pattern:
      /Couldn't retrieve verification key from your identity provider,\s+please reference AssumeRoleWithWebIdentity documentation for requirements/,
    profiles: BOTH,
    era: 'AWS in both eras',
    evidence: MESSAGE_EVIDENCE.couldNotRetrieveKey,
    summary:
      'STS found the provider but could not get the key for the token: discovery or JWKS unreachable, not 200, slow, malformed, or the token’s kid is not published.',
    candidates: [
      'TOKEN_KID_NOT_IN_JWKS',
      'ISSUER_PRIVATE_BUCKET',
      'S3_BUCKET_PUBLIC_ACCESS_BLOCK',
      'S3_ACCOUNT_PUBLIC_ACCESS_BLOCK',
      'CLOUDFRONT_ORIGIN_ACCESS_DENIED',
      // A CloudFront origin naming another region than its bucket: S3's PermanentRedirect is passed
      // on and STS gets no key (aws-sts-2026.md §7; openshift/cloud-credential-operator#468).
      'CLOUDFRONT_ORIGIN_REGION_MISMATCH',
      'S3_BUCKET_MISSING',
      'DISCOVERY_HTTP_STATUS',
      'JWKS_HTTP_STATUS',
      ['ISSUER_UNREACHABLE', 'possible'],
      ['ISSUER_DNS', 'possible'],
      ['DISCOVERY_SLOW', 'possible'],
      ['JWKS_SLOW', 'possible'],
      ['DISCOVERY_MISSING_FIELDS', 'possible'],
      ['DISCOVERY_NOT_JSON', 'possible'],
      ['DISCOVERY_JWKS_URI_INVALID', 'possible'],
      ['JWKS_INVALID', 'possible'],
      ['JWKS_TOO_MANY_KEYS', 'possible'],
      // A fleet member (https://<domain>/<cluster>) whose path is missing from the bucket keys or
      // from its discovery document: STS reads keys the fleet bucket does not hold (§3.2, 2026 §7).
      ['FLEET_DOCUMENTS_OUTSIDE_PREFIX', 'possible'],
      ['FLEET_DISCOVERY_WITHOUT_PATH', 'possible'],
    ],
    checks: [
      ...FETCH_CHECKS,
      {
        id: 'issuer.fleet',
        decides: 'for an issuer with a path: where the bucket holds its documents, what its discovery names',
      },
    ],
  },
  {
    kind: 'thumbprint',
    codes: ['InvalidIdentityToken'],
    pattern: /OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint/,
    profiles: BOTH,
    era: 'AWS in both eras',
    evidence: MESSAGE_EVIDENCE.thumbprintMismatch,
    summary:
      'The issuer’s certificate chain is not trusted by AWS’s CA library and no provider thumbprint pins it.',
    candidates: ['THUMBPRINT_MISMATCH', 'ISSUER_TLS_CERT_EXPIRED'],
    checks: [
      { id: 'issuer.documents', decides: 'the live TLS chain, its trust and expiry' },
      { id: 'provider', decides: 'the provider’s thumbprints against the chain' },
    ],
  },
  {
    kind: 'incorrect-audience',
    codes: ['InvalidIdentityToken'],
    pattern: /Incorrect token audience/,
    profiles: BOTH,
    era: 'AWS in both eras',
    evidence: MESSAGE_EVIDENCE.incorrectAudience,
    summary: 'The token’s audience (azp, else aud) is not a client ID of the provider.',
    candidates: ['AUDIENCE_NOT_ALLOWED'],
    checks: [{ id: 'provider', decides: 'the ClientIDList against the token’s aud/azp' }],
  },
  {
    kind: 'missing-claim',
    codes: ['InvalidIdentityToken'],
    pattern: /Missing a required claim: (\w+)/,
    captures: ['claim'],
    profiles: BOTH,
    era: 'AWS in both eras',
    evidence: MESSAGE_EVIDENCE.missingClaim,
    summary: 'The token lacks a claim STS requires.',
    candidates: ['TOKEN_MISSING_AUD', 'TOKEN_MISSING_CLAIM'],
    checks: [{ id: 'token.claims', decides: 'which claims the token carries' }],
  },
  {
    kind: 'token-expired',
    codes: ['ExpiredTokenException', 'ExpiredToken'],
    pattern: /Token expired: current date\/time (\d+) must be before the expiration date\/time (\d+)/,
    captures: ['now', 'exp'],
    profiles: BOTH,
    era: 'AWS since at least 2024',
    evidence: MESSAGE_EVIDENCE.tokenExpired,
    summary:
      'The token expired more than the 5-minute leeway before STS saw it (both numbers are Unix seconds).',
    candidates: ['TOKEN_EXPIRED'],
    checks: [
      { id: 'token.claims', decides: 'exp against the clock, and how the application re-reads the token' },
    ],
  },
  {
    kind: 'token-expired-2021',
    codes: ['ExpiredTokenException', 'ExpiredToken'],
    pattern: /Token expired: current date\/time\s?(\d+) must be before the expiration date\/time(\d+)/,
    captures: ['now', 'exp'],
    profiles: [],
    era: 'AWS in 2021 (no space before the second number); no profile answers it',
    evidence: { kind: 'raw', sheet: '§2, 2026 §6', source: 'awslabs/aws-orbit-workbench#707, #771 (2021)' },
    summary: 'The token had expired (the 2021 form of the message).',
    candidates: ['TOKEN_EXPIRED'],
    checks: [{ id: 'token.claims', decides: 'exp against the clock' }],
  },
  {
    kind: 'token-too-old',
    codes: ['ExpiredTokenException', 'ExpiredToken'],
    pattern: /Token too old: (\d+)/,
    captures: ['age'],
    profiles: [],
    era: 'AWS (undocumented; seen 2019), not predicted by the model',
    evidence: { kind: 'raw', sheet: '§2, 2026 §6', source: 'mozilla-iam/mozilla-aws-cli#146, #155' },
    summary: 'STS refused a token issued too long ago (the number is an age in seconds), even before exp.',
    candidates: ['TOKEN_OLD'],
    checks: [{ id: 'token.claims', decides: 'iat and the token’s age' }],
  },
  {
    kind: 'access-denied',
    codes: ['AccessDenied'],
    pattern: /Not authorized to perform sts:AssumeRoleWithWebIdentity/,
    profiles: BOTH,
    era: 'AWS in both eras',
    evidence: MESSAGE_EVIDENCE.accessDenied,
    summary: 'The token is valid but the role’s trust policy does not allow it, or the role does not exist.',
    // An issuer with a path (a fleet member) needs it in the condition keys too (2026 §7).
    candidates: ['TRUST_POLICY_DENIES', 'ROLE_MISSING', ['FLEET_CONDITION_KEY_WITHOUT_PATH', 'possible']],
    checks: [
      { id: 'role.trust', decides: 'the role and each statement and condition of its trust policy' },
      {
        id: 'sts.verdict',
        decides: 'whether a condition key lacks the issuer’s path (<domain>:sub for <domain>/<cluster>)',
      },
    ],
  },
  {
    kind: 'duration-exceeds-max',
    codes: ['ValidationError'],
    pattern: /The requested DurationSeconds exceeds the MaxSessionDuration set for this role\.?/,
    profiles: BOTH,
    era: 'AWS in both eras',
    evidence: MESSAGE_EVIDENCE.durationExceedsMax,
    summary: 'DurationSeconds is above the role’s MaxSessionDuration.',
    candidates: ['SESSION_DURATION_EXCEEDS_MAX'],
    checks: [{ id: 'role.trust', decides: 'the role’s MaxSessionDuration' }],
  },
  {
    kind: 'validation',
    codes: ['ValidationError'],
    pattern: /\d+ validation errors? detected: .*/,
    profiles: BOTH,
    era: 'AWS in both eras (today: pattern before length on one member)',
    evidence: MESSAGE_EVIDENCE.validation,
    summary:
      'The request itself breaks a constraint (role ARN, session name, token length, duration, policy).',
    candidates: ['REQUEST_INVALID', ['TOKEN_MALFORMED', 'possible']],
    checks: [{ id: 'component.secret', decides: 'role_arn and the token file the component uses' }],
  },
  {
    kind: 'request-arn-invalid',
    codes: ['ValidationError'],
    pattern: /Request ARN is invalid/,
    profiles: BOTH,
    era: 'AWS in both eras',
    evidence: MESSAGE_EVIDENCE.invalidRoleArn,
    summary: 'RoleArn is an ARN but not a role ARN (e.g. an extra “:”, a user ARN).',
    candidates: ['REQUEST_INVALID'],
    checks: [{ id: 'component.secret', decides: 'role_arn in the Secret' }],
  },
  {
    kind: 'value-invalid',
    codes: ['ValidationError'],
    pattern: /^(.+) is invalid$/,
    captures: ['value'],
    profiles: ['2026-11'],
    era: 'AWS today (inferred from AssumeRole)',
    evidence: MESSAGE_EVIDENCE.invalidArnValue,
    summary: 'RoleArn is not an ARN at all.',
    candidates: ['REQUEST_INVALID'],
    checks: [{ id: 'component.secret', decides: 'role_arn in the Secret' }],
  },
  {
    kind: 'malformed-input',
    codes: ['MalformedInput'],
    pattern: /(?:missing|invalid) value for decimal type.*/,
    profiles: ['2026-11'],
    era: 'AWS today',
    evidence: MESSAGE_EVIDENCE.malformedDuration,
    summary: 'DurationSeconds is not an integer.',
    candidates: ['REQUEST_INVALID'],
    checks: [{ id: 'component.secret', decides: 'the duration the component asks for' }],
  },
  {
    kind: 'not-a-valid-jwt',
    codes: ['InvalidIdentityToken'],
    pattern:
      /The ID Token provided is not a valid JWT\. \(You may see this error if you sent an Access Token\)/,
    profiles: BOTH,
    era: 'AWS in both eras (today also for a refused algorithm)',
    evidence: MESSAGE_EVIDENCE.malformedToken,
    summary:
      'STS could not take the token as a signed JWT: not a JWT, an access token, or an algorithm it refuses.',
    candidates: ['TOKEN_MALFORMED', 'TOKEN_ALG_UNSUPPORTED'],
    checks: [{ id: 'token.claims', decides: 'the token’s form and its alg' }],
  },
  {
    kind: 'unsupported-algorithm',
    codes: ['InvalidIdentityToken'],
    pattern: /Unsupported signing algorithm in the ID Token: (\S+)/,
    captures: ['alg'],
    profiles: ['2025-12'],
    era: 'stsctl’s model before 2026 (no AWS source)',
    evidence: MESSAGE_EVIDENCE.unsupportedAlgorithm,
    summary: 'The token is signed with an algorithm STS refuses.',
    candidates: ['TOKEN_ALG_UNSUPPORTED'],
    checks: [{ id: 'token.claims', decides: 'the token’s alg' }],
  },
  {
    kind: 'invalid-signature',
    codes: ['InvalidIdentityToken'],
    pattern: /The ID Token signature could not be verified/,
    profiles: BOTH,
    era: 'stsctl’s model (no AWS source)',
    evidence: MESSAGE_EVIDENCE.invalidSignature,
    summary: 'The signature does not verify with the published key of the token’s kid.',
    candidates: ['TOKEN_SIGNATURE_INVALID'],
    checks: [{ id: 'sts.verdict', decides: 'the signature against the live JWKS' }],
  },
  {
    kind: 'invalid-timestamp',
    codes: ['InvalidIdentityToken'],
    pattern:
      /Invalid value for the (\w+) claim: timestamps must be formatted as either an integer or a long integer/,
    captures: ['claim'],
    profiles: BOTH,
    era: 'stsctl’s model (no AWS source)',
    evidence: MESSAGE_EVIDENCE.invalidTimestamp,
    summary: 'A time claim of the token is not an integer.',
    candidates: ['TOKEN_TIMESTAMP_INVALID'],
    checks: [{ id: 'token.claims', decides: 'exp, iat, nbf types' }],
  },
  {
    kind: 'region-disabled',
    codes: ['RegionDisabledException'],
    pattern: /STS is not activated in this region for account:(\d+)/,
    captures: ['account'],
    profiles: BOTH,
    era: 'AWS in both eras (web identity calls answer the provider lookup instead, 2026 §7)',
    evidence: MESSAGE_EVIDENCE.regionDisabled,
    summary:
      'The regional STS endpoint is deactivated for the account: activate it in IAM, or call another region.',
    candidates: [],
    checks: [],
  },
  {
    kind: 'shared-idp-refused',
    codes: ['MalformedPolicyDocument'],
    pattern: /Trust policy for the shared identity provider (\S+) must evaluate the condition key/,
    captures: ['provider'],
    profiles: BOTH,
    era: 'IAM since June 2025 (sandbox wording)',
    evidence: { kind: 'inferred', sheet: '2026 §3' },
    summary: 'IAM refused to store a trust policy for a shared IdP (e.g. GitHub) that does not test sub.',
    candidates: ['TRUST_POLICY_NO_SUB_CONDITION'],
    checks: [{ id: 'role.trust', decides: 'the conditions of the trust policy' }],
  },
];

/** Codes known without a known message (model error list, aws-sts-oidc.md §2; 2026 §4). */
const CODE_ONLY: Readonly<Record<string, string>> = {
  IDPRejectedClaim: 'The identity provider rejected the token (OAuth providers STS calls back).',
  IDPCommunicationError: 'STS could not reach the identity provider; a retry may succeed.',
  PackedPolicyTooLarge: 'Session policies and tags exceed the packed size limit.',
  MalformedPolicyDocument: 'The session policy (Policy) is not a valid policy document.',
  InvalidAction: 'The request names no operation STS knows for its Version (a client problem).',
};

const SDK_CLASS_SUFFIX =
  /^(InvalidIdentityToken|AccessDenied|IDPRejectedClaim|IDPCommunicationError|PackedPolicyTooLarge|MalformedPolicyDocument|RegionDisabled)Exception$/;

/** SDK class names → AWS codes (`InvalidIdentityTokenException` → `InvalidIdentityToken`). */
function normalizeCode(code: string): string {
  if (code === 'RegionDisabledException' || code === 'ExpiredTokenException') return code;
  const m = SDK_CLASS_SUFFIX.exec(code);
  return m?.[1] ?? code;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface Unwrapped {
  readonly wrapper: ErrorWrapper;
  readonly code?: string;
  readonly message?: string;
  readonly status?: number;
  readonly requestId?: string;
}

const CODE_WORD =
  '(InvalidIdentityToken(?:Exception)?|ExpiredToken(?:Exception)?|AccessDenied(?:Exception)?|ValidationError|MalformedInput|RegionDisabledException|IDPRejectedClaim(?:Exception)?|IDPCommunicationError(?:Exception)?|PackedPolicyTooLarge(?:Exception)?|MalformedPolicyDocument(?:Exception)?|InvalidAction)';

/** Finds the AWS error inside whatever wraps it. */
function unwrap(text: string): Unwrapped {
  const xmlCode = /<Code>([^<]+)<\/Code>/.exec(text);
  if (xmlCode?.[1] !== undefined) {
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    const requestId = /<RequestId>([^<]*)<\/RequestId>/.exec(text)?.[1];
    return {
      wrapper: 'query-xml',
      code: xmlCode[1],
      ...(message === undefined ? {} : { message: unescapeXml(message) }),
      ...(requestId === undefined ? {} : { requestId }),
    };
  }
  const jsonCode = /"Code"\s*:\s*"([^"]+)"/.exec(text);
  if (jsonCode?.[1] !== undefined) {
    const raw = /"Message"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
    const requestId = /"RequestId"\s*:\s*"([^"]*)"/.exec(text)?.[1];
    let message: string | undefined;
    try {
      message = raw === undefined ? undefined : (JSON.parse(raw) as string);
    } catch {
      message = undefined;
    }
    return {
      wrapper: 'query-json',
      code: jsonCode[1],
      ...(message === undefined ? {} : { message }),
      ...(requestId === undefined ? {} : { requestId }),
    };
  }
  const boto = /An error occurred \((\w+)\) when calling the \w+ operation(?: \([^)]*\))?: ([^\n]*)/.exec(
    text,
  );
  if (boto?.[1] !== undefined) return { wrapper: 'boto3', code: boto[1], message: boto[2] ?? '' };
  const goV2 = new RegExp(
    `https response error StatusCode: (\\d+), RequestID: ([^,]*), (?:api error )?${CODE_WORD}: ([^\\n]*)`,
  ).exec(text);
  if (goV2?.[3] !== undefined) {
    return {
      wrapper: 'go-sdk-v2',
      code: goV2[3],
      message: goV2[4] ?? '',
      status: Number(goV2[1]),
      ...(goV2[2] ? { requestId: goV2[2] } : {}),
    };
  }
  const goV1 = new RegExp(
    `caused by: ${CODE_WORD}: ([^\\n]*)(?:\\n\\s*status code: (\\d+), request id: ([\\w-]*))?`,
  ).exec(text);
  if (goV1?.[1] !== undefined) {
    return {
      wrapper: 'go-sdk-v1',
      code: goV1[1],
      message: goV1[2] ?? '',
      ...(goV1[3] === undefined ? {} : { status: Number(goV1[3]) }),
      ...(goV1[4] ? { requestId: goV1[4] } : {}),
    };
  }
  const java = /([^\n]*?) \(Service: [^;]+; Status Code: (\d+); Error Code: (\w+); Request ID: ([^;)]*)/.exec(
    text,
  );
  if (java?.[3] !== undefined) {
    return {
      wrapper: 'java-sdk',
      code: java[3],
      message: java[1] ?? '',
      status: Number(java[2]),
      ...(java[4] ? { requestId: java[4] } : {}),
    };
  }
  const js = new RegExp(`(?:^|[\\s:])${CODE_WORD}: ([^\\n]*)`).exec(text);
  if (js?.[1] !== undefined) return { wrapper: 'js-sdk', code: js[1], message: js[2] ?? '' };
  return { wrapper: 'plain' };
}

function candidateList(likely: Likely): ExplainedCandidate[] {
  return likely.map((entry) => {
    const [code, likelihood] = typeof entry === 'string' ? [entry, 'likely' as const] : entry;
    return { code, title: FINDINGS[code].title, likelihood };
  });
}

/**
 * Explains an STS error text of either era, wrapped or not.
 * @param text what the user saw: an SDK error, a log line, aws CLI output, a raw response body.
 * @returns the AWS code and message found, and the candidate causes (registry finding codes),
 *   most likely first, with the checks of `stsctl doctor` that decide between them.
 */
export function explainStsError(text: string): StsErrorExplanation {
  const found = unwrap(text);
  const code = found.code === undefined ? undefined : normalizeCode(found.code);
  const message = found.message?.trim();
  const haystack = message ?? text.trim();
  const base = {
    wrapper: found.wrapper,
    ...(code === undefined ? {} : { awsCode: code }),
    ...(found.status === undefined ? {} : { status: found.status }),
    ...(message === undefined ? {} : { message }),
    ...(found.requestId === undefined ? {} : { requestId: found.requestId }),
  };
  for (const known of KNOWN) {
    // `<value> is invalid` is too loose to find in free text: only as a ValidationError's message.
    // As a bare text it must be the whole text and name one word (an ARN-like value).
    if (known.kind === 'value-invalid') {
      const asMessage = code === 'ValidationError' && message !== undefined;
      const asBareText = code === undefined && /^\S+ is invalid$/.test(text.trim());
      if (!asMessage && !asBareText) continue;
    }
    if (code !== undefined && !known.codes.includes(code)) continue;
    const match = known.pattern.exec(haystack);
    if (match === null) continue;
    const values: Record<string, string> = {};
    (known.captures ?? []).forEach((name, i) => {
      const value = match[i + 1];
      if (value !== undefined) values[name] = value;
    });
    let candidates = candidateList(known.candidates);
    if (known.kind === 'missing-claim') {
      // aud has its own finding; the other claims share one.
      candidates = candidateList([values['claim'] === 'aud' ? 'TOKEN_MISSING_AUD' : 'TOKEN_MISSING_CLAIM']);
    }
    return {
      ...base,
      awsCode: code ?? known.codes[0] ?? '',
      message: message ?? match[0],
      recognised: true,
      kind: known.kind,
      profiles: known.profiles,
      era: known.era,
      evidence: known.evidence,
      summary: known.summary,
      candidates,
      checks: known.checks,
      values,
    };
  }
  if (code !== undefined && CODE_ONLY[code] !== undefined) {
    return {
      ...base,
      recognised: true,
      profiles: [],
      era: 'AWS (code known, message not one the fact sheets record)',
      summary: CODE_ONLY[code],
      candidates: [],
      checks: [],
      values: {},
    };
  }
  return {
    ...base,
    recognised: false,
    profiles: [],
    era: 'unknown',
    summary:
      code === undefined
        ? 'No AWS STS error found in the text.'
        : `${code} is not an error stsctl knows for AssumeRoleWithWebIdentity.`,
    candidates: [],
    checks: [],
    values: {},
  };
}

/** The explanation as text for a terminal. */
export function renderStsErrorExplanation(e: StsErrorExplanation): string {
  const lines: string[] = [];
  if (!e.recognised) {
    lines.push(e.summary);
    if (e.message !== undefined) lines.push(`message: ${e.message}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${e.awsCode ?? '?'}${e.status === undefined ? '' : ` (${e.status})`}: ${e.message ?? ''}`);
  lines.push(`seen as: ${e.wrapper}${e.requestId === undefined ? '' : `, request id ${e.requestId}`}`);
  lines.push(`era: ${e.era}${e.profiles.length > 0 ? ` [profiles ${e.profiles.join(', ')}]` : ''}`);
  if (e.evidence !== undefined) {
    lines.push(
      `evidence: ${e.evidence.kind}, ${e.evidence.sheet}${e.evidence.source === undefined ? '' : `; ${e.evidence.source}`}`,
    );
  }
  const values = Object.entries(e.values);
  if (values.length > 0) lines.push(`values: ${values.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  lines.push('', e.summary);
  if (e.candidates.length > 0) {
    lines.push('', 'Candidate causes, most likely first:');
    for (const c of e.candidates) lines.push(`  ${c.code.padEnd(32)} ${c.likelihood.padEnd(11)} ${c.title}`);
  }
  if (e.checks.length > 0) {
    lines.push('', 'Doctor checks that decide:');
    for (const c of e.checks) lines.push(`  ${c.id.padEnd(18)} ${c.decides}`);
  }
  return `${lines.join('\n')}\n`;
}
