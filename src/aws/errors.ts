import { StsctlError } from '../core/errors.js';

/**
 * The one place AWS SDK errors become stsctl errors (STYLE.md §3): by the SDK error's `name`
 * (the AWS error code), keeping the request id for support cases.
 */
export interface AwsErrorShape {
  readonly name: string;
  readonly message: string;
  readonly $metadata?: { readonly requestId?: string; readonly httpStatusCode?: number };
}

export function isAwsError(e: unknown, ...codes: string[]): e is AwsErrorShape {
  if (typeof e !== 'object' || e === null || !('name' in e)) return false;
  const name = e.name;
  return typeof name === 'string' && (codes.length === 0 || codes.includes(name));
}

/**
 * Wraps an SDK error with what stsctl was doing when it happened: code `AWS_FAILURE`, with AWS's
 * own error code in `awsErrorCode` (AWS's codes are an open set, so they are data, not stsctl
 * codes). An error stsctl raised itself keeps its code and hint, with `action` prefixed.
 */
export function awsFailure(action: string, e: unknown): StsctlError {
  if (e instanceof StsctlError) {
    return new StsctlError(e.code, `${action}: ${e.message}`, {
      cause: e,
      ...(e.hint === undefined ? {} : { hint: e.hint }),
      ...(e.requestId === undefined ? {} : { requestId: e.requestId }),
      ...(e.awsErrorCode === undefined ? {} : { awsErrorCode: e.awsErrorCode }),
    });
  }
  if (isAwsError(e)) {
    const requestId = e.$metadata?.requestId;
    return new StsctlError('AWS_FAILURE', `${action}: ${e.name}: ${e.message}`, {
      cause: e,
      ...(requestId === undefined ? {} : { requestId }),
      // Only SDK service errors carry $metadata; a plain Error's name ("Error") is no AWS code.
      ...(e.$metadata === undefined ? {} : { awsErrorCode: e.name }),
    });
  }
  return new StsctlError('AWS_FAILURE', `${action}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
  });
}
