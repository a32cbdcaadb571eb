import { awsErrors, profileErrors } from '../../webidentity/aws-errors.js';
import type { AwsBehaviour } from '../../webidentity/behaviour.js';
import type { AwsError } from '../../webidentity/types.js';

/**
 * The registry of doctor findings: one stable code per thing that can be wrong, with its severity,
 * the hop of the credential path it breaks, the AWS error it makes `AssumeRoleWithWebIdentity`
 * return (built with the web-identity model's own catalogue, so the text is AWS's exact bytes), and
 * the fix as concrete commands. `docs/findings.md` is generated from this table
 * (`npm run docs:findings`); a unit test fails when the committed file is stale.
 *
 * Remediation templates name values as `{placeholder}`; {@link fillTemplate} puts the user's names
 * in, and leaves `<placeholder>` where a value is unknown.
 */

/** How bad a finding is. `error` findings make `stsctl doctor` exit 1. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * The hops of the credential path, in the order the diagram draws them (ARCHITECTURE.md "The path
 * of a credential"): the token, the issuer URL and its hosting, the discovery document, the JWKS,
 * the IAM OIDC provider, the role, and the credentials the component ends up with.
 */
export const HOPS = ['token', 'issuer', 'discovery', 'jwks', 'provider', 'role', 'credentials'] as const;
export type Hop = (typeof HOPS)[number];

/** Values a remediation or a predicted message may name. */
export type TemplateVars = Readonly<Partial<Record<TemplateVar, string>>>;
export type TemplateVar =
  | 'issuer'
  | 'issuerHostPath'
  | 'iss'
  | 'bucket'
  | 'region'
  | 'roleName'
  | 'roleArn'
  | 'providerArn'
  | 'namespace'
  | 'serviceAccount'
  | 'secretName'
  | 'secretNamespace'
  | 'distributionId'
  | 'distributionArn'
  | 'accountId'
  | 'thumbprint'
  | 'clientId'
  | 'now'
  | 'exp'
  | 'partition'
  | 'functionName'
  | 'originDomain';

/** One entry of the registry. */
export interface FindingDefinition {
  readonly severity: Severity;
  readonly hop: Hop;
  readonly title: string;
  /** Why it matters, with the fact it rests on (a section of aws-sts-oidc.md). */
  readonly why: string;
  /**
   * The error STS answers because of it; undefined when STS is not involved (or still succeeds).
   * `behaviour` picks the AWS behaviour profile (default today's, `'2026-11'`): a missing provider
   * is the generic 2026 text today, `No OpenIDConnect provider found…` under `'2025-12'`.
   */
  readonly predicts?: (vars: TemplateVars, behaviour?: AwsBehaviour) => AwsError;
  /** Steps to fix it: commands with `{placeholders}`. */
  readonly fix: readonly string[];
}

const v = (vars: TemplateVars, name: TemplateVar): string => vars[name] ?? `<${name}>`;
const couldNotRetrieve = (): AwsError => awsErrors.couldNotRetrieveKey();
const noProvider = (vars: TemplateVars, behaviour?: AwsBehaviour): AwsError =>
  profileErrors(behaviour).providerNotFound(v(vars, 'iss'));
const thumbprint = (): AwsError => awsErrors.thumbprintMismatch();
const accessDenied = (): AwsError => awsErrors.accessDenied();

const PUBLIC_POLICY_FIX = [
  'aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
  `aws s3api put-bucket-policy --bucket {bucket} --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:{partition}:s3:::{bucket}/.well-known/openid-configuration","arn:{partition}:s3:::{bucket}/keys.json"]}]}'`,
  'or host the issuer privately: stsctl create-identity-provider --hosting cloudfront (a private bucket behind CloudFront with origin access control)',
];

const REPUBLISH_FIX = [
  'publish the issuer documents again: stsctl create-identity-provider --name <name> --region {region} (re-uploads .well-known/openid-configuration and keys.json)',
  'check from outside your network: curl -sS -D- {issuer}/.well-known/openid-configuration',
];

