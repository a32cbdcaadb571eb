import { GetFunctionCommand, GetFunctionUrlConfigCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import type { Tag } from '../core/iam-documents.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { issuerFunctionName } from './issuer-function.js';
import type { ObservedFunction, ObservedFunctionUrl, ObservedIssuerFunction, ObservedRole } from './model.js';

/** Lambda's "does not exist" (GetFunction, GetFunctionUrlConfig, GetPolicy). */
export const LAMBDA_NOT_FOUND = ['ResourceNotFoundException'] as const;

function tagList(tags: Readonly<Record<string, string>> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

/** The issuer function's configuration and tags; undefined when it does not exist. */
export async function observeFunction(
  clients: AwsClients,
  name: string,
): Promise<ObservedFunction | undefined> {
  const got = await awsCall(
    `reading Lambda function ${name}`,
    () => clients.lambda.send(new GetFunctionCommand({ FunctionName: name })),
    [...LAMBDA_NOT_FOUND],
  );
  const c = got?.Configuration;
  if (c === undefined) return undefined;
  return {
    arn: c.FunctionArn ?? '',
    role: c.Role ?? '',
    runtime: c.Runtime ?? '',
    handler: c.Handler ?? '',
    codeSha256: c.CodeSha256 ?? '',
    environment: c.Environment?.Variables ?? {},
    tags: tagList(got?.Tags),
  };
}

/**
 * Reads everything of `--hosting lambda` besides the bucket, at once; the execution role with
 * `readRole` (observe.ts's observeRole, passed in so the two modules do not import each other).
 */
export async function observeIssuerFunction(
  clients: AwsClients,
  bucket: string,
  readRole: (clients: AwsClients, roleName: string) => Promise<ObservedRole | undefined>,
): Promise<ObservedIssuerFunction> {
  const name = issuerFunctionName(bucket);
  const [role, fn, url, policy] = await Promise.all([
    readRole(clients, name),
    observeFunction(clients, name),
    awsCall(
      `reading the function URL of ${name}`,
      () => clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name })),
      [...LAMBDA_NOT_FOUND],
    ),
    awsCall(
      `reading the resource policy of ${name}`,
      () => clients.lambda.send(new GetPolicyCommand({ FunctionName: name })),
      [...LAMBDA_NOT_FOUND],
    ),
  ]);
  const observedUrl: ObservedFunctionUrl | undefined =
    url?.FunctionUrl === undefined
      ? undefined
      : {
          url: url.FunctionUrl,
          authType: url.AuthType ?? '',
          allowMethods: url.Cors?.AllowMethods ?? [],
          allowOrigins: url.Cors?.AllowOrigins ?? [],
        };
  return { role, function: fn, url: observedUrl, policy: policy?.Policy };
}
