/**
 * The operations of STS API version 2011-06-15, as the service model lists them (botocore
 * `sts/2011-06-15/service-2.json`; `@aws-sdk/client-sts` ships one command per operation). A Query
 * request naming anything else is `InvalidAction` on AWS, so it is refused here and never
 * forwarded: the forward endpoint (moto) must only ever see an action AWS would run.
 */
export const STS_ACTIONS: ReadonlySet<string> = new Set([
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'AssumeRoot',
  'DecodeAuthorizationMessage',
  'GetAccessKeyInfo',
  'GetCallerIdentity',
  'GetDelegatedAccessToken',
  'GetFederationToken',
  'GetSessionToken',
  'GetWebIdentityToken',
]);
