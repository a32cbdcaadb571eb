import {
  AddPermissionCommand,
  RemovePermissionCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../../src/aws/clients.js';
import { FUNCTION_URL_CORS } from '../../../src/aws/issuer-function.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import type { DoctorReport, Finding } from '../../../src/doctor/report.js';
import { runDoctor } from '../../../src/doctor/run.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { assume, sandboxObserver, type StsAnswer } from './support.js';
import { provisionLambdaCluster } from './lambda-cluster.js';

/**
 * The doctor on Lambda function URL hosting, in the sandbox: `provision()` makes the bucket, the
 * function, its URL and permissions; the doctor reads the URL config through its AWS port
 * (GetFunctionUrlConfig, GetPolicy) and what STS's fetch got, and each broken piece is a finding
 * whose predicted answer is what the validating STS answers for the same token.
 */

const region = 'us-east-1';
const name = 'lambdoc';
let sb: Sandbox;
let aws: AwsClients;
let observer: IdentityObserver;
let tmp: string;
let issuer = '';
let roleArn = '';
let functionName = '';
let token = '';

const doctor = (): Promise<DoctorReport> =>
  runDoctor(
    { mode: 'token', components: [{ name: 'token', serviceAccounts: [], roleArn, tokens: [{ token }] }] },
    { issuer: sb.issuerFetcher, aws: observer, now: () => new Date() },
  );

function hostingFindings(report: DoctorReport): Finding[] {
  const group = report.components.find((c) => c.name === issuer);
  const check = group?.checks.find((c) => c.id === 'issuer.hosting');
  assert.ok(check !== undefined, 'no hosting check');
  return check.outcome.status === 'fail' ? [...check.outcome.findings] : [];
}

function expectPredicts(report: DoctorReport, code: string, sts: StsAnswer): void {
  const f = hostingFindings(report).find((x) => x.code === code);
  assert.ok(f !== undefined, JSON.stringify(hostingFindings(report).map((x) => [x.code, x.detail])));
  assert.notEqual(sts.status, 200, sts.body);
  assert.deepEqual(f.predictedError, { code: sts.code, status: sts.status, message: sts.message });
  const verdict = report.components.find((c) => c.name === 'token')?.verdicts[0];
  assert.ok(verdict !== undefined && !verdict.ok);
  assert.deepEqual(verdict.error, f.predictedError);
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stsctl-doctor-lambda-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
  aws = sb.clients();
  observer = sandboxObserver(sb);
  ({ issuer, roleArn, token, functionName } = await provisionLambdaCluster(sb, tmp, name, region));
});

after(async () => {
  observer.destroy();
  await sb.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('Lambda function URL hosting', () => {
  test('healthy: the function URL is read (auth NONE, public invoke) and STS grants', async () => {
    assert.match(issuer, /^https:\/\/[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws$/);
    const report = await doctor();
    const check = report.components
      .find((c) => c.name === issuer)
      ?.checks.find((c) => c.id === 'issuer.hosting');
    assert.equal(check?.outcome.status, 'pass', JSON.stringify(check));
    assert.match(JSON.stringify(check), new RegExp(`function ${functionName}: auth type NONE`));
    assert.equal((await assume(sb, roleArn, token)).status, 200);
  });

  test('auth type AWS_IAM: the finding and the exact answer STS gives', async () => {
    await aws.lambda.send(
      new UpdateFunctionUrlConfigCommand({
        FunctionName: functionName,
        AuthType: 'AWS_IAM',
        Cors: {
          AllowMethods: [...FUNCTION_URL_CORS.AllowMethods],
          AllowOrigins: [...FUNCTION_URL_CORS.AllowOrigins],
        },
      }),
    );
    try {
      const sts = await assume(sb, roleArn, token);
      expectPredicts(await doctor(), 'FUNCTION_URL_AUTH_NOT_NONE', sts);
    } finally {
      await aws.lambda.send(
        new UpdateFunctionUrlConfigCommand({
          FunctionName: functionName,
          AuthType: 'NONE',
          Cors: {
            AllowMethods: [...FUNCTION_URL_CORS.AllowMethods],
            AllowOrigins: [...FUNCTION_URL_CORS.AllowOrigins],
          },
        }),
      );
    }
  });

  test('the resource policy lacks the public InvokeFunction statement', async () => {
    await aws.lambda.send(
      new RemovePermissionCommand({
        FunctionName: functionName,
        StatementId: 'FunctionURLInvokeAllowPublicAccess',
      }),
    );
    try {
      const sts = await assume(sb, roleArn, token);
      const report = await doctor();
      expectPredicts(report, 'FUNCTION_URL_NOT_PUBLIC', sts);
      const f = hostingFindings(report).find((x) => x.code === 'FUNCTION_URL_NOT_PUBLIC');
      assert.ok(f?.fix.some((s) => s.includes(`--function-name ${functionName}`)));
    } finally {
      await aws.lambda.send(
        new AddPermissionCommand({
          FunctionName: functionName,
          StatementId: 'FunctionURLInvokeAllowPublicAccess',
          Action: 'lambda:InvokeFunction',
          Principal: '*',
          InvokedViaFunctionUrl: true,
        }),
      );
    }
    assert.equal((await assume(sb, roleArn, token)).status, 200);
  });

  test("the function's role cannot read the bucket: 502 from the URL, named as a function error", async () => {
    const roleName = functionName;
    const policies = await aws.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    assert.ok((policies.PolicyNames ?? []).length > 0);
    for (const p of policies.PolicyNames ?? [])
      await aws.iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: p }));
    const sts = await assume(sb, roleArn, token);
    const report = await doctor();
    expectPredicts(report, 'FUNCTION_URL_FUNCTION_ERROR', sts);
    const f = hostingFindings(report).find((x) => x.code === 'FUNCTION_URL_FUNCTION_ERROR');
    assert.match(f?.detail ?? '', /answered 502/);
  });
});
