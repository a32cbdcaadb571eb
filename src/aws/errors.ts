import { isStsctlError, StsctlError, type ErrorKind } from '../core/errors.js';

/**
 * The one place AWS SDK errors become stsctl errors (STYLE.md §3): by the SDK error's `name`
 * (the AWS error code, which SDK v3 puts in `name` for every modelled and unmodelled service
 * exception), keeping the request id for support cases and the SDK error as `cause`, and saying
 * who is at fault: `usage` (exit 2) when the caller can fix it by changing a flag or its
 * credentials, `failure` (exit 1) when AWS did not cooperate.
 */
export interface AwsErrorShape {
  readonly name: string;
  readonly message: string;
  readonly $metadata?: { readonly requestId?: string; readonly httpStatusCode?: number };
}

/** Whether `e` is an AWS (SDK) error, and when `codes` are given, one of those. */
export function isAwsError(e: unknown, ...codes: string[]): e is AwsErrorShape {
  if (typeof e !== 'object' || e === null || !('name' in e)) return false;
  const name = e.name;
  return typeof name === 'string' && (codes.length === 0 || codes.includes(name));
}

/**
/**
 * AWS error names the caller fixes with other credentials (`AWS_CREDENTIALS`) or other input
 * (`AWS_REJECTED`), each with what to do. The names are AWS's error codes (IAM, S3, CloudFront
 * and STS API references; `CredentialsProviderError` is the SDK's own when no credential source
 * answers). Anything else — throttling after the SDK's retries, 5xx, conflicts, AccessDenied,
 * network errors — is `AWS_FAILURE`: the world did not cooperate.
 */
const USAGE_ERRORS: ReadonlyMap<
  string,
  { readonly code: 'AWS_CREDENTIALS' | 'AWS_REJECTED'; readonly hint: string }
> = new Map([
  [
    'CredentialsProviderError',
    {
      code: 'AWS_CREDENTIALS',
      hint: 'configure AWS credentials (environment, --profile, SSO or an instance role)',
    },
  ],
  [
    'InvalidClientTokenId',
    {
      code: 'AWS_CREDENTIALS',
      hint: 'the access key is not valid in this partition: check the credentials and --region',
    },
  ],
  [
    'UnrecognizedClientException',
    { code: 'AWS_CREDENTIALS', hint: 'the access key is not valid: check the credentials' },
  ],
  [
    'InvalidAccessKeyId',
    { code: 'AWS_CREDENTIALS', hint: 'the access key is not valid: check the credentials' },
  ],
  [
    'SignatureDoesNotMatch',
    { code: 'AWS_CREDENTIALS', hint: 'the secret key does not match the access key: check the credentials' },
  ],
  ['ExpiredToken', { code: 'AWS_CREDENTIALS', hint: 'the session credentials expired: refresh them' }],
  [
    'ExpiredTokenException',
    { code: 'AWS_CREDENTIALS', hint: 'the session credentials expired: refresh them' },
  ],
  ['ValidationError', { code: 'AWS_REJECTED', hint: 'check the flags the value came from' }],
  ['InvalidInput', { code: 'AWS_REJECTED', hint: 'check the flags the value came from' }],
  ['InvalidArgument', { code: 'AWS_REJECTED', hint: 'check the flags the value came from' }],
  ['InvalidBucketName', { code: 'AWS_REJECTED', hint: 'choose another --name' }],
  [
    'BucketAlreadyExists',
    {
      code: 'AWS_REJECTED',
      hint: 'the bucket name is taken in another account (bucket names are global): choose another --name',
    },
  ],
  [
    'InvalidViewerCertificate',
    {
      code: 'AWS_REJECTED',
      hint: 'check --acm-certificate-arn: an issued us-east-1 certificate covering the domain',
    },
  ],
  [
    'CNAMEAlreadyExists',
    {
      code: 'AWS_REJECTED',
      hint: 'the custom domain is already an alias of another CloudFront distribution',
    },
  ],
]);

/** Which side is at fault for an AWS error name. */
export function awsErrorKind(name: string): ErrorKind {
  return USAGE_ERRORS.has(name) ? 'usage' : 'failure';
}

/**
 * Wraps an SDK error with what stsctl was doing when it happened: a registered code
 * (`AWS_CREDENTIALS`, `AWS_REJECTED` or `AWS_FAILURE`, so the kind and exit code follow), AWS's own
 * error code in `awsErrorCode` (AWS's codes are an open set: data, not stsctl codes), the request
 * id and the SDK error as `cause`. A StsctlError passes through unchanged (it already says what
 * stsctl was doing; wrapping again would repeat it); a non-AWS error becomes `AWS_FAILURE`.
 */
export function awsFailure(action: string, e: unknown): StsctlError {
  if (isStsctlError(e)) return e;
  if (isAwsError(e)) {
    const requestId = e.$metadata?.requestId;
    const usage = USAGE_ERRORS.get(e.name);
    return new StsctlError(usage?.code ?? 'AWS_FAILURE', `${action}: ${e.name}: ${e.message}`, {
      cause: e,
      ...(requestId === undefined ? {} : { requestId }),
      ...(usage === undefined ? {} : { hint: usage.hint }),
      // Only SDK service errors carry $metadata; a plain Error's name ("Error") is no AWS code.
      ...(e.$metadata !== undefined || usage !== undefined ? { awsErrorCode: e.name } : {}),
    });
  }
  return new StsctlError('AWS_FAILURE', `${action}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
  });
}

/**
 * Runs one AWS call: its error becomes {@link awsFailure}`(action, e)`, except an error whose name
 * is in `notFound`, which is data (`undefined`), as "no such bucket/role/policy" is for observe.
 */
export async function awsCall<T>(action: string, work: () => Promise<T>): Promise<T>;
export async function awsCall<T>(
  action: string,
  work: () => Promise<T>,
  notFound: readonly string[],
): Promise<T | undefined>;
export async function awsCall<T>(
  action: string,
  work: () => Promise<T>,
  notFound: readonly string[] = [],
): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    if (notFound.length > 0 && isAwsError(e, ...notFound)) return undefined;
    throw awsFailure(action, e);
  }
}

/** The "does not exist" names of IAM (the SDK's modelled exception, and the Query error code). */
export const IAM_NOT_FOUND = ['NoSuchEntityException', 'NoSuchEntity'] as const;
