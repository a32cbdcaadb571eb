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

/** Wraps an SDK error with what stsctl was doing when it happened. */
export function awsFailure(action: string, e: unknown): StsctlError {
  if (isAwsError(e)) {
    const requestId = e.$metadata?.requestId;
    return new StsctlError(
      'AWS_' + e.name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase(),
      `${action}: ${e.name}: ${e.message}`,
      {
        kind: 'failure',
        cause: e,
        ...(requestId === undefined ? {} : { requestId }),
      },
    );
  }
  return new StsctlError('AWS_FAILURE', `${action}: ${e instanceof Error ? e.message : String(e)}`, {
    kind: 'failure',
    cause: e,
  });
}