/** Every finding code. Codes are stable: tools and people grep for them. */
export const FINDINGS = {
  // ---- token --------------------------------------------------------------------------------
  TOKEN_MALFORMED: {
    severity: 'error',
    hop: 'token',
    title: 'The token is not a JWT',
    why: 'STS needs a compact JWS (header.payload.signature); an access token or a truncated file is refused (§11.7).',
    predicts: () => awsErrors.malformedToken(),
    fix: [
      'use the projected service-account token file, e.g. /var/run/secrets/openshift/serviceaccount/token',
      'stsctl token inspect <file> shows what the file holds',
    ],
  },
  TOKEN_ALG_UNSUPPORTED: {
    severity: 'error',
    hop: 'token',
    title: 'The token is signed with an algorithm STS does not accept',
    why: 'STS accepts RS256/384/512 and ES256/384/512, never none or HMAC (§1.2, §3.3); a refused algorithm gets the "not a valid JWT" text, the best-supported answer (aws-sts-2026.md §6).',
    predicts: (_vars, behaviour) => profileErrors(behaviour).refusedAlgorithm('<alg>'),
    fix: ['sign service-account tokens with the RSA key kube-apiserver uses (RS256)'],
  },
  TOKEN_MISSING_AUD: {
    severity: 'error',
    hop: 'token',
    title: 'The token has no aud claim',
    why: 'A legacy (Secret-based) service-account token has no audience; STS answers "Missing a required claim: aud" (§2, aws-sdk-ruby#2698).',
    predicts: () => awsErrors.missingClaim('aud'),
    fix: [
      'use a projected token with an audience: serviceAccountToken { audience: openshift } in the pod spec',
      'kubectl create token {serviceAccount} -n {namespace} --audience openshift',
    ],
  },
  TOKEN_MISSING_CLAIM: {
    severity: 'error',
    hop: 'token',
    title: 'The token lacks a claim STS requires (iss, sub or exp)',
    why: 'STS reads iss to find the provider, sub for the trust policy and exp for expiry (§3.4).',
    predicts: () => awsErrors.missingClaim('<claim>'),
    fix: ['use a projected service-account token from kube-apiserver (it always carries iss, sub and exp)'],
  },
  TOKEN_TIMESTAMP_INVALID: {
    severity: 'error',
    hop: 'token',
    title: 'A time claim of the token is not an integer',
    why: '"Timestamps in the token must be formatted as either an integer or a long integer" (§1.2).',
    predicts: () => awsErrors.invalidTimestamp('<claim>'),
    fix: ['mint tokens with integer exp, iat and nbf (seconds since the epoch)'],
  },
  TOKEN_EXPIRED: {
    severity: 'error',
    hop: 'token',
    title: 'The token has expired',
    why: 'STS rejects a token once now > exp + 300 s (5-minute leeway, §2, §3.4). Applications must re-read the token file; the kubelet rotates it at 80% of its lifetime (§9).',
    predicts: (vars) => {
      const now = Number(vars.now);
      const exp = Number(vars.exp);
      if (Number.isInteger(now) && Number.isInteger(exp)) return awsErrors.tokenExpired(now, exp);
      // Without the times (docs), the catalogue's message with placeholders for the two numbers.
      const e = awsErrors.tokenExpired(0, 0);
      return { ...e, message: e.message.replace(/ 0 /, ' <now> ').replace(/ 0$/, ' <exp>') };
    },
    fix: [
      'make the application re-read {serviceAccount} token file on every call (AWS SDKs do: web_identity_token_file)',
      'check the node clock: timedatectl status',
    ],
  },
  TOKEN_OLD: {
    severity: 'warning',
    hop: 'token',
    title: 'The token was issued more than a day ago',
    why: 'AWS has answered "Token too old: <age>" (ExpiredTokenException) for tokens about 1.8 days old even before exp (§2, undocumented). The kubelet refreshes projected tokens after 24 h at most (§9).',
    fix: ['use a fresh token: the application should re-read the projected token file'],
  },
  TOKEN_NOT_YET_VALID: {
    severity: 'warning',
    hop: 'token',
    title: 'The token is issued in the future (iat or nbf after now)',
    why: "AWS's handling of nbf and a future iat is undocumented (§3.4); a skewed clock on the control plane or this machine is the usual cause.",
    fix: ['check clocks: timedatectl status (control-plane nodes and this machine)'],
  },
  TOKEN_NO_KID: {
    severity: 'warning',
    hop: 'token',
    title: 'The token header has no kid',
    why: 'Kubernetes before 1.16 signed without a kid; STS then matches only a JWKS key with an empty kid (§3.3).',
    fix: ['upgrade the cluster, or publish the key a second time with "kid": "" in keys.json'],
  },
  TOKEN_SIGNATURE_INVALID: {
    severity: 'error',
    hop: 'token',
    title: "The token's signature does not verify with the published key",
    why: "The key with the token's kid does not verify the signature: the token was altered, or the JWKS publishes another key under that kid (§3.3, §11.7).",
    predicts: () => awsErrors.invalidSignature(),
    fix: [
      'publish the public half of the key kube-apiserver signs with (tls/bound-service-account-signing-key.key): stsctl create-identity-provider --public-key-file serviceaccount-signer.public',
    ],
  },
  TOKEN_KID_NOT_IN_JWKS: {
    severity: 'error',
    hop: 'jwks',
    title: "The token's kid is not in the published JWKS",
    why: 'A token signed with a key missing from keys.json gets "Couldn\'t retrieve verification key…" (§2, GitLab 342243). Usual causes: the signing key was rotated, or keys.json was built from another key.',
    predicts: couldNotRetrieve,
    fix: [
      'publish the current signing key next to the old one: stsctl create-identity-provider --name <name> --region {region} --public-key-file serviceaccount-signer.public (keys are merged by kid)',
      'compare: stsctl token inspect <token file> (header kid) with curl -s {issuer}/keys.json',
    ],
  },
  TOKEN_ISSUER_UNEXPECTED: {
    severity: 'warning',
    hop: 'token',
    title: "The token's iss is not the issuer you named",
    why: "STS looks the provider up by the token's iss, byte for byte (§3.1); the issuer under test is another one.",
    fix: ['check spec.serviceAccountIssuer of the Authentication CR: oc get authentication cluster -o yaml'],
  },
  REQUEST_INVALID: {
    severity: 'error',
    hop: 'credentials',
    title: 'The AssumeRoleWithWebIdentity request itself is invalid',
    why: 'Request validation comes before anything else (§1.2, §2): a malformed role ARN or session name fails with ValidationError.',
    predicts: () => awsErrors.validation(['<constraint>']),
    fix: ['check role_arn in the Secret and the session name: [\\w+=,.@-]{2,64}'],
  },
  SESSION_DURATION_EXCEEDS_MAX: {
    severity: 'error',
    hop: 'role',
    title: "The requested session duration exceeds the role's MaxSessionDuration",
    why: "DurationSeconds above the role's MaxSessionDuration fails (§1.2, §2).",
    predicts: () => awsErrors.durationExceedsMax(),
    fix: ['aws iam update-role --role-name {roleName} --max-session-duration <seconds>'],
  },

  // ---- issuer -------------------------------------------------------------------------------
  ISSUER_NOT_HTTPS: {
    severity: 'error',
    hop: 'issuer',
    title: 'The issuer is not an https:// URL',
    why: 'IAM provider URLs start with https://, so a token whose iss does not can match no provider (§3.1, §12).',
    predicts: noProvider,
    fix: [
      'set an https issuer: oc patch authentication cluster --type merge -p \'{"spec":{"serviceAccountIssuer":"{issuer}"}}\'',
    ],
  },
  ISSUER_URL_FORM: {
    severity: 'error',
    hop: 'issuer',
    title: "The issuer URL breaks AWS's rules (port, query, fragment or trailing slash)",
    why: 'The provider URL "should not contain a port number", no query; STS compares iss byte for byte, so a trailing slash must match everywhere (§3.1).',
    fix: [
      'use https://<host>[/path] with no port, query or trailing slash, in the Authentication CR and the IAM provider alike',
    ],
  },
  ISSUER_S3_PATH_STYLE: {
    severity: 'warning',
    hop: 'issuer',
    title: 'The issuer uses the path-style S3 URL',
    why: 'https://s3.<region>.amazonaws.com/<bucket> works, but the provider URL, the condition keys and iss must all use this same form; ccoctl and stsctl publish the virtual-hosted form https://<bucket>.s3.<region>.amazonaws.com (§3.1, §7).',
    fix: ['keep one form everywhere; new setups: stsctl create-identity-provider (virtual-hosted issuer)'],
  },
  ISSUER_S3_LEGACY_HOST: {
    severity: 'warning',
    hop: 'issuer',
    title: 'The issuer uses a legacy S3 host name (s3-<region> or the global s3.amazonaws.com)',
    why: 'The global endpoint answers 307 for buckets outside us-east-1 and STS is not known to follow redirects (§7, §11.8); the dash form is legacy.',
    fix: ['use the regional virtual-hosted form https://{bucket}.s3.{region}.amazonaws.com'],
  },
  ISSUER_MISMATCH: {
    severity: 'error',
    hop: 'issuer',
    title: 'The cluster issuer and the IAM provider name different issuers',
    why: "Tokens carry the Authentication CR's serviceAccountIssuer as iss; STS looks the provider up by that exact string (§3.1), so a provider for another URL is never found.",
    predicts: noProvider,
    fix: [
      'either point the cluster at the provider\'s issuer: oc patch authentication cluster --type merge -p \'{"spec":{"serviceAccountIssuer":"{issuer}"}}\'',
      "or create the provider for the cluster's issuer: aws iam create-open-id-connect-provider --url {iss} --client-id-list openshift sts.amazonaws.com",
    ],
  },
  ISSUER_S3_FORM_MISMATCH: {
    severity: 'error',
    hop: 'issuer',
    title: 'Token and IAM provider name the same bucket in different S3 URL forms',
    why: 'Path-style and virtual-hosted URLs of one bucket are different strings; STS compares iss with the provider URL byte for byte (§3.1).',
    predicts: noProvider,
    fix: [
      "use one form everywhere; to keep the cluster's: aws iam create-open-id-connect-provider --url {iss} --client-id-list openshift sts.amazonaws.com, and update the roles' trust policies to the new provider",
    ],
  },
  ISSUER_DNS: {
    severity: 'error',
    hop: 'issuer',
    title: 'The issuer host name does not resolve',
    why: 'STS fetches discovery and JWKS over the public internet; a name that does not resolve gives "Couldn\'t retrieve verification key…" (§2, §12).',
    predicts: couldNotRetrieve,
    fix: ['publish the issuer under a public DNS name; check: dig +short <host>'],
  },
  ISSUER_UNREACHABLE: {
    severity: 'error',
    hop: 'issuer',
    title: 'The issuer cannot be fetched from the internet (connection failed or timed out)',
    why: 'Discovery and JWKS must be reachable anonymously from the public internet within about 5 s (§2 re:Post causes, §3.2).',
    predicts: couldNotRetrieve,
    fix: [
      'open the issuer to the internet (firewall, security group, private endpoint) and test from outside: curl -sS -m 5 {issuer}/.well-known/openid-configuration',
    ],
  },
  ISSUER_TLS_CERT_EXPIRED: {
    severity: 'error',
    hop: 'issuer',
    title: "The issuer's TLS certificate has expired",
    why: 'An expired certificate is not trusted by the CA library; STS then only accepts the chain through a matching thumbprint (§4).',
    predicts: thumbprint,
    fix: [
      'renew the certificate of the issuer host, then check: openssl s_client -connect <host>:443 -servername <host> </dev/null | openssl x509 -noout -dates',
    ],
  },
  ISSUER_TLS_CERT_EXPIRING: {
    severity: 'warning',
    hop: 'issuer',
    title: "The issuer's TLS certificate expires within 30 days",
    why: 'When it expires, STS stops trusting the chain through its CA library (§4).',
    fix: ['renew the certificate of the issuer host before it expires'],
  },
  ISSUER_TLS_UNTRUSTED: {
    severity: 'info',
    hop: 'issuer',
    title: 'The issuer certificate is not from a public CA: thumbprints are enforced',
    why: "Since 2024-08 AWS ignores thumbprints for public CAs and pins them only for others (§4); this issuer depends on the provider's thumbprint list.",
    fix: [
      'keep the provider thumbprints current when the CA changes: aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn {providerArn} --thumbprint-list {thumbprint}',
    ],
  },
  THUMBPRINT_MISMATCH: {
    severity: 'error',
    hop: 'provider',
    title: "No thumbprint of the IAM provider matches the issuer's certificate chain",
    why: "For a chain not trusted by AWS's CA library, STS pins the provider's thumbprints (SHA-1 of a CA certificate of the chain, §4).",
    predicts: thumbprint,
    fix: [
      'aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn {providerArn} --thumbprint-list {thumbprint}',
    ],
  },
  THUMBPRINT_IGNORED: {
    severity: 'info',
    hop: 'provider',
    title: 'The provider thumbprints do not match the live chain, but AWS ignores them here',
    why: "The chain is trusted by AWS's CA library, so thumbprints are not used (§4, 2024-08); they would matter again only if the issuer moved to a private CA.",
    fix: [
      'optional: aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn {providerArn} --thumbprint-list {thumbprint}',
    ],
  },

  // ---- hosting (S3, CloudFront) ---------------------------------------------------------------
  ISSUER_PRIVATE_BUCKET: {
    severity: 'error',
    hop: 'issuer',
    title: 'The issuer bucket does not let anonymous readers get the issuer documents',
    why: 'With public S3 hosting, STS reads discovery and keys.json anonymously; without a public bucket policy S3 answers 403 AccessDenied and STS "Couldn\'t retrieve verification key…" (§7, §12).',
    predicts: couldNotRetrieve,
    fix: PUBLIC_POLICY_FIX,
  },
  S3_BUCKET_PUBLIC_ACCESS_BLOCK: {
    severity: 'error',
    hop: 'issuer',
    title: "The bucket's public-access block overrides its public policy",
    why: 'RestrictPublicBuckets makes S3 ignore public bucket policies for anonymous callers (§7); since April 2023 new buckets have all four settings on.',
    predicts: couldNotRetrieve,
    fix: [
      'aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
    ],
  },
  S3_ACCOUNT_PUBLIC_ACCESS_BLOCK: {
    severity: 'error',
    hop: 'issuer',
    title: "The account's public-access block overrides the bucket's public policy",
    why: "An account-level RestrictPublicBuckets applies to every bucket, whatever the bucket's own setting (§7).",
    predicts: couldNotRetrieve,
    fix: [
      'aws s3control put-public-access-block --account-id {accountId} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
      'or, when the account must stay closed, host the issuer behind CloudFront: stsctl create-identity-provider --hosting cloudfront',
    ],
  },
  S3_ISSUER_REGION_MISMATCH: {
    severity: 'warning',
    hop: 'issuer',
    title: "The issuer URL names another region than the bucket's location",
    why: 'A virtual-hosted URL with the wrong region makes S3 answer a redirect (301 PermanentRedirect) instead of the document, and STS does not follow redirects (§7, §11.8); fixes must act on the bucket in its real region.',
    fix: [
      'publish the issuer under the URL of the region the bucket is in: https://{bucket}.s3.{region}.amazonaws.com (the Authentication CR, the IAM provider and the trust policies name that URL)',
    ],
  },
  HOSTING_RULES_DISAGREE_WITH_FETCH: {
    severity: 'warning',
    hop: 'issuer',
    title: "S3's access rules and the anonymous fetch disagree",
    why: "The doctor evaluates S3's rules (bucket policy, object ACLs, Object Ownership, public-access blocks) on what it read and also fetches the documents as STS does; when they differ, something between (a CDN, a cache, a proxy) or a rule S3 applies that was not readable decides, and the fetch is what STS sees (§7).",
    fix: [
      'compare from outside your network: curl -sS -D- {issuer}/.well-known/openid-configuration, and aws s3api get-object-acl --bucket {bucket} --key keys.json',
    ],
  },
  S3_BUCKET_MISSING: {
    severity: 'error',
    hop: 'issuer',
    title: 'The issuer bucket does not exist',
    why: 'S3 answers 404 NoSuchBucket; STS "Couldn\'t retrieve verification key…" (§7).',
    predicts: couldNotRetrieve,
    fix: [
      'stsctl create-identity-provider --name <name> --region {region} (creates {bucket} and publishes the documents)',
    ],
  },
  S3_BUCKET_EXPOSES_OTHER_OBJECTS: {
    severity: 'warning',
    hop: 'issuer',
    title: 'The public issuer bucket exposes more than the two issuer objects',
    why: 'Only .well-known/openid-configuration and keys.json need to be public; a policy on <bucket>/* publishes whatever else is put in the bucket.',
    fix: [
      `aws s3api put-bucket-policy --bucket {bucket} --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:{partition}:s3:::{bucket}/.well-known/openid-configuration","arn:{partition}:s3:::{bucket}/keys.json"]}]}'`,
    ],
  },
  CLOUDFRONT_DISTRIBUTION_NOT_FOUND: {
    severity: 'warning',
    hop: 'issuer',
    title: 'No CloudFront distribution of this account serves the issuer host',
    why: 'The issuer looks CloudFront-hosted but no distribution has it as domain or alias, so origin access cannot be checked.',
    fix: [
      'aws cloudfront list-distributions --query "DistributionList.Items[].[Id,DomainName,Aliases.Items]"',
    ],
  },
  CLOUDFRONT_ORIGIN_ACCESS_DENIED: {
    severity: 'error',
    hop: 'issuer',
    title: 'The bucket policy does not let the CloudFront distribution read the issuer objects',
    why: 'With origin access control the bucket policy must allow cloudfront.amazonaws.com with AWS:SourceArn = the distribution ARN (with an OAI: the OAI principal); otherwise CloudFront gets 403 and so does STS (§8).',
    predicts: couldNotRetrieve,
    fix: [
      `aws s3api put-bucket-policy --bucket {bucket} --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:{partition}:s3:::{bucket}/*","Condition":{"StringEquals":{"AWS:SourceArn":"{distributionArn}"}}}]}'`,
    ],
  },
  CLOUDFRONT_ORIGIN_REGION_MISMATCH: {
    severity: 'warning',
    hop: 'issuer',
    title: "The CloudFront origin names another region than the bucket's location",
    why: 'An S3 origin domain <bucket>.s3.<region>.amazonaws.com for the wrong region is answered with a redirect that CloudFront passes on, so STS gets no document (§8, §11.8).',
    fix: ["set the origin domain of {distributionId} to {originDomain} (the bucket's regional endpoint)"],
  },
  CLOUDFRONT_ORIGIN_UNPROTECTED: {
    severity: 'warning',
    hop: 'issuer',
    title: 'The CloudFront origin uses neither origin access control nor an OAI',
    why: 'Then CloudFront reads the bucket anonymously, which only works if the bucket is public: the point of private hosting is lost (§8).',
    fix: [
      'aws cloudfront create-origin-access-control … and set OriginAccessControlId on the origin of {distributionId}',
    ],
  },

  // ---- discovery / JWKS ---------------------------------------------------------------------
  DISCOVERY_HTTP_STATUS: {
    severity: 'error',
    hop: 'discovery',
    title: 'The discovery document does not answer HTTP 200',
    why: 'STS needs 200 for {issuer}/.well-known/openid-configuration; redirects are not followed (§3.2, §11.8).',
    predicts: couldNotRetrieve,
    fix: REPUBLISH_FIX,
  },
  DISCOVERY_SLOW: {
    severity: 'error',
    hop: 'discovery',
    title: 'The issuer answers too slowly (over 5 s)',
    why: '"latency of more than 5 seconds" is a documented cause of "Couldn\'t retrieve verification key…" (§2).',
    predicts: couldNotRetrieve,
    fix: ['serve the issuer from S3 or CloudFront, or make the self-hosted server answer faster'],
  },
  DISCOVERY_NOT_JSON: {
    severity: 'error',
    hop: 'discovery',
    title: 'The discovery document is not a JSON object',
    why: 'STS parses the document to find jwks_uri (§3.2).',
    predicts: couldNotRetrieve,
    fix: REPUBLISH_FIX,
  },
  DISCOVERY_MISSING_FIELDS: {
    severity: 'error',
    hop: 'discovery',
    title: 'The discovery document lacks a field STS requires',
    why: 'issuer, jwks_uri, response_types_supported, subject_types_supported and id_token_signing_alg_values_supported are required; a document without the last three fails (§2, §3.2).',
    predicts: couldNotRetrieve,
    fix: REPUBLISH_FIX,
  },
  DISCOVERY_JWKS_URI_INVALID: {
    severity: 'error',
    hop: 'discovery',
    title: 'jwks_uri is not an https URL',
    why: 'STS fetches the keys from jwks_uri over HTTPS (§3.2).',
    predicts: couldNotRetrieve,
    fix: REPUBLISH_FIX,
  },
  DISCOVERY_ISSUER_MISMATCH: {
    severity: 'warning',
    hop: 'discovery',
    title: 'The discovery document names another issuer',
    why: 'Whether STS checks discovery issuer = iss is unverified (§3.2, §11.7); keep them byte-identical.',
    fix: REPUBLISH_FIX,
  },
  DISCOVERY_CONTENT_TYPE: {
    severity: 'info',
    hop: 'discovery',
    title: 'An issuer document is not served as application/json',
    why: 'STS evidently does not require it (S3 setups upload with a guessed type, §3.2), but other OIDC clients may.',
    fix: [
      'aws s3 cp s3://{bucket}/keys.json s3://{bucket}/keys.json --content-type application/json --metadata-directive REPLACE',
    ],
  },
  JWKS_HTTP_STATUS: {
    severity: 'error',
    hop: 'jwks',
    title: 'The JWKS does not answer HTTP 200',
    why: 'STS needs 200 for jwks_uri (§3.2).',
    predicts: couldNotRetrieve,
    fix: REPUBLISH_FIX,
  },
  JWKS_SLOW: {
    severity: 'error',
    hop: 'jwks',
    title: 'Discovery and JWKS together take more than 5 s',
    why: 'The 5-second budget covers both fetches (§2).',
    predicts: couldNotRetrieve,
    fix: ['serve the issuer from S3 or CloudFront, or make the self-hosted server answer faster'],
  },
  JWKS_INVALID: {
    severity: 'error',
    hop: 'jwks',
    title: 'The JWKS is not a JSON object with a keys list',
    why: 'STS reads the keys from the JWKS (§3.3).',
    predicts: couldNotRetrieve,
    fix: REPUBLISH_FIX,
  },
  JWKS_TOO_MANY_KEYS: {
    severity: 'error',
    hop: 'jwks',
    title: 'The JWKS holds more than 100 keys',
    why: '"AWS support a maximum of 100 keys in a JWKS endpoint" (spiffe/spire#4699, §3.3).',
    predicts: couldNotRetrieve,
    fix: ['remove retired keys from keys.json'],
  },

  // ---- IAM provider -------------------------------------------------------------------------
  PROVIDER_MISSING: {
    severity: 'error',
    hop: 'provider',
    title: 'No IAM OIDC provider for the issuer in the account',
    why: "STS looks the provider up by iss in the role's account. Since mid-2026 it answers a generic message that no longer names the cause (aws-sts-2026.md §1); before, it echoed iss verbatim (§2, §3.1). The doctor checks the providers itself, so it names the cause.",
    predicts: noProvider,
    fix: ['aws iam create-open-id-connect-provider --url {iss} --client-id-list openshift sts.amazonaws.com'],
  },
  PROVIDER_URL_CASE_OR_SLASH: {
    severity: 'error',
    hop: 'provider',
    title: 'An IAM provider differs from the issuer only in case or a trailing slash',
    why: 'IAM does not normalize URLs: case and a trailing slash make a different provider (§3.1).',
    predicts: noProvider,
    fix: [
      "aws iam create-open-id-connect-provider --url {iss} --client-id-list openshift sts.amazonaws.com (exactly the token's iss)",
    ],
  },
  AUDIENCE_NOT_ALLOWED: {
    severity: 'error',
    hop: 'provider',
    title: "The token's audience is not a client ID of the IAM provider",
    why: "The effective audience (azp, else aud) must be in the provider's ClientIDList (§2, §3.6).",
    predicts: () => awsErrors.incorrectAudience(),
    fix: [
      'aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {providerArn} --client-id {clientId}',
    ],
  },
  PROVIDER_CLIENT_ID_MISSING: {
    severity: 'warning',
    hop: 'provider',
    title: 'The IAM provider lacks the client ID OpenShift components use',
    why: 'OpenShift components request tokens with audience openshift; ccoctl registers openshift and sts.amazonaws.com (ccoctl.md §3.5).',
    fix: [
      'aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {providerArn} --client-id {clientId}',
    ],
  },

  // ---- role ---------------------------------------------------------------------------------
  ROLE_MISSING: {
    severity: 'error',
    hop: 'role',
    title: 'The role does not exist (or is in another account)',
    why: 'STS answers AccessDenied for a role it cannot use, without naming it (§2).',
    predicts: accessDenied,
    fix: [
      'stsctl create-iam-roles --name <name> --credentials-requests-dir <dir> --identity-provider-arn {providerArn}',
    ],
  },
  TRUST_POLICY_DENIES: {
    severity: 'error',
    hop: 'role',
    title: "The role's trust policy does not allow this token",
    why: 'Principal, action and every condition (:sub, :aud with the right operator) must match, and no Deny may apply (§6).',
    predicts: accessDenied,
    fix: [
      'aws iam get-role --role-name {roleName} --query Role.AssumeRolePolicyDocument',
      `aws iam update-assume-role-policy --role-name {roleName} --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"{providerArn}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"{issuerHostPath}:sub":"system:serviceaccount:{namespace}:{serviceAccount}"}}}]}'`,
    ],
  },
  TRUST_POLICY_NO_SUB_CONDITION: {
    severity: 'warning',
    hop: 'role',
    title: 'The trust policy does not restrict the service account (:sub)',
    why: 'Without a <issuer>:sub condition any service account of the cluster (anyone the issuer signs for) can assume the role (§3.7, §6).',
    fix: [
      `aws iam update-assume-role-policy --role-name {roleName} --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"{providerArn}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"{issuerHostPath}:sub":"system:serviceaccount:{namespace}:{serviceAccount}"}}}]}'`,
    ],
  },
  TRUST_POLICY_WILDCARD_SUB: {
    severity: 'warning',
    hop: 'role',
    title: 'The trust policy matches service accounts with a wildcard',
    why: 'StringLike on :sub with * lets every matching service account assume the role (§3.7).',
    fix: [
      'name each service account: StringEquals {issuerHostPath}:sub system:serviceaccount:{namespace}:{serviceAccount}',
    ],
  },
  ROLE_PERMISSIONS_BOUNDARY: {
    severity: 'info',
    hop: 'role',
    title: 'The role has a permissions boundary',
    why: 'The session can do only what both the role policy and the boundary allow; an AccessDenied on later calls may come from the boundary, not from STS.',
    fix: ['aws iam get-role --role-name {roleName} --query Role.PermissionsBoundary'],
  },

  // ---- credentials and the cluster ----------------------------------------------------------
  CREDENTIALS_MODE_NOT_MANUAL: {
    severity: 'error',
    hop: 'credentials',
    title: 'The cloud-credential operator is not in Manual mode',
    why: 'Short-lived (STS) credentials on OpenShift need credentialsMode: Manual; in other modes the operator mints or passes through long-lived keys.',
    fix: ['oc patch cloudcredential cluster --type merge -p \'{"spec":{"credentialsMode":"Manual"}}\''],
  },
  AUTHENTICATION_ISSUER_MISSING: {
    severity: 'error',
    hop: 'issuer',
    title: 'The Authentication CR sets no serviceAccountIssuer',
    why: 'Tokens then carry the cluster-internal issuer, which no IAM provider names (§9).',
    predicts: noProvider,
    fix: ['oc patch authentication cluster --type merge -p \'{"spec":{"serviceAccountIssuer":"{issuer}"}}\''],
  },
  SECRET_MISSING: {
    severity: 'error',
    hop: 'credentials',
    title: 'The CredentialsRequest has no Secret',
    why: 'In Manual mode the component reads role_arn and web_identity_token_file from the Secret the CredentialsRequest names; without it the component has no credentials at all.',
    fix: [
      'stsctl create-iam-roles --name <name> --credentials-requests-dir <dir> --identity-provider-arn {providerArn} --output-dir out',
      'oc apply -f out/manifests/{secretNamespace}-{secretName}-credentials.yaml',
    ],
  },
  SECRET_STATIC_KEYS: {
    severity: 'error',
    hop: 'credentials',
    title: 'The Secret holds static AWS access keys',
    why: 'aws_access_key_id / aws_secret_access_key are long-lived keys: the component does not use the web-identity path at all, and the keys do not rotate.',
    fix: [
      'oc apply -f out/manifests/{secretNamespace}-{secretName}-credentials.yaml (role_arn and web_identity_token_file only), then deactivate the keys: aws iam update-access-key --status Inactive --access-key-id <id>',
    ],
  },
  SECRET_INCOMPLETE: {
    severity: 'error',
    hop: 'credentials',
    title: 'The Secret lacks role_arn or web_identity_token_file',
    why: 'The AWS SDKs need both to use web identity ("Web identity configuration not specified", §9).',
    fix: [
      'oc apply -f out/manifests/{secretNamespace}-{secretName}-credentials.yaml (from stsctl create-iam-roles)',
    ],
  },
  OPERATOR_LOG_ERRORS: {
    severity: 'warning',
    hop: 'credentials',
    title: 'Gathered logs contain web-identity errors',
    why: 'InvalidIdentityToken, AccessDenied and WebIdentityErr lines are how a broken credential path shows up in operator logs (§2).',
    fix: ['compare the log lines with the findings above; the first error finding is the likely cause'],
  },
  LIVE_MISMATCH: {
    severity: 'error',
    hop: 'credentials',
    title: 'AWS answered differently from the prediction',
    why: 'The model of STS and the live call disagree: the model or what the doctor could observe is incomplete. Please report it.',
    fix: ['rerun with --output json and attach the report to a bug report (tokens are never included)'],
  },

  // ---- IRSA (EKS / self-managed Kubernetes, the pod identity webhook) -------------------------
  IRSA_ROLE_ARN_INVALID: {
    severity: 'error',
    hop: 'credentials',
    title: 'The eks.amazonaws.com/role-arn annotation is not a role ARN',
    why: 'The pod identity webhook injects the annotation as AWS_ROLE_ARN unchanged (peers.md §2.2); STS refuses a RoleArn that is not an ARN before it reads the token (§2, 2026 §5).',
    predicts: () => awsErrors.invalidRoleArn(),
    fix: [
      'kubectl annotate serviceaccount -n {namespace} {serviceAccount} eks.amazonaws.com/role-arn=arn:{partition}:iam::{accountId}:role/<role name> --overwrite',
      'kubectl delete pods -n {namespace} -l <the workload selector> (the webhook injects the env when a pod is created)',
    ],
  },
  IRSA_ROLE_ACCOUNT_MISMATCH: {
    severity: 'error',
    hop: 'provider',
    title: "The annotated role is in another account or partition than the cluster's IAM OIDC provider",
    why: "STS looks the IAM OIDC provider up in the role's own account and partition (§2, §3.6): a provider in another account does not count.",
    predicts: noProvider,
    fix: [
      'with credentials of account {accountId}: aws iam create-open-id-connect-provider --url {issuer} --client-id-list {clientId} (then trust it in the role)',
      "or annotate a role of the provider's account: kubectl annotate serviceaccount -n {namespace} {serviceAccount} eks.amazonaws.com/role-arn=<role ARN> --overwrite",
    ],
  },
  IRSA_AUDIENCE_NOT_CLIENT_ID: {
    severity: 'error',
    hop: 'provider',
    title: "The webhook's token audience is not a client ID of the IAM provider",
    why: "The webhook projects tokens for eks.amazonaws.com/audience, default sts.amazonaws.com (aws-sts-oidc.md, EKS webhook defaults); STS requires the token's aud in the provider's ClientIDList (§2, §3.6). ccoctl-made providers list openshift and sts.amazonaws.com.",
    predicts: () => awsErrors.incorrectAudience(),
    fix: [
      'aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {providerArn} --client-id {clientId}',
      'or: kubectl annotate serviceaccount -n {namespace} {serviceAccount} eks.amazonaws.com/audience=<a client ID of the provider> --overwrite, then recreate the pods',
    ],
  },

  // ---- Lambda function URL hosting ------------------------------------------------------------
  FUNCTION_URL_NOT_FOUND: {
    severity: 'error',
    hop: 'issuer',
    title: "No Lambda function has the issuer's function URL",
    why: 'A function URL host exists only while its function and URL config do; STS cannot fetch the documents from a URL nobody answers (§2).',
    predicts: couldNotRetrieve,
    fix: [
      "stsctl create-identity-provider --hosting lambda re-creates the function and its URL, but Lambda gives a new URL a new host, so it is a new issuer: the IAM OIDC provider, the roles' trust policies and the discovery document name the old one, and tokens the cluster signs name the old one too. Re-create the provider and roles (stsctl create-all --hosting lambda) and set the cluster's service-account issuer to the new URL; no step can bring the old host back",
    ],
  },
  FUNCTION_URL_AUTH_NOT_NONE: {
    severity: 'error',
    hop: 'issuer',
    title: "The function URL's auth type is not NONE",
    why: 'STS fetches the issuer documents without signing; an AWS_IAM function URL answers an unsigned request 403 {"Message":"Forbidden"} (Lambda urls-auth.html), so STS cannot retrieve the keys (§2).',
    predicts: couldNotRetrieve,
    fix: [
      'aws lambda update-function-url-config --function-name {functionName} --auth-type NONE (the CORS is kept; the public statements must be in its resource policy too)',
    ],
  },
  FUNCTION_URL_NOT_PUBLIC: {
    severity: 'error',
    hop: 'issuer',
    title: "The function's resource policy does not let everyone invoke it through its URL",
    why: 'With auth type NONE Lambda still requires resource-based statements allowing lambda:InvokeFunctionUrl (FunctionUrlAuthType NONE) and lambda:InvokeFunction (InvokedViaFunctionUrl) to principal *; without them an unsigned GET is answered 403 (urls-auth.html, §2).',
    predicts: couldNotRetrieve,
    fix: [
      "aws lambda add-permission --function-name {functionName} --statement-id FunctionURLAllowPublicAccess --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE",
      "aws lambda add-permission --function-name {functionName} --statement-id FunctionURLInvokeAllowPublicAccess --action lambda:InvokeFunction --principal '*' --invoked-via-function-url",
    ],
  },
  FUNCTION_ROLE_CANNOT_READ_BUCKET: {
    severity: 'error',
    hop: 'issuer',
    title: "The issuer function's execution role may not read the issuer documents in its bucket",
    why: 'stsctl\'s function reads the two documents from the private bucket named by ISSUER_BUCKET with its execution role; IAM allows the read only when an identity policy of the role (or the bucket policy) allows s3:GetObject and no policy denies it (reference_policies_evaluation-logic.md). Denied, the read fails with AccessDenied, the function answers 502 and STS "Couldn\'t retrieve verification key…" (§2).',
    predicts: couldNotRetrieve,
    fix: [
      'aws iam put-role-policy --role-name {roleName} --policy-name {roleName} --policy-document file://<the role policy stsctl writes: s3:GetObject on arn:{partition}:s3:::{bucket}/.well-known/openid-configuration and arn:{partition}:s3:::{bucket}/keys.json>',
      'or re-apply: stsctl create-identity-provider --hosting lambda (puts the role policy back); an explicit Deny in another policy of the role or in the bucket policy must be removed by hand',
    ],
  },
  FUNCTION_URL_FUNCTION_ERROR: {
    severity: 'error',
    hop: 'issuer',
    title: 'The issuer function fails (5xx from its URL)',
    why: 'The function URL answers 502 when the function throws or its role cannot read the bucket; STS treats any non-200 answer as keys it could not retrieve (§2).',
    predicts: couldNotRetrieve,
    fix: [
      "aws logs tail /aws/lambda/{functionName} --since 1h (the function's error)",
      'grant the execution role s3:GetObject on arn:{partition}:s3:::{bucket}/* (stsctl create-identity-provider --hosting lambda re-applies the role policy)',
    ],
  },

  // ---- fleet issuers (`--shared-issuer`: https://<domain>/<cluster> on a shared distribution) -----
  FLEET_DOCUMENTS_OUTSIDE_PREFIX: {
    severity: 'error',
    hop: 'issuer',
    title: "The fleet bucket holds the cluster's issuer documents outside the cluster's prefix",
    why: 'A fleet issuer is https://<domain>/<cluster>: STS fetches <issuer>/.well-known/openid-configuration, which CloudFront reads from the bucket key <cluster>/.well-known/openid-configuration (§3.2, §8). Documents published at the bucket root or under a misspelt prefix are never read; the private bucket answers the missing key 403 and STS "Couldn\'t retrieve verification key…" (§2).',
    predicts: couldNotRetrieve,
    fix: [
      'aws s3api put-object --bucket {bucket} --key <cluster>/.well-known/openid-configuration --body <discovery document naming {issuer}> --content-type application/json --region {region}',
      'aws s3api put-object --bucket {bucket} --key <cluster>/keys.json --body <the JWKS> --content-type application/json --region {region}',
      'or publish again: stsctl create-identity-provider --name <cluster> --region {region} --hosting cloudfront --shared-issuer <fleet> --public-key-file serviceaccount-signer.public',
    ],
  },
  FLEET_DISCOVERY_WITHOUT_PATH: {
    severity: 'error',
    hop: 'discovery',
    title: "The fleet member's discovery document names the fleet's domain without the cluster's path",
    why: 'A fleet issuer keeps its path everywhere (aws-sts-2026.md §7): a discovery document written for https://<domain> sends STS to jwks_uri https://<domain>/keys.json, a key the fleet bucket does not hold, so STS "Couldn\'t retrieve verification key…" (§2, §3.2). When only the issuer field lacks the path STS still grants (it is not known to check that field, §3.2), but other OIDC clients refuse.',
    predicts: couldNotRetrieve,
    fix: [
      'aws s3api put-object --bucket {bucket} --key <cluster>/.well-known/openid-configuration --body <discovery document with issuer {issuer} and jwks_uri {issuer}/keys.json> --content-type application/json --region {region}',
    ],
  },
  FLEET_CONDITION_KEY_WITHOUT_PATH: {
    severity: 'error',
    hop: 'role',
    title: "The role's trust policy tests the fleet's domain without the cluster's path (<domain>:sub)",
    why: 'The condition keys of an issuer with a path carry the path, <domain>/<cluster>:sub and :aud (aws-sts-2026.md §7, §3.5). A key <domain>:sub is not in the request, so the condition never matches and STS answers AccessDenied (§6).',
    predicts: accessDenied,
    fix: [
      'aws iam get-role --role-name {roleName} --query Role.AssumeRolePolicyDocument',
      'aws iam update-assume-role-policy --role-name {roleName} --policy-document file://<the policy with every <domain>:<claim> key written {issuerHostPath}:<claim>>',
    ],
  },
} as const satisfies Readonly<Record<string, FindingDefinition>>;

/** A stable finding code. */
export type FindingCode = keyof typeof FINDINGS;

/** The registry entry of a code. */
export function findingDefinition(code: FindingCode): FindingDefinition {
  return FINDINGS[code];
}

/** Every code, in registry order. */
export const FINDING_CODES = Object.keys(FINDINGS) as FindingCode[];

/** Replaces `{name}` with the value, or `<name>` when unknown. */
export function fillTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => {
    if (!isTemplateVar(name)) return whole;
    return vars[name] ?? `<${name}>`;
  });
}

const TEMPLATE_VARS: ReadonlySet<string> = new Set<TemplateVar>([
  'issuer',
  'issuerHostPath',
  'iss',
  'bucket',
  'region',
  'roleName',
  'roleArn',
  'providerArn',
  'namespace',
  'serviceAccount',
  'secretName',
  'secretNamespace',
  'distributionId',
  'distributionArn',
  'accountId',
  'thumbprint',
  'clientId',
  'now',
  'exp',
  'partition',
  'functionName',
  'originDomain',
]);

function isTemplateVar(name: string): name is TemplateVar {
  return TEMPLATE_VARS.has(name);
}
