import {
  CreateRoleCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  FunctionUrlAuthType,
  RemovePermissionCommand,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { StsctlError } from '../../core/errors.js';
import { partitionForRegion, type PartitionId } from '../../core/partitions.js';
import { awsCall, awsFailure, isAwsError } from '../errors.js';
import {
  FUNCTION_URL_AUTH_TYPE,
  FUNCTION_URL_CORS,
  ISSUER_BUCKET_VARIABLE,
  ISSUER_FUNCTION_HANDLER,
  ISSUER_FUNCTION_RUNTIME,
  PUBLIC_URL_STATEMENTS,
  issuerFunctionDescription,
  issuerFunctionName,
  issuerFunctionRoleDescription,
  issuerFunctionPolicy,
  issuerFunctionTrustPolicy,
} from '../issuer-function.js';
import type { Observed, ObservedIssuerFunction } from '../model.js';
import { observeIssuerFunction } from '../observe-issuer-function.js';
import { observeRole } from '../observe.js';
import { desiredFunctionConfiguration } from '../plan/issuer-function.js';
import { findChange, isPending, touches, type Change, type Plan } from '../plan.js';
import { awsTags, type AppliedLog, type ApplyOptions } from './types.js';

/**
 * Applies `--hosting lambda`: the execution role, then the function (which names the role), then
 * its URL and the resource-policy statements that open the URL. Returns what is there afterwards,
 * so the issuer (the URL) is known for the next stage.
 */

function tagRecord(tags: readonly { Key: string; Value: string }[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

function report(o: ApplyOptions, c: Change, applied: AppliedLog): void {
  o.reporter.emit('issuer-function.applied', {
    kind: c.kind,
    id: c.id,
    action: c.action === 'create' ? 'created' : 'updated',
    fields: [...new Set(c.fields.map((f) => f.field))],
  });
  applied.push(c);
}

async function applyFunctionRole(o: ApplyOptions, p: Plan, applied: AppliedLog): Promise<void> {
  const { clients, desired } = o;
  const c = findChange(p, 'function-role');
  if (!isPending(c)) return;
  const name = issuerFunctionName(desired.bucket);
  const trust = JSON.stringify(issuerFunctionTrustPolicy());
  const policy = JSON.stringify(
    issuerFunctionPolicy(partitionOf(o), desired.region, p.accountId, desired.bucket, name),
  );
  if (c.action === 'create') {
    await awsCall(`creating role ${name}`, () =>
      clients.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          Description: issuerFunctionRoleDescription(desired.name),
          AssumeRolePolicyDocument: trust,
          Tags: awsTags(desired.tags),
        }),
      ),
    );
  } else {
    if (touches(c, 'trustPolicy'))
      await awsCall(`updating the trust policy of ${name}`, () =>
        clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust })),
      );
    if (touches(c, 'tags'))
      await awsCall(`tagging role ${name}`, () =>
        clients.iam.send(new TagRoleCommand({ RoleName: name, Tags: awsTags(desired.tags) })),
      );
  }
  if (c.action === 'create' || touches(c, 'inlinePolicy'))
    await awsCall(`putting the inline policy of ${name}`, () =>
      clients.iam.send(
        new PutRolePolicyCommand({ RoleName: name, PolicyName: name, PolicyDocument: policy }),
      ),
    );
  report(o, c, applied);
}

function partitionOf(o: ApplyOptions): PartitionId {
  return partitionForRegion(o.desired.region).id;
}

/**
 * Waits until Lambda accepts another change to the function, with the SDK's waiters:
 * `function-active-v2` (State Active; Failed stops it) after a create, `function-updated-v2`
 * (LastUpdateStatus Successful; Failed stops it) after an update. Lambda answers
 * ResourceConflictException to a change made while the previous one is in progress
 * (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
 */
async function waitForFunction(o: ApplyOptions, name: string, after: 'create' | 'update'): Promise<void> {
  const params = {
    client: o.clients.lambda,
    // The waiters count in seconds; their first check is immediate, then 1 s and up.
    maxWaitTime: Math.max(2, Math.ceil((o.deployTimeoutMs ?? 5 * 60_000) / 1000)),
    ...(o.signal === undefined ? {} : { abortSignal: o.signal }),
  };
  try {
    if (after === 'create') await waitUntilFunctionActiveV2(params, { FunctionName: name });
    else await waitUntilFunctionUpdatedV2(params, { FunctionName: name });
  } catch (e) {
    if (isAwsError(e) && e.$metadata !== undefined) throw awsFailure(`reading Lambda function ${name}`, e);
    // The waiter's own error says only its state (FAILURE, TIMEOUT, ABORTED) and dumps the response.
    const state = e instanceof Error ? e.name : String(e);
    throw new StsctlError(
      'AWS_FAILURE',
      `the Lambda function ${name} did not become ${after === 'create' ? 'Active' : 'updated'} (${state})`,
      { cause: e },
    );
  }
}

