import type { AssumeRoleWithWebIdentityRequest } from '../webidentity/types.js';

/**
 * Reading AWS Query-protocol requests (aws-sts-oidc.md §1.1): a form POST
 * (`application/x-www-form-urlencoded`, with or without a charset) or a GET with the same
 * parameters in the query string (parsed by `query-parameters.ts`). Both clients installed here (AWS SDK JS v3 `AwsQueryProtocol`,
 * botocore `protocol: "query"`) send the form POST.
 */

const COMMON_FORM_TYPES: ReadonlySet<string> = new Set([
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
]);

/** True for `application/x-www-form-urlencoded` with any parameters (`; charset=utf-8`, …). */
export function isFormContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  // What the AWS SDK JS v3 and botocore send, answered without splitting and lowercasing.
  if (COMMON_FORM_TYPES.has(contentType)) return true;
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

/** Parameters of a Query request, read by name or in order. `URLSearchParams` is one. */
export interface QueryParameters extends Iterable<[string, string]> {
  get(name: string): string | null;
}

const POLICY_ARN_KEY = /^PolicyArns\.member\.(\d+)\.arn$/;

/**
 * The `AssumeRoleWithWebIdentity` request, as data for the model. Absent parameters stay absent
 * (the model reports missing ones with AWS's message). `PolicyArns.member.N.arn` are collected in
 * N order, the Query serialization of a list of `PolicyDescriptorType`.
 */
export function assumeRoleWithWebIdentityRequest(params: QueryParameters): AssumeRoleWithWebIdentityRequest {
  const policyArns: { index: number; arn: string }[] = [];
  for (const [key, value] of params) {
    const match = POLICY_ARN_KEY.exec(key);
    if (match?.[1] !== undefined) policyArns.push({ index: Number(match[1]), arn: value });
  }
  policyArns.sort((a, b) => a.index - b.index);
  const request: {
    -readonly [K in keyof AssumeRoleWithWebIdentityRequest]: AssumeRoleWithWebIdentityRequest[K];
  } = {};
  const roleArn = params.get('RoleArn');
  if (roleArn !== null) request.RoleArn = roleArn;
  const sessionName = params.get('RoleSessionName');
  if (sessionName !== null) request.RoleSessionName = sessionName;
  const token = params.get('WebIdentityToken');
  if (token !== null) request.WebIdentityToken = token;
  const duration = params.get('DurationSeconds');
  if (duration !== null) request.DurationSeconds = duration;
  const policy = params.get('Policy');
  if (policy !== null) request.Policy = policy;
  const providerId = params.get('ProviderId');
  if (providerId !== null) request.ProviderId = providerId;
  if (policyArns.length > 0) request.PolicyArns = policyArns.map((p) => p.arn);
  return request;
}

const CREDENTIAL_IN_AUTHORIZATION = /Credential=([^/,\s]+)\//;

/**
 * The access key id a request is signed with: from a SigV4 `Authorization` header
 * (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/sts/aws4_request, …`) or a presigned
 * query (`X-Amz-Credential`). Undefined for unsigned requests.
 */
export function signingAccessKeyId(
  authorization: string | undefined,
  params: QueryParameters,
): string | undefined {
  if (authorization !== undefined) {
    const match = CREDENTIAL_IN_AUTHORIZATION.exec(authorization);
    if (match?.[1] !== undefined) return match[1];
  }
  const credential = params.get('X-Amz-Credential');
  if (credential !== null) return credential.split('/', 1)[0];
  return undefined;
}

/**
 * The `PackedPolicySize` to report when session policies were passed. AWS's packed binary format
 * is not public (model doc: "a separate limit"); we report the plaintext's share of the documented
 * 2,048-character limit (aws-sts-oidc.md §1.2), rounded up: an upper bound of AWS's figure.
 * Undefined without a session policy, as AWS omits the element then (§1.3).
 */
export function packedPolicySize(request: AssumeRoleWithWebIdentityRequest): number | undefined {
  const policyLength = request.Policy?.length ?? 0;
  const arns = request.PolicyArns ?? [];
  if (request.Policy === undefined && arns.length === 0) return undefined;
  const plaintext = policyLength + arns.reduce((n, arn) => n + arn.length, 0);
  return Math.ceil((plaintext * 100) / 2048);
}
