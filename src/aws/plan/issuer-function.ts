import { roleArn } from '../../core/partitions.js';
import {
  FUNCTION_URL_AUTH_TYPE,
  FUNCTION_URL_CORS,
  ISSUER_BUCKET_VARIABLE,
  ISSUER_FUNCTION_HANDLER,
  ISSUER_FUNCTION_RUNTIME,
  PUBLIC_URL_STATEMENTS,
  describeStatement,
  functionUrlIssuer,
  invokeStatements,
  issuerFunctionName,
  issuerFunctionPolicy,
  issuerFunctionTrustPolicy,
} from '../issuer-function.js';
import type { Desired, Observed } from '../model.js';
import { change, jsonFields, tagField } from './fields.js';
import type { Change, FieldChange, PlanContext } from './types.js';

/**
 * `--hosting lambda`'s family, after the bucket: the function's execution role (kind
 * `function-role`: `trustPolicy`, `inlinePolicy`, `tags`), the function (`function`: `code`,
 * `configuration`, `tags`), its URL (`function-url`: `authType`, `cors`) and the two statements of
 * its resource policy that open the URL to everyone (`function-permission`: `statement`). Pure.
 */

/** The issuer once the function URL exists (Lambda's URL without its trailing slash). */
export function lambdaIssuer(observed: Observed): string | undefined {
  const url = observed.issuerFunction?.url?.url;
  return url === undefined ? undefined : functionUrlIssuer(url);
}

/** The function's configuration stsctl manages, by field. */
export function desiredFunctionConfiguration(
  desired: Desired,
  partition: string,
  accountId: string,
): Record<'Role' | 'Runtime' | 'Handler' | 'Environment', string> {
  const name = issuerFunctionName(desired.bucket);
  return {
    Role: roleArn(partition as Parameters<typeof roleArn>[0], accountId, name),
    Runtime: ISSUER_FUNCTION_RUNTIME,
    Handler: ISSUER_FUNCTION_HANDLER,
    Environment: JSON.stringify({ [ISSUER_BUCKET_VARIABLE]: desired.bucket }),
  };
}

function planFunctionRole(ctx: PlanContext): Change {
  const { desired, observed } = ctx;
  const name = issuerFunctionName(desired.bucket);
  const have = observed.issuerFunction?.role;
  const fields: FieldChange[] = [];
  if (have !== undefined) {
    fields.push(...jsonFields('trustPolicy', 'trust', have.trustPolicy, issuerFunctionTrustPolicy()));
    const policy = issuerFunctionPolicy(
      ctx.partition as Parameters<typeof issuerFunctionPolicy>[0],
      desired.region,
      observed.accountId,
      desired.bucket,
      name,
    );
    if (have.inlinePolicy === undefined)
      fields.push({ attribute: 'inlinePolicy', field: 'inline policy', from: '(none)', to: name });
    else fields.push(...jsonFields('inlinePolicy', 'policy', have.inlinePolicy, policy));
    fields.push(...tagField(desired.tags, have.tags));
  }
  return change('function-role', name, have !== undefined, fields, [
    'the issuer function reads the bucket with it',
  ]);
}

function planFunction(ctx: PlanContext): Change {
  const { desired, observed } = ctx;
  const name = issuerFunctionName(desired.bucket);
  const have = observed.issuerFunction?.function;
  const fields: FieldChange[] = [];
  if (have !== undefined && desired.hosting.kind === 'lambda') {
    if (have.codeSha256 !== desired.hosting.code.sha256)
      fields.push({
        attribute: 'code',
        field: 'code (CodeSha256)',
        from: have.codeSha256 || '(none)',
        to: desired.hosting.code.sha256,
      });
    const want = desiredFunctionConfiguration(desired, ctx.partition, observed.accountId);
    const now: typeof want = {
      Role: have.role,
      Runtime: have.runtime,
      Handler: have.handler,
      Environment: JSON.stringify(have.environment),
    };
    for (const k of ['Role', 'Runtime', 'Handler', 'Environment'] as const) {
      if (now[k] !== want[k])
        fields.push({ attribute: 'configuration', path: k, field: k, from: now[k] || '(none)', to: want[k] });
    }
    fields.push(...tagField(desired.tags, have.tags));
  }
  return change('function', name, have !== undefined, fields);
}

function planFunctionUrl(ctx: PlanContext): Change {
  const name = issuerFunctionName(ctx.desired.bucket);
  const have = ctx.observed.issuerFunction?.url;
  const fields: FieldChange[] = [];
  if (have !== undefined) {
    if (have.authType !== FUNCTION_URL_AUTH_TYPE)
      fields.push({
        attribute: 'authType',
        field: 'AuthType',
        from: have.authType,
        to: FUNCTION_URL_AUTH_TYPE,
      });
    const cors = (methods: readonly string[], origins: readonly string[]): string =>
      `AllowMethods=${[...methods].sort().join(',') || '(none)'}; AllowOrigins=${[...origins].sort().join(',') || '(none)'}`;
    const want = cors(FUNCTION_URL_CORS.AllowMethods, FUNCTION_URL_CORS.AllowOrigins);
    const now = cors(have.allowMethods, have.allowOrigins);
    if (now !== want) fields.push({ attribute: 'cors', field: 'Cors', from: now, to: want });
  }
  return change('function-url', name, have !== undefined, fields, have === undefined ? [] : [have.url]);
}

function planPermissions(ctx: PlanContext): Change[] {
  const name = issuerFunctionName(ctx.desired.bucket);
  const have = invokeStatements(ctx.observed.issuerFunction?.policy);
  return PUBLIC_URL_STATEMENTS.map((want) => {
    const now = have.find((s) => s.sid === want.sid);
    const fields: FieldChange[] =
      now === undefined || describeStatement(now) === describeStatement(want)
        ? []
        : [
            {
              attribute: 'statement',
              field: want.sid,
              from: describeStatement(now),
              to: describeStatement(want),
            },
          ];
    return change('function-permission', `${name}/${want.sid}`, now !== undefined, fields, [
      describeStatement(want),
    ]);
  });
}

/** The family's changes, in the order apply makes them. */
export function planIssuerFunction(ctx: PlanContext): Change[] {
  if (ctx.desired.hosting.kind !== 'lambda') return [];
  return [planFunctionRole(ctx), planFunction(ctx), planFunctionUrl(ctx), ...planPermissions(ctx)];
}
