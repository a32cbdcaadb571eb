/**
 * The registry of stsctl's error codes (STYLE.md §3 and §5): every code a `StsctlError` can carry,
 * with who is at fault (`kind`, which fixes the exit code), a one-line title, the shape of its
 * message and, where one helps, a hint telling the user what to do. `StsctlError` takes its kind
 * and its default hint from here, `ErrorCode` makes an unregistered code a type error, and
 * `docs/errors.md` is generated from this table (`npm run docs:errors`; a unit test fails when the
 * committed file is stale).
 *
 * Messages are built where the error is raised, because only the call site knows the file, flag
 * or resource to name; `message` here shows their shape with `{placeholders}` for the docs.
 * Codes are stable: tools and people match on them.
 */

/** Who is at fault: `usage` (bad flags or input the user can fix, exit 2) or `failure` (exit 1). */
export type ErrorKind = 'usage' | 'failure';

/** The exit code of each kind, as the CLI exits (docs/commands.md "Exit codes"). */
export const KIND_EXIT_CODES = { usage: 2, failure: 1 } as const satisfies Record<ErrorKind, number>;

/** The sections of docs/errors.md, in the order it shows them. */
export const ERROR_GROUPS = {
  flags: 'Flags, names and environment',
  input: 'Input files: keys, CredentialsRequests, documents, tokens',
  output: 'Output files',
  aws: 'AWS',
  rotation: 'Key rotation',
  doctor: 'Doctor and cluster access',
  sandbox: 'Sandbox',
} as const;
export type ErrorGroup = keyof typeof ERROR_GROUPS;

/** One entry of the registry. */
export interface ErrorDefinition {
  readonly group: ErrorGroup;
  readonly kind: ErrorKind;
  /** What went wrong, in one line. */
  readonly title: string;
  /** The message's shape, `{placeholders}` standing for what the call site fills in. */
  readonly message: string;
  /** What the user does about it; the error's hint when the call site gives none. */
  readonly hint?: string;
}

