import type { AwsError, WebIdentityGrant } from '../webidentity/types.js';
import type { IssuedCredentials } from './credentials.js';
import type { CallerIdentity } from './xml.js';

/**
 * The JSON bodies STS sends when the request's `Accept` names `application/json`
 * (aws-sts-2026.md §4, probe): the XML document's elements as nested objects, `Expiration` as
 * epoch seconds, errors as `{"Error":{"Code","Message","Type"},"RequestId"}`. `JSON.stringify`
 * escapes every control character and lone surrogate, so any echoed string stays valid JSON.
 */

/** The `AssumeRoleWithWebIdentity` success body in JSON, members in the XML body's order. */
export function renderAssumeRoleWithWebIdentityJson(
  grant: WebIdentityGrant,
  credentials: IssuedCredentials,
  requestId: string,
  packedPolicySize?: number,
): string {
  return JSON.stringify({
    AssumeRoleWithWebIdentityResponse: {
      AssumeRoleWithWebIdentityResult: {
        Audience: grant.audience,
        AssumedRoleUser: { Arn: grant.assumedRoleArn, AssumedRoleId: grant.assumedRoleId },
        Provider: grant.provider,
        Credentials: {
          AccessKeyId: credentials.accessKeyId,
          SecretAccessKey: credentials.secretAccessKey,
          SessionToken: credentials.sessionToken,
          Expiration: Math.floor(Date.parse(credentials.expiration) / 1000),
        },
        SubjectFromWebIdentityToken: grant.subjectFromWebIdentityToken,
        ...(packedPolicySize === undefined ? {} : { PackedPolicySize: packedPolicySize }),
        ...(grant.sourceIdentity === undefined ? {} : { SourceIdentity: grant.sourceIdentity }),
      },
      ResponseMetadata: { RequestId: requestId },
    },
  });
}

/** The `GetCallerIdentity` success body in JSON. */
export function renderGetCallerIdentityJson(identity: CallerIdentity, requestId: string): string {
  return JSON.stringify({
    GetCallerIdentityResponse: {
      GetCallerIdentityResult: { Arn: identity.arn, UserId: identity.userId, Account: identity.account },
      ResponseMetadata: { RequestId: requestId },
    },
  });
}

/** An error in JSON. */
export function renderErrorJson(error: AwsError, requestId: string): string {
  return JSON.stringify({
    Error: { Code: error.code, Message: error.message, Type: error.type },
    RequestId: requestId,
  });
}
