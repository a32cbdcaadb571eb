import {
  AddPermissionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  RemovePermissionCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsClients } from '../../../src/aws/clients.js';
import { FUNCTION_URL_CORS } from '../../../src/aws/issuer-function.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import type { DoctorReport, Finding } from '../../../src/doctor/report.js';
import { runDoctor } from '../../../src/doctor/run.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import {
  assume,
  expectHealthy,
  expectNoContradiction,
  expectSameAnswer,
  sandboxObserver,
  type StsAnswer,
} from './support.js';
import { applyFindingFix, provisionLambdaCluster } from './lambda-cluster.js';

/**
 * The function URL's own findings decide the verdict (Lambda hosting, in the sandbox): with the
 * URL's auth type or its public statements broken, the token's first finding is the precise one
 * (FUNCTION_URL_AUTH_NOT_NONE, FUNCTION_URL_NOT_PUBLIC), predicting the validating STS's exact
 * answer, with the generic HTTP-status findings after it as consequences; its fix, applied
 * verbatim with the aws CLI (execFile, no shell) against the sandbox, makes STS grant and the
 * doctor report healthy. A deleted URL config is FUNCTION_URL_NOT_FOUND, whose repair changes
 * the issuer and so stays text.
 */

const region = 'us-east-1';
const name = 'lamfix';
const INVOKE = 'FunctionURLInvokeAllowPublicAccess';
const URL_INVOKE = 'FunctionURLAllowPublicAccess';
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

const stsctlCors: { AllowMethods: string[]; AllowOrigins: string[] } = {
  AllowMethods: [...FUNCTION_URL_CORS.AllowMethods],
  AllowOrigins: [...FUNCTION_URL_CORS.AllowOrigins],
};

async function setUrl(authType: 'NONE' | 'AWS_IAM', cors = stsctlCors): Promise<void> {
  await aws.lambda.send(
    new UpdateFunctionUrlConfigCommand({ FunctionName: functionName, AuthType: authType, Cors: cors }),
  );
}

async function removeStatement(sid: string): Promise<void> {
  await aws.lambda.send(new RemovePermissionCommand({ FunctionName: functionName, StatementId: sid }));
}

/**
 * The token's first finding is `code`, decisive, with STS's exact answer; every HTTP-status
 * finding after it is marked as its consequence; nothing contradicts a passing check.
 */
async function expectFirst(code: string): Promise<{ finding: Finding; sts: StsAnswer }> {
  const sts = await assume(sb, roleArn, token);
  const report = await doctor();
  expectNoContradiction(report);
  expectSameAnswer(report, 'token', code, sts);
  const group = report.components.find((c) => c.name === 'token');
  const finding = group?.findings[0];
  assert.ok(finding !== undefined);
  const symptoms = (group?.findings ?? []).filter((f) => /_HTTP_STATUS$/.test(f.code));
  for (const s of symptoms) assert.equal(s.afterFirst, 'consequence', JSON.stringify(s));
  return { finding, sts };
}

async function expectHealthyNow(): Promise<void> {
  const [report, sts] = await Promise.all([doctor(), assume(sb, roleArn, token)]);
  expectHealthy(report, sts);
}

const addUrlInvoke = (): string[] => [
  'aws',
  'lambda',
  'add-permission',
  '--function-name',
  functionName,
  '--statement-id',
  URL_INVOKE,
  '--action',
  'lambda:InvokeFunctionUrl',
  '--principal',
  '*',
  '--function-url-auth-type',
  'NONE',
  '--region',
  region,
];
const addInvoke = (): string[] => [
  'aws',
  'lambda',
  'add-permission',
  '--function-name',
  functionName,
  '--statement-id',
  INVOKE,
  '--action',
  'lambda:InvokeFunction',
  '--principal',
  '*',
  '--invoked-via-function-url',
  '--region',
  region,
];
const updateAuth = (): string[] => [
  'aws',
  'lambda',
  'update-function-url-config',
  '--function-name',
  functionName,
  '--auth-type',
  'NONE',
  '--region',
  region,
];

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stsctl-doctor-lambda-fixes-'));
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

