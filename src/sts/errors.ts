import type { AwsError } from '../webidentity/types.js';

/** The STS API version the Query protocol names (aws-sts-oidc.md §1.1, botocore `apiVersion`). */
export const STS_API_VERSION = '2011-06-15';

/** What STS answers when it fails itself (here: IAM could not be read, or the model threw). */
export const INTERNAL_FAILURE: AwsError = {
  code: 'InternalFailure',
  status: 500,
  type: 'Receiver',
  message: 'The request processing has failed because of an unknown error, exception or failure.',
};

/** The answer when the target of a forwarded request cannot be reached or does not answer. */
export const SERVICE_UNAVAILABLE: AwsError = {
  code: 'ServiceUnavailable',
  status: 503,
  type: 'Receiver',
  message: 'Service is unable to handle request.',
};

/**
 * What a Query service answers for an action (or version) it does not know:
 * `InvalidAction`, "Could not find operation <Action> for version <Version>".
 */
export function invalidAction(action: string, version: string | null): AwsError {
  return {
    code: 'InvalidAction',
    status: 400,
    type: 'Sender',
    message: `Could not find operation ${action} for version ${version ?? STS_API_VERSION}`,
  };
}