async function createFunction(o: ApplyOptions, p: Plan, name: string): Promise<void> {
  const { clients, desired } = o;
  if (desired.hosting.kind !== 'lambda') return;
  const config = desiredFunctionConfiguration(desired, partitionOf(o), p.accountId);
  const deadline = Date.now() + (o.consistencyTimeoutMs ?? 60_000);
  for (let pause = 500; ; pause = Math.min(pause * 2, 5000)) {
    try {
      await clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: ISSUER_FUNCTION_RUNTIME,
          Role: config.Role,
          Handler: ISSUER_FUNCTION_HANDLER,
          Description: issuerFunctionDescription(desired.name),
          Code: { ZipFile: desired.hosting.code.zip },
          Environment: { Variables: { [ISSUER_BUCKET_VARIABLE]: desired.bucket } },
          Tags: tagRecord(desired.tags),
          Publish: false,
        }),
      );
      return;
    } catch (e) {
      // IAM is eventually consistent: a role created a moment ago may not be assumable by Lambda
      // yet ("The role defined for the function cannot be assumed by Lambda").
      if (isAwsError(e, 'InvalidParameterValueException') && Date.now() + pause < deadline) {
        await sleep(pause);
        continue;
      }
      if (isAwsError(e, 'ResourceConflictException')) return; // created by a run killed before it said so
      throw awsFailure(`creating Lambda function ${name}`, e);
    }
  }
}

async function applyFunction(
  o: ApplyOptions,
  p: Plan,
  applied: AppliedLog,
  arn: string | undefined,
): Promise<void> {
  const { clients, desired } = o;
  const c = findChange(p, 'function');
  if (!isPending(c) || desired.hosting.kind !== 'lambda') return;
  const name = issuerFunctionName(desired.bucket);
  if (c.action === 'create') {
    await createFunction(o, p, name);
  } else {
    const code = desired.hosting.code;
    if (touches(c, 'code')) {
      await waitForFunction(o, name, 'update');
      await awsCall(`updating the code of ${name}`, () =>
        clients.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: code.zip })),
      );
    }
    if (touches(c, 'configuration')) {
      await waitForFunction(o, name, 'update');
      const config = desiredFunctionConfiguration(desired, partitionOf(o), p.accountId);
      await awsCall(`updating the configuration of ${name}`, () =>
        clients.lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: name,
            Role: config.Role,
            Handler: ISSUER_FUNCTION_HANDLER,
            Runtime: ISSUER_FUNCTION_RUNTIME,
            Environment: { Variables: { [ISSUER_BUCKET_VARIABLE]: desired.bucket } },
          }),
        ),
      );
    }
    if (touches(c, 'tags')) {
      await awsCall(`tagging ${name}`, () =>
        clients.lambda.send(new TagResourceCommand({ Resource: arn ?? name, Tags: tagRecord(desired.tags) })),
      );
    }
  }
  await waitForFunction(o, name, c.action === 'create' ? 'create' : 'update');
  report(o, c, applied);
}

/** One of the SDK's function URL auth types (`NONE`, `AWS_IAM`), from the model's string. */
function urlAuthType(value: string): FunctionUrlAuthType {
  const known: readonly string[] = Object.values(FunctionUrlAuthType);
  if (!known.includes(value)) throw new StsctlError('AWS_FAILURE', `unknown function URL auth type ${value}`);
  return value as FunctionUrlAuthType;
}

async function applyFunctionUrl(o: ApplyOptions, p: Plan, applied: AppliedLog): Promise<void> {
  const c = findChange(p, 'function-url');
  if (!isPending(c)) return;
  const name = issuerFunctionName(o.desired.bucket);
  const config = {
    AuthType: urlAuthType(FUNCTION_URL_AUTH_TYPE),
    Cors: {
      AllowMethods: [...FUNCTION_URL_CORS.AllowMethods],
      AllowOrigins: [...FUNCTION_URL_CORS.AllowOrigins],
    },
  };
  await awsCall(`${c.action === 'create' ? 'creating' : 'updating'} the function URL of ${name}`, () =>
    c.action === 'create'
      ? o.clients.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, ...config }))
      : o.clients.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: name, ...config })),
  );
  report(o, c, applied);
}

async function applyPermissions(o: ApplyOptions, p: Plan, applied: AppliedLog): Promise<void> {
  const name = issuerFunctionName(o.desired.bucket);
  for (const want of PUBLIC_URL_STATEMENTS) {
    const c = findChange(p, 'function-permission', `${name}/${want.sid}`);
    if (!isPending(c)) continue;
    // A statement cannot be edited: a differing one is removed and added again.
    if (c.action === 'update')
      await awsCall(`removing statement ${want.sid} of ${name}`, () =>
        o.clients.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: want.sid })),
      );
    await awsCall(`adding statement ${want.sid} to ${name}`, () =>
      o.clients.lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: want.sid,
          Action: want.action,
          Principal: want.principal,
          ...(want.functionUrlAuthType === undefined
            ? {}
            : { FunctionUrlAuthType: urlAuthType(want.functionUrlAuthType) }),
          ...(want.invokedViaFunctionUrl === undefined ? {} : { InvokedViaFunctionUrl: true }),
        }),
      ),
    );
    report(o, c, applied);
  }
}

/** The whole family, in dependency order; returns it as observed afterwards. */
export async function applyIssuerFunction(
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  applied: AppliedLog,
): Promise<ObservedIssuerFunction | undefined> {
  if (o.desired.hosting.kind !== 'lambda') return undefined;
  await applyFunctionRole(o, p, applied);
  await applyFunction(o, p, applied, obs.issuerFunction?.function?.arn);
  await applyFunctionUrl(o, p, applied);
  await applyPermissions(o, p, applied);
  return observeIssuerFunction(o.clients, o.desired.bucket, observeRole);
}