describe('Lambda function URL findings: first, precise, fixed by their steps', () => {
  test('healthy before anything is broken', async () => {
    assert.match(issuer, /^https:\/\/[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws$/);
    await expectHealthyNow();
  });

  test('auth type AWS_IAM: first finding, and update-function-url-config keeps the CORS as it is', async () => {
    // The user's own CORS, not stsctl's: the fix must leave it alone.
    const cors = { AllowMethods: ['GET', 'HEAD'], AllowOrigins: ['https://console.example.com'] };
    await setUrl('AWS_IAM', cors);
    const { finding } = await expectFirst('FUNCTION_URL_AUTH_NOT_NONE');
    assert.match(finding.detail, /AuthType AWS_IAM/);
    assert.deepEqual(await applyFindingFix(finding, sb, tmp), [updateAuth()]);
    const url = await aws.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: functionName }));
    assert.equal(url.AuthType, 'NONE');
    assert.deepEqual(
      [url.Cors?.AllowMethods, url.Cors?.AllowOrigins],
      [cors.AllowMethods, cors.AllowOrigins],
    );
    await expectHealthyNow();
    await setUrl('NONE');
  });

  test('auth type AWS_IAM and a missing public statement: one fix does both', async () => {
    await setUrl('AWS_IAM');
    await removeStatement(INVOKE);
    const { finding } = await expectFirst('FUNCTION_URL_AUTH_NOT_NONE');
    assert.match(finding.detail, /must also let everyone invoke it/);
    assert.deepEqual(await applyFindingFix(finding, sb, tmp), [updateAuth(), addInvoke()]);
    await expectHealthyNow();
  });

  test('the public InvokeFunction statement is missing: only it is added', async () => {
    await removeStatement(INVOKE);
    const { finding } = await expectFirst('FUNCTION_URL_NOT_PUBLIC');
    assert.deepEqual(await applyFindingFix(finding, sb, tmp), [addInvoke()]);
    await expectHealthyNow();
  });

  test('the public InvokeFunctionUrl statement is missing: only it is added', async () => {
    await removeStatement(URL_INVOKE);
    const { finding } = await expectFirst('FUNCTION_URL_NOT_PUBLIC');
    assert.deepEqual(await applyFindingFix(finding, sb, tmp), [addUrlInvoke()]);
    await expectHealthyNow();
  });

  test('both public statements are missing: both are added, in order', async () => {
    await removeStatement(URL_INVOKE);
    await removeStatement(INVOKE);
    const { finding } = await expectFirst('FUNCTION_URL_NOT_PUBLIC');
    assert.match(finding.detail, /statements: none/);
    assert.deepEqual(await applyFindingFix(finding, sb, tmp), [addUrlInvoke(), addInvoke()]);
    await expectHealthyNow();
  });

  test("stsctl's statement id granted to one account only: removed, then added for everyone", async () => {
    await removeStatement(INVOKE);
    const account = /^arn:aws:iam::(\d{12}):/.exec(roleArn)?.[1] ?? '';
    await aws.lambda.send(
      new AddPermissionCommand({
        FunctionName: functionName,
        StatementId: INVOKE,
        Action: 'lambda:InvokeFunction',
        Principal: account,
        InvokedViaFunctionUrl: true,
      }),
    );
    const { finding } = await expectFirst('FUNCTION_URL_NOT_PUBLIC');
    assert.deepEqual(await applyFindingFix(finding, sb, tmp), [
      [
        'aws',
        'lambda',
        'remove-permission',
        '--function-name',
        functionName,
        '--statement-id',
        INVOKE,
        '--region',
        region,
      ],
      addInvoke(),
    ]);
    await expectHealthyNow();
  });

  // Last: a re-created URL has a new host, so the issuer this suite's token names is gone for good.
  test('the URL config deleted: FUNCTION_URL_NOT_FOUND first, its repair (a new issuer) stays text', async () => {
    await aws.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: functionName }));
    const { finding } = await expectFirst('FUNCTION_URL_NOT_FOUND');
    assert.match(finding.detail, new RegExp(`no Lambda function of this account has the URL ${issuer}/`));
    // Creating a URL again gives a new host: the provider, the roles and the discovery document
    // name the old one, so no steps claim to repair it.
    assert.equal(finding.remedy, undefined);
    assert.match(finding.fix.join('\n'), /new issuer/);
  });
});