/** Every error code stsctl raises, grouped as docs/errors.md shows them. */
export const ERROR_CODES = {
  // ── Flags, names and environment ──────────────────────────────────────────────────────────
  MISSING_FLAG: {
    group: 'flags',
    kind: 'usage',
    title: 'a flag the command needs was not given',
    message: '{flag} is required',
  },
  INVALID_FLAG: {
    group: 'flags',
    kind: 'usage',
    title: "a flag's value is not of the form it takes",
    message: '{flag} must be a positive number of seconds (got "{value}")',
  },
  INVALID_NAME: {
    group: 'flags',
    kind: 'usage',
    title: '--name is empty, too long for the bucket name, or not a lowercase DNS label',
    message:
      '{flag} "{name}" must be a lowercase DNS label: a-z, 0-9 and "-", starting and ending with a letter or digit',
  },
  INVALID_REGION: {
    group: 'flags',
    kind: 'usage',
    title: 'a region flag is not an AWS region name',
    message:
      '{flag} "{region}" is not an AWS region name (expected a form like us-east-1, cn-north-1 or us-gov-west-1)',
  },
  INVALID_HOSTING: {
    group: 'flags',
    kind: 'usage',
    title: 'hosting flags that do not go together (e.g. --custom-domain without --hosting cloudfront)',
    message:
      '--custom-domain needs --hosting cloudfront (the domain is an alias of the distribution); --issuer-url is only used with --hosting self',
  },
  INVALID_SHARED_ISSUER: {
    group: 'flags',
    kind: 'usage',
    title: '--shared-issuer or --delete-shared-issuer used where they do not apply',
    message: '--name "{name}" is the fleet\'s own name; a cluster of a fleet needs a name of its own',
  },
  INVALID_CUSTOM_DOMAIN: {
    group: 'flags',
    kind: 'usage',
    title: '--custom-domain is not a lowercase DNS name',
    message: '--custom-domain "{domain}" is not a lowercase DNS name',
  },
  INVALID_CERTIFICATE: {
    group: 'flags',
    kind: 'usage',
    title: '--acm-certificate-arn is missing, not wanted, or outside us-east-1',
    message: '--acm-certificate-arn is in {region}; CloudFront only uses ACM certificates from us-east-1',
  },
  INVALID_BOUNDARY_ARN: {
    group: 'flags',
    kind: 'usage',
    title: '--permissions-boundary-arn is not an IAM policy ARN',
    message:
      '--permissions-boundary-arn "{value}" is not an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)',
  },
  INVALID_PROVIDER_ARN: {
    group: 'flags',
    kind: 'usage',
    title: '--identity-provider-arn is not an IAM OIDC provider ARN',
    message:
      '--identity-provider-arn "{value}" is not an IAM OIDC provider ARN (arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host and path>)',
    hint: 'aws iam list-open-id-connect-providers lists the provider ARNs of the account',
  },
  INVALID_ISSUER_URL: {
    group: 'flags',
    kind: 'usage',
    title: 'an issuer URL is not one AWS STS accepts',
    message: '{flag} "{value}" is not valid: {problems}',
  },
  INVALID_ENVIRONMENT: {
    group: 'flags',
    kind: 'usage',
    title: 'an environment variable stsctl reads has a value it cannot use',
    message: '{variable} "{value}": only http:// and https:// proxies are supported',
  },
  HOSTING_UNAVAILABLE: {
    group: 'flags',
    kind: 'usage',
    title: 'CloudFront hosting was asked for in a partition without CloudFront',
    message:
      'CloudFront hosting is not available in the {partition} partition (region {region}); use --hosting public there',
  },
  TOKEN_INVALID_OPTION: {
    group: 'flags',
    kind: 'usage',
    title: 'a token lifetime is not a positive number of seconds',
    message: '--expiration-seconds must be a positive integer (got "{value}")',
  },
  ROLE_NAME_COLLISION: {
    group: 'flags',
    kind: 'usage',
    title: 'two CredentialsRequests would get the same IAM role name',
    message: 'role names collide: {collisions}',
    hint: 'use a shorter --name, or the default --role-name-mode hash',
  },
  REAL_RUN_UNAVAILABLE: {
    group: 'flags',
    kind: 'usage',
    title: 'the dry-run writer was asked for a real run',
    message:
      '{command} here writes dry-run files only; real runs go through provision() (src/commands/provision.ts)',
    hint: 'library callers: call provision() for a real run',
  },
  CONFIRMATION_REQUIRED: {
    group: 'flags',
    kind: 'usage',
    title: 'a destructive command needs confirmation and stdin is not a terminal',
    message: 'refusing to {verb} without confirmation: run it again with --yes',
  },
  CANCELLED: {
    group: 'flags',
    kind: 'usage',
    title: 'the user answered no to the confirmation question',
    message: 'nothing done ({verb} cancelled)',
  },
  SERVE_LISTEN_FAILED: {
    group: 'flags',
    kind: 'failure',
    title: '`stsctl serve` cannot listen on the address and port it was given',
    message: 'cannot listen on {host}:{port}: {reason}',
    hint: 'choose a free --port (ports below 1024 need privileges) or a --host this machine has',
  },

  // ── Input files ───────────────────────────────────────────────────────────────────────────
  CREDREQ_DIR_INVALID: {
    group: 'input',
    kind: 'usage',
    title: 'the CredentialsRequests directory cannot be read',
    message: 'cannot read the CredentialsRequests directory: {reason}',
  },
  CREDREQ_MALFORMED: {
    group: 'input',
    kind: 'usage',
    title: 'a CredentialsRequest file is not valid YAML',
    message: 'malformed YAML at line {line}: {reason}',
  },
  CREDREQ_INVALID: {
    group: 'input',
    kind: 'usage',
    title: 'a CredentialsRequest is not one stsctl can provision (every problem is listed)',
    message: '{file}, document {n}, {field path}: {problem}',
    hint: 'fix the named fields; nothing was changed in AWS or on disk',
  },
  S3_POLICY_INVALID: {
    group: 'input',
    kind: 'usage',
    title: 'a bucket policy is not a policy document S3 would accept (every problem is listed)',
    message: '{source}, {field path}: {problem}',
    hint: 'S3 stores only valid policies: check the JSON given as the bucket policy',
  },
  KEY_TOO_SHORT: {
    group: 'input',
    kind: 'usage',
    title: 'an RSA key is shorter than 2048 bits',
    message: 'RSA key is {bits} bits; at least 2048 are required (stsctl generates 4096)',
    hint: 'stsctl create-key-pair makes an RSA 4096 key pair',
  },
  KEY_NOT_RSA: {
    group: 'input',
    kind: 'usage',
    title: 'a key is not an RSA key',
    message:
      'public key is not of type RSA (found {type}); service-account signing keys for AWS STS must be RSA here',
  },
  KEY_NOT_PEM: {
    group: 'input',
    kind: 'usage',
    title: 'a key file holds no PEM block of the expected type',
    message: 'no PEM block found (expected -----BEGIN PUBLIC KEY-----)',
  },
  KEY_UNREADABLE: {
    group: 'input',
    kind: 'usage',
    title: 'a key file cannot be read or parsed',
    message: 'cannot read the private key (is it encrypted or damaged?)',
    hint: 'check the path and its permissions; a key must be an unencrypted PEM (PKCS#1 or PKCS#8 for private keys)',
  },
  PUBLIC_KEY_MISSING: {
    group: 'input',
    kind: 'usage',
    title: 'the public key file does not exist',
    message: 'no public key found; run `stsctl create-key-pair` first or pass --public-key-file',
  },
  KEY_PAIR_MISMATCH: {
    group: 'input',
    kind: 'usage',
    title: 'the public key in the output directory does not belong to the private key',
    message: 'the public key does not belong to {privateKeyFile} (kid {kid}, expected {expectedKid})',
    hint: 'remove the stale public key; stsctl derives it from the private key',
  },
  KEY_EXISTS_DIFFERENT: {
    group: 'input',
    kind: 'usage',
    title: 'a different private key is already where stsctl would write one',
    message:
      'a different private key is already there; refusing to overwrite it (tokens signed by it would stop working)',
    hint: 'move it away, or use it: stsctl reuses an existing serviceaccount-signer.private',
  },
  JWKS_INVALID: {
    group: 'input',
    kind: 'usage',
    title: 'a JWKS document is not of the form RFC 7517 gives it',
    message: '{file}, {field path}: expected a list of keys',
  },
  JWKS_KID_CONFLICT: {
    group: 'input',
    kind: 'usage',
    title: 'two different keys in a JWKS carry the same kid',
    message: 'two different keys carry the kid "{kid}"',
  },
  DISCOVERY_INVALID: {
    group: 'input',
    kind: 'usage',
    title: 'an OpenID discovery document is not of the form OpenID Connect Discovery gives it',
    message: '{file}, {field path}: expected a string',
  },
  TOKEN_FILE_UNREADABLE: {
    group: 'input',
    kind: 'usage',
    title: 'the token file cannot be read',
    message: 'cannot read the token: {reason}',
  },
  TOKEN_MALFORMED: {
    group: 'input',
    kind: 'usage',
    title: 'a token is not a compact JWT',
    message: 'not a JWT: expected three dot-separated parts, found {n}',
  },
  READ_FAILED: {
    group: 'input',
    kind: 'usage',
    title: 'a file stsctl reads before writing its output cannot be read',
    message: 'cannot read {path}: {reason}',
  },
  SERVE_ISSUER_DIR_INVALID: {
    group: 'input',
    kind: 'usage',
    title: '--issuer-dir does not hold the issuer documents in a layout `stsctl serve` knows',
    message:
      '{dir} holds neither 02-openid-configuration and 03-keys.json nor .well-known/openid-configuration and keys.json',
    hint: 'point --issuer-dir at the --output-dir of create-identity-provider --dry-run, or at a copy of the issuer bucket',
  },
  SERVE_ISSUER_MISMATCH: {
    group: 'input',
    kind: 'usage',
    title: "the discovery document's issuer is not the --issuer-url `stsctl serve` was given",
    message: '{file}, issuer: "{issuer}" is not --issuer-url "{url}" (AWS compares issuers byte for byte)',
  },
  SERVE_JWKS_URI_INVALID: {
    group: 'input',
    kind: 'usage',
    title: "the discovery document's jwks_uri cannot be served next to its issuer",
    message: '{file}, jwks_uri: "{uri}" is not on the issuer\'s host {host}',
  },
  SERVE_TLS_FILES_INVALID: {
    group: 'input',
    kind: 'usage',
    title:
      "`stsctl serve`'s certificate or key file is unreadable, not PEM, or the key is not the certificate's",
    message: '{file}: the private key does not belong to the first certificate of --cert-file',
    hint: "--cert-file holds the leaf certificate first, then its intermediates; --key-file the leaf's unencrypted private key",
  },

  // ── Output files ──────────────────────────────────────────────────────────────────────────
  OUTPUT_IS_DIRECTORY: {
    group: 'output',
    kind: 'usage',
    title: 'a directory is where stsctl would write a file',
    message: '{path} is a directory; expected a file',
  },
  OUTPUT_PATH_CLASH: {
    group: 'output',
    kind: 'usage',
    title: 'two outputs of one run would be written to the same path',
    message: 'two outputs would be written to {path}',
  },
  OUTPUT_PATH_INVALID: {
    group: 'output',
    kind: 'usage',
    title:
      'an output path formed from an input is not a plain relative path, or a file name is over 255 bytes',
    message: '{field}: {value} would make the output path {path}, which {reason}',
    hint: 'fix the named field of the input file (Kubernetes names: lower-case letters, digits, "-" and ".")',
  },
  OUTPUT_PATH_ESCAPE: {
    group: 'output',
    kind: 'usage',
    title: 'a symlink on the way to an output file leads outside --output-dir (or is broken)',
    message: '{path} is a symlink to {target}, outside the output directory',
    hint: 'remove the symlink or choose another --output-dir; stsctl never writes outside --output-dir',
  },
  OUTPUT_NOT_A_DIRECTORY: {
    group: 'output',
    kind: 'usage',
    title: 'a file stands where stsctl needs a directory (or --output-dir is below a file)',
    message: '{path} is a file; expected a directory',
    hint: 'move the file away or choose another --output-dir',
  },
  OUTPUT_NOT_WRITABLE: {
    group: 'output',
    kind: 'usage',
    title: 'the directory that would receive the output files cannot be written',
    message: '{path} is not writable',
  },
  OUTPUT_NOT_READABLE: {
    group: 'output',
    kind: 'failure',
    title: 'stsctl could not inspect an output path before writing (for example, permission denied)',
    message: 'cannot inspect {path}: {reason}',
  },
  DRY_RUN_WOULD_REPLACE: {
    group: 'output',
    kind: 'usage',
    title: "a dry run would replace a real run's Secret (a real role ARN) with a placeholder",
    message: "{path} holds a real run's Secret for {role ARN}; a dry run does not replace it",
    hint: 'give the dry run another --output-dir',
  },
  OUTPUT_DIR_INVALID: {
    group: 'output',
    kind: 'usage',
    title: 'several problems with the output directory, listed together; nothing was written',
    message: '{n} problems found',
  },
  OUTPUT_WRITE_FAILED: {
    group: 'output',
    kind: 'failure',
    title: 'the output files could not be written (none were left half-written)',
    message: 'could not write the output files: {reason}',
  },

  // ── AWS ───────────────────────────────────────────────────────────────────────────────────
  AWS_FAILURE: {
    group: 'aws',
    kind: 'failure',
    title: 'an AWS call failed; the message names the call, the AWS error code and its text',
    message: '{what stsctl was doing}: {AWS error code}: {AWS message}',
    hint: 'on AccessDenied, give the caller the IAM permission the message names; on throttling or network errors, run the same command again (it continues where it stopped)',
  },
  AWS_CREDENTIALS: {
    group: 'aws',
    kind: 'usage',
    title: 'AWS refused the credentials (none found, invalid, expired, or for another partition)',
    message: '{what stsctl was doing}: {AWS error code}: {AWS message}',
    hint: 'configure AWS credentials (environment, --profile, SSO or an instance role) and check --region',
  },
  AWS_REJECTED: {
    group: 'aws',
    kind: 'usage',
    title: 'AWS refused a value that came from the flags (a name taken or invalid, a certificate, an alias)',
    message: '{what stsctl was doing}: {AWS error code}: {AWS message}',
    hint: 'check the flag the value came from',
  },
  ISSUER_MIGRATION_REFUSED: {
    group: 'aws',
    kind: 'usage',
    title:
      "the run would change the cluster's published issuer (hosting, domain or region) without --migrate-issuer",
    message: 'this run would change the issuer of "{name}" from {old issuer} to {new issuer}: {consequences}',
    hint: 'run with the flags that created the cluster (--hosting, --custom-domain, --region), or add --migrate-issuer to move it on purpose',
  },
  EXPORT_UNKNOWN_KIND: {
    group: 'aws',
    kind: 'failure',
    title:
      'the plan holds a resource (kind, role or value) the exporter or the observed-state digest has no rule for',
    message:
      'the plan holds a {action} of a resource of kind "{kind}" ({id}) that --export {format} cannot render',
    hint: 'apply this plan with create-all, or use a stsctl version that exports it',
  },
  INVALID_PLAN_FILE: {
    group: 'input',
    kind: 'usage',
    title: 'the --plan file is not a plan written by `stsctl plan --output json`',
    message: '{file}: {field} {problem}',
    hint: 'write it with `stsctl plan --output json > plan.json` (same flags as create-all)',
  },
  PLAN_MISMATCH: {
    group: 'aws',
    kind: 'usage',
    title: 'the --plan file was made for other flags or another account than this run',
    message: '{file} was made for {what the plan names}; this run is for {what the flags name}',
    hint: 'run create-all --plan with the flags the plan was made with, or make a new plan',
  },
  PLAN_STALE: {
    group: 'aws',
    kind: 'usage',
    title: 'the account changed since the reviewed plan was made; nothing was changed',
    message: 'the account changed since {file} was made: {kind} {id} {what changed}',
    hint: 'make a new plan (`stsctl plan --output json`), review it, and apply that one',
  },
  BUCKET_REGION_MISMATCH: {
    group: 'aws',
    kind: 'usage',
    title: "the cluster's bucket exists in another region than --region",
    message: 'the bucket {bucket} exists in {bucket region}, not in {--region} (--region)',
    hint: 'run with --region set to the bucket region; a cluster cannot move its bucket to another region in place',
  },
  AWS_NO_ACCOUNT: {
    group: 'aws',
    kind: 'failure',
    title: 'sts:GetCallerIdentity returned no account',
    message: 'sts:GetCallerIdentity returned no account',
    hint: 'check the credentials and the STS endpoint (AWS_ENDPOINT_URL_STS) stsctl uses',
  },
  BUCKET_NOT_OURS: {
    group: 'aws',
    kind: 'failure',
    title: 'the bucket name is taken by a bucket this account cannot read',
    message:
      'the bucket {bucket} exists but this account cannot read it (it may belong to another account: bucket names are global)',
    hint: 'choose another --name',
  },
  FLEET_NOT_FOUND: {
    group: 'aws',
    kind: 'failure',
    title: "no fleet issuer of that name in the region (its bucket is missing or not tagged as the fleet's)",
    message:
      'no fleet issuer "{fleet}" in {region}: the bucket {bucket} does not exist or is not tagged stsctl.io/shared-issuer={fleet}',
    hint: 'check --shared-issuer and --region; a fleet is created by the first create-all --shared-issuer',
  },
  CERTIFICATE_NOT_FOUND: {
    group: 'aws',
    kind: 'usage',
    title: '--acm-certificate-arn does not exist in ACM (us-east-1) of the account',
    message: '--acm-certificate-arn {arn} does not exist in ACM (us-east-1) of this account',
    hint: 'request or import a certificate for the domain in us-east-1 (aws acm list-certificates --region us-east-1 lists them)',
  },
  CERTIFICATE_NOT_ISSUED: {
    group: 'aws',
    kind: 'usage',
    title: 'the ACM certificate is not ISSUED',
    message:
      '--acm-certificate-arn {arn} is {status}, not ISSUED: CloudFront only serves issued certificates',
    hint: 'use an ISSUED certificate',
  },
  CERTIFICATE_DOES_NOT_COVER_DOMAIN: {
    group: 'aws',
    kind: 'usage',
    title: 'the ACM certificate does not cover --custom-domain',
    message: '--acm-certificate-arn {arn} is for {names}, which does not cover --custom-domain {domain}',
    hint: 'use a certificate whose domain name or subject alternative names include the domain or its one-level wildcard',
  },
  DISTRIBUTION_DEPLOY_TIMEOUT: {
    group: 'aws',
    kind: 'failure',
    title: 'a CloudFront distribution did not reach Deployed in time',
    message: 'CloudFront distribution {id} is still {status} after {seconds} s',
    hint: 'run the same command again later: it continues where it stopped',
  },
  DISTRIBUTION_MISSING: {
    group: 'aws',
    kind: 'failure',
    title: 'the CloudFront distribution just created cannot be found',
    message: 'the CloudFront distribution just created cannot be found',
    hint: 'run the same command again later: it continues where it stopped',
  },
  ISSUER_UNKNOWN: {
    group: 'aws',
    kind: 'failure',
    title: 'the issuer URL is still unknown after its hosting was set up',
    message: 'the issuer URL is still unknown after hosting was set up',
  },
  PROVIDER_UNKNOWN: {
    group: 'aws',
    kind: 'failure',
    title: 'the IAM OIDC provider is unknown when the roles are created',
    message: 'the IAM OIDC provider is unknown; roles cannot trust it',
  },
  DELETE_INCOMPLETE: {
    group: 'aws',
    kind: 'failure',
    title: 'delete left resources behind (each is listed with the reason)',
    message: '{n} resources remain (listed above)',
    hint: 'fix the reasons listed and run delete again: it only deletes what carries the owned tag',
  },

  // ── Key rotation ──────────────────────────────────────────────────────────────────────────
  NO_PUBLISHED_KEYS: {
    group: 'rotation',
    kind: 'usage',
    title: 'no keys.json is published in the bucket',
    message: 'no keys.json is published in the bucket {bucket}',
    hint: 'publish the issuer first: stsctl create-identity-provider --name <name> --region <region>',
  },
  NO_SELF_HOSTED_KEYS: {
    group: 'rotation',
    kind: 'usage',
    title: 'rotate-keys --hosting self finds no keys.json in <output-dir>/issuer',
    message: 'no keys.json in {output-dir}/issuer',
    hint: 'give the --output-dir that create-all --hosting self wrote to',
  },
  PUBLISHED_JWKS_INVALID: {
    group: 'rotation',
    kind: 'failure',
    title: 'the keys.json published in the bucket is not JSON',
    message: 'the published keys.json is not JSON',
    hint: 'publish the issuer again: stsctl create-identity-provider --name <name> --region <region>',
  },
  KID_NOT_PUBLISHED: {
    group: 'rotation',
    kind: 'usage',
    title: 'a --kid to retire is not in the published keys.json',
    message: '{kids} is not in s3://{bucket}/keys.json (published: {published})',
  },
  RETIRING_CURRENT_KEY: {
    group: 'rotation',
    kind: 'usage',
    title: 'retiring the key the cluster signs with, with no next key to take its place',
    message:
      'the key in {dir} (kid {kid}) is the one being retired, and there is no next key in {dir}/next to take its place',
    hint: 'run stsctl rotate-keys add first, or give the --output-dir that holds the new key',
  },
  RETIRING_EVERY_KEY: {
    group: 'rotation',
    kind: 'usage',
    title: 'retiring would leave keys.json without keys',
    message: 'retiring {kids} would leave s3://{bucket}/keys.json without keys: every token would be refused',
    hint: 'publish the new key first: stsctl rotate-keys add',
  },
  NEXT_KEY_NOT_PUBLISHED: {
    group: 'rotation',
    kind: 'usage',
    title: 'retiring the current key before the next one is published',
    message:
      "the next key in {dir} (kid {kid}) is not published; retiring {currentKid} would leave the cluster's new tokens unverifiable",
    hint: 'run stsctl rotate-keys add first',
  },

  // ── Doctor and cluster access ─────────────────────────────────────────────────────────────
  DOCTOR_USAGE: {
    group: 'doctor',
    kind: 'usage',
    title: 'stsctl doctor was given flags that do not fit together',
    message: '{problem with the flags}',
    hint: 'run stsctl doctor --help',
  },
  DOCTOR_FINDINGS: {
    group: 'doctor',
    kind: 'failure',
    title: 'the doctor found at least one finding of error severity',
    message: '{n} error finding(s); first: {finding code}',
    hint: 'each finding is listed above with its fix; docs/findings.md explains every finding code',
  },
  DOCTOR_FIX_FAILED: {
    group: 'doctor',
    kind: 'failure',
    title: 'a fix step of stsctl doctor --fix failed',
    message: 'fix step failed ({command}): {what the program printed}',
    hint: 'the steps before it were applied; run stsctl doctor again to see what is left',
  },
  DOCTOR_EXPLAIN_UNRECOGNISED: {
    group: 'doctor',
    kind: 'failure',
    title: 'stsctl doctor explain found no AWS STS error in the text',
    message: 'the text holds no AWS STS error the doctor knows',
    hint: 'paste the whole error line the SDK or the aws CLI printed',
  },
  KUBECONFIG_UNREADABLE: {
    group: 'doctor',
    kind: 'usage',
    title: 'the kubeconfig file cannot be read',
    message: 'cannot read the kubeconfig: {reason}',
  },
  KUBECONFIG_INVALID: {
    group: 'doctor',
    kind: 'usage',
    title: 'the kubeconfig is not YAML, or lacks the context, cluster or user the doctor needs',
    message: '{file}, {field path}: {problem}',
  },
  KUBECONFIG_EXEC_FAILED: {
    group: 'doctor',
    kind: 'usage',
    title: "the kubeconfig's exec credential plugin failed or printed no credential",
    message: 'the credential plugin "{command}" exited with code {code}: {stderr}',
  },
  KUBE_UNREACHABLE: {
    group: 'doctor',
    kind: 'failure',
    title: 'the Kubernetes API server did not answer',
    message: '{method} {path}: {reason}',
  },
  KUBE_READ_FAILED: {
    group: 'doctor',
    kind: 'failure',
    title: 'the Kubernetes API server refused to list what the doctor reads',
    message: 'cannot list CredentialsRequests: {status}',
    hint: 'the doctor needs read access to credentialsrequests, secrets and create on serviceaccounts/token',
  },
  MANIFESTS_DIR_UNREADABLE: {
    group: 'doctor',
    kind: 'usage',
    title: 'the --manifests-dir cannot be read',
    message: 'cannot read {dir}: {reason}',
  },
  SANDBOX_CA_UNREADABLE: {
    group: 'doctor',
    kind: 'usage',
    title: 'the sandbox CA bundle named by STSCTL_SANDBOX_CA_BUNDLE cannot be read',
    message: 'cannot read STSCTL_SANDBOX_CA_BUNDLE: {reason}',
    hint: 'run eval "$(stsctl sandbox env)" again, or unset STSCTL_SANDBOX_CA_BUNDLE outside the sandbox',
  },

  // ── Sandbox ───────────────────────────────────────────────────────────────────────────────
  SANDBOX_NOT_RUNNING: {
    group: 'sandbox',
    kind: 'usage',
    title: 'the command needs a running sandbox and none runs',
    message: 'no sandbox is running; start one with `stsctl sandbox up`',
  },
  SANDBOX_DOWN: {
    group: 'sandbox',
    kind: 'failure',
    title: 'stsctl sandbox status: no sandbox is running (the status is the answer, so it exits 1)',
    message: 'no sandbox is running; start one with `stsctl sandbox up`',
  },
  SANDBOX_START_FAILED: {
    group: 'sandbox',
    kind: 'failure',
    title: 'the sandbox did not become ready',
    message: 'the sandbox did not become ready; see {log file}',
  },
  MOTO_START_FAILED: {
    group: 'sandbox',
    kind: 'failure',
    title: 'moto_server could not be started or did not answer',
    message: 'moto_server exited (code {code}, signal {signal}) before answering on {endpoint}',
    hint: "install moto's server with pip install 'moto[server]', or name the Python that has it with STSCTL_PYTHON",
  },
  MOTO_RESET_FAILED: {
    group: 'sandbox',
    kind: 'failure',
    title: 'moto_server refused to reset its state',
    message: 'moto reset failed: HTTP {status}',
  },
  SANDBOX_CERT_NO_NAMES: {
    group: 'sandbox',
    kind: 'usage',
    title: 'a sandbox certificate was asked for without a DNS name or IP address',
    message: 'issueLeaf needs at least one DNS name or IP address',
  },
  SANDBOX_ISSUER_SITE_INVALID: {
    group: 'sandbox',
    kind: 'usage',
    title: 'an issuer site for the sandbox edge is malformed or its directory cannot be read',
    message: '--issuer-site {value}: {reason}',
    hint: 'write it as <host>[/<path>]=<dir>[,ca=sandbox|private], e.g. token.actions.githubusercontent.com=./gh-issuer',
  },
  SANDBOX_OPTION_INVALID: {
    group: 'sandbox',
    kind: 'usage',
    title: 'a sandbox option has a value the sandbox cannot use',
    message: '{option} {value}: {reason}',
  },
  SANDBOX_CA_NO_KEY: {
    group: 'sandbox',
    kind: 'usage',
    title: 'sandbox CAs without their keys were given to be saved',
    message: 'these CAs carry no key material; create them with createSandboxCas()',
  },
} as const satisfies Record<string, ErrorDefinition>;

/** A registered error code; a code missing from {@link ERROR_CODES} fails typecheck. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The kind the registry gives `code`. */
export type KindOf<C extends ErrorCode> = (typeof ERROR_CODES)[C]['kind'];

/** The codes whose errors are the user's to fix (exit 2). */
export type UsageErrorCode = { [C in ErrorCode]: KindOf<C> extends 'usage' ? C : never }[ErrorCode];

/** Every registered code, in registry order. */
export const ERROR_CODE_LIST: readonly ErrorCode[] = Object.keys(ERROR_CODES) as ErrorCode[];

/**
 * The registry entry of `code`.
 * @see ERROR_CODES
 */
export function errorDefinition(code: ErrorCode): ErrorDefinition {
  return ERROR_CODES[code];
}
