import { StsctlError, type ErrorKind } from '../core/errors.js';

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
 * Error names the caller fixes with other input or other credentials. The names are AWS's error
 * codes (IAM, S3, CloudFront and STS API references; `CredentialsProviderError` is the SDK's own
 * when no credential source answers). Anything else — throttling after the SDK's retries, 5xx,
 * conflicts, network errors — is a failure.
 */
const USAGE_ERRORS: ReadonlyMap<string, string> = new Map([
  ['CredentialsProviderError', 'configure AWS credentials (environment, --profile, SSO or an instance role)'],
  [
    'InvalidClientTokenId',
    'the access key is not valid in this partition: check the credentials and --region',
  ],
  ['UnrecognizedClientException', 'the access key is not valid: check the credentials'],
  ['InvalidAccessKeyId', 'the access key is not valid: check the credentials'],
  ['SignatureDoesNotMatch', 'the secret key does not match the access key: check the credentials'],
  ['ExpiredToken', 'the session credentials expired: refresh them'],
  ['ExpiredTokenException', 'the session credentials expired: refresh them'],
  ['ValidationError', 'check the flags the value came from'],
  ['InvalidInput', 'check the flags the value came from'],
  ['InvalidArgument', 'check the flags the value came from'],
  ['InvalidBucketName', 'choose another --name'],
  [
    'BucketAlreadyExists',
    'the bucket name is taken in another account (bucket names are global): choose another --name',
  ],
  [
    'InvalidViewerCertificate',
    'check --acm-certificate-arn: an issued us-east-1 certificate covering the domain',
  ],
  ['CNAMEAlreadyExists', 'the custom domain is already an alias of another CloudFront distribution'],
]);

/** Which side is at fault for an AWS error name. */
export function awsErrorKind(name: string): ErrorKind {
  return USAGE_ERRORS.has(name) ? 'usage' : 'failure';
}

/** The stsctl code of an AWS error name: `AWS_` and the name upper-cased, other characters as `_`. */
export function awsErrorCode(name: string): string {
  return 'AWS_' + name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
}

/**
 * Wraps an SDK error with what stsctl was doing when it happened: code `AWS_<NAME>`, the kind
 * from {@link awsErrorKind}, the request id and the original error as `cause`. A StsctlError
 * passes through unchanged; a non-AWS error becomes `AWS_FAILURE`.
 */
export function awsFailure(action: string, e: unknown): StsctlError {
  if (e instanceof StsctlError) return e;
  if (isAwsError(e)) {
    const requestId = e.$metadata?.requestId;
    const hint = USAGE_ERRORS.get(e.name);
    return new StsctlError(awsErrorCode(e.name), `${action}: ${e.name}: ${e.message}`, {
      kind: awsErrorKind(e.name),
      cause: e,
      ...(requestId === undefined ? {} : { requestId }),
      ...(hint === undefined ? {} : { hint }),
    });
  }
  return new StsctlError('AWS_FAILURE', `${action}: ${e instanceof Error ? e.message : String(e)}`, {
    kind: 'failure',
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
