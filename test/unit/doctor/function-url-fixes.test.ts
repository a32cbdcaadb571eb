import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowsPublicUrlInvoke,
  missingPublicUrlStatements,
  PUBLIC_URL_STATEMENTS,
} from '../../../src/core/function-url-policy.js';
import { isConcrete, stepShellLines } from '../../../src/doctor/fix.js';
import { functionUrlAuthFix, functionUrlPublicFix } from '../../../src/doctor/fixes.js';

/**
 * The function URL fixes are built from the resource policy as read: which public statements
 * are missing decides which `aws lambda` steps there are, and a statement that only has stsctl's
 * id is removed before its id is added again.
 */

const FN = 'demo-oidc';
const REGION = 'eu-west-1';

/** A resource policy as Lambda's GetPolicy writes AddPermission's statements. */
function policy(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}
const urlInvoke = {
  Sid: 'FunctionURLAllowPublicAccess',
  Effect: 'Allow',
  Principal: '*',
  Action: 'lambda:InvokeFunctionUrl',
  Resource: `arn:aws:lambda:${REGION}:123456789012:function:${FN}`,
  Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
};
const invoke = {
  Sid: 'FunctionURLInvokeAllowPublicAccess',
  Effect: 'Allow',
  Principal: '*',
  Action: 'lambda:InvokeFunction',
  Resource: `arn:aws:lambda:${REGION}:123456789012:function:${FN}`,
  Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
};

const ADD_URL_INVOKE = [
  'aws',
  'lambda',
  'add-permission',
  '--function-name',
  FN,
  '--statement-id',
  'FunctionURLAllowPublicAccess',
  '--action',
  'lambda:InvokeFunctionUrl',
  '--principal',
  '*',
  '--function-url-auth-type',
  'NONE',
  '--region',
  REGION,
];
const ADD_INVOKE = [
  'aws',
  'lambda',
  'add-permission',
  '--function-name',
  FN,
  '--statement-id',
  'FunctionURLInvokeAllowPublicAccess',
  '--action',
  'lambda:InvokeFunction',
  '--principal',
  '*',
  '--invoked-via-function-url',
  '--region',
  REGION,
];

const argvs = (p: string | undefined): (readonly string[])[] =>
  functionUrlPublicFix({ functionName: FN, region: REGION, policy: p })?.steps.map((s) => s.argv) ?? [];

describe('missing public statements → steps', () => {
  it('both present: no fix (nothing would change)', () => {
    assert.equal(
      functionUrlPublicFix({ functionName: FN, region: REGION, policy: policy(urlInvoke, invoke) }),
      undefined,
    );
  });

  it('no policy at all: both statements, InvokeFunctionUrl first', () => {
    assert.deepEqual(argvs(undefined), [ADD_URL_INVOKE, ADD_INVOKE]);
  });

  it('only the InvokeFunction statement missing: only it is added', () => {
    assert.deepEqual(argvs(policy(urlInvoke)), [ADD_INVOKE]);
  });

  it('only the InvokeFunctionUrl statement missing: only it is added', () => {
    assert.deepEqual(argvs(policy(invoke)), [ADD_URL_INVOKE]);
  });

  it('a public lambda:* statement under another id already gives InvokeFunction: not added again', () => {
    const all = { ...invoke, Sid: 'Everything', Action: 'lambda:*', Condition: undefined };
    assert.deepEqual(argvs(policy(urlInvoke, all)), []);
  });

  it("stsctl's id granted to one account: removed first, then added for everyone", () => {
    const narrowed = { ...invoke, Principal: { AWS: 'arn:aws:iam::123456789012:root' } };
    assert.deepEqual(argvs(policy(urlInvoke, narrowed)), [
      [
        'aws',
        'lambda',
        'remove-permission',
        '--function-name',
        FN,
        '--statement-id',
        'FunctionURLInvokeAllowPublicAccess',
        '--region',
        REGION,
      ],
      ADD_INVOKE,
    ]);
  });

  it('an InvokeFunctionUrl statement for AWS_IAM does not open a NONE URL', () => {
    const iamOnly = {
      ...urlInvoke,
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
    };
    assert.deepEqual(
      missingPublicUrlStatements(policy(iamOnly, invoke)).map((m) => [m.statement.sid, m.conflicting]),
      [['FunctionURLAllowPublicAccess', true]],
    );
  });

  it('after the steps the policy lets everyone in (the same rule the sandbox answers with)', () => {
    for (const start of [undefined, policy(urlInvoke), policy(invoke)]) {
      const added = missingPublicUrlStatements(start).map((m) => ({
        Sid: m.statement.sid,
        Effect: 'Allow',
        Principal: m.statement.principal,
        Action: m.statement.action,
        ...(m.statement.functionUrlAuthType === undefined
          ? {}
          : {
              Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': m.statement.functionUrlAuthType } },
            }),
        ...(m.statement.invokedViaFunctionUrl === undefined
          ? {}
          : { Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': m.statement.invokedViaFunctionUrl } } }),
      }));
      const kept =
        start === undefined ? [] : (JSON.parse(start) as { Statement: Record<string, unknown>[] }).Statement;
      assert.equal(allowsPublicUrlInvoke('NONE', policy(...kept, ...added)), true);
      assert.equal(allowsPublicUrlInvoke('AWS_IAM', policy(...kept, ...added)), false);
    }
    assert.equal(PUBLIC_URL_STATEMENTS.length, 2);
  });
});

describe('auth type fix', () => {
  it('sets NONE without --cors (the URL keeps its CORS), every value filled', () => {
    const fix = functionUrlAuthFix({ functionName: FN, region: REGION, policy: policy(urlInvoke, invoke) });
    assert.deepEqual(
      fix.steps.map((s) => s.argv),
      [
        [
          'aws',
          'lambda',
          'update-function-url-config',
          '--function-name',
          FN,
          '--auth-type',
          'NONE',
          '--region',
          REGION,
        ],
      ],
    );
    assert.ok(isConcrete(fix));
  });

  it('adds the missing public statements after it, so NONE actually lets STS in', () => {
    const fix = functionUrlAuthFix({ functionName: FN, region: REGION, policy: policy(urlInvoke) });
    assert.deepEqual(
      fix.steps.map((s) => s.argv[2]),
      ['update-function-url-config', 'add-permission'],
    );
    assert.deepEqual(fix.steps[1]?.argv, ADD_INVOKE);
  });

  it('prints the principal quoted for sh (a bare * would be a glob)', () => {
    const step = functionUrlPublicFix({ functionName: FN, region: REGION, policy: undefined })?.steps[0];
    assert.ok(step !== undefined);
    assert.match(stepShellLines(step).join('\n'), / --principal '\*' /);
  });
});
