import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import { fixesToApply } from '../../../src/cli/doctor-fix.js';
import type { DoctorReport, Finding } from '../../../src/doctor/report.js';
import { runDoctor } from '../../../src/doctor/run.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import {
  assume,
  expectHealthy,
  expectNoContradiction,
  expectSameAnswer,
  sandboxObserver,
} from './support.js';
import { applyFindingFix, provisionLambdaCluster } from './lambda-cluster.js';

/**
 * The doctor looks at the issuer function's execution role (Lambda hosting) instead of inferring
 * from the 502: with the role's read of the bucket taken away (its inline policy deleted, or
 * replaced by one for another bucket, or an explicit Deny added), the first finding is
 * FUNCTION_ROLE_CANNOT_READ_BUCKET, naming the rule, predicting the validating STS's exact answer;
 * its fix, applied verbatim with the aws CLI against the sandbox, makes STS grant again.
 */

const region = 'us-east-1';
const name = 'lambrole';
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

function issuerFindings(report: DoctorReport): Finding[] {
  return [...(report.components.find((c) => c.name === issuer)?.findings ?? [])];
}

async function inlinePolicies(): Promise<string[]> {
  const out = await aws.iam.send(new ListRolePoliciesCommand({ RoleName: functionName }));
  return out.PolicyNames ?? [];
}

async function deleteInlinePolicies(): Promise<void> {
  for (const p of await inlinePolicies())
    await aws.iam.send(new DeleteRolePolicyCommand({ RoleName: functionName, PolicyName: p }));
}

/** The role finding is first, decisive, names `rule`, and predicts STS's answer; the 5xx follows from it. */
async function expectRoleFinding(rule: RegExp): Promise<Finding> {
  const sts = await assume(sb, roleArn, token);
  const report = await doctor();
  expectNoContradiction(report);
  expectSameAnswer(report, 'token', 'FUNCTION_ROLE_CANNOT_READ_BUCKET', sts);
  const first = issuerFindings(report)[0];
  assert.equal(first?.code, 'FUNCTION_ROLE_CANNOT_READ_BUCKET', JSON.stringify(issuerFindings(report)));
  assert.deepEqual(first.predictedError, { code: sts.code, status: sts.status, message: sts.message });
  assert.match(first.detail, rule);
  assert.match(first.detail, new RegExp(`execution role ${roleArnOfFunction()}`));
  // The URL's 502 is the same failure seen from outside: marked as following from the role finding.
  const symptom = issuerFindings(report).find((f) => f.code === 'FUNCTION_URL_FUNCTION_ERROR');
  assert.ok(symptom !== undefined);
  assert.match(
    symptom.detail,
    /answered 502: .*may not read the documents \(FUNCTION_ROLE_CANNOT_READ_BUCKET\)/,
  );
  assert.equal(symptom.afterFirst, 'consequence');
  return first;
}

function roleArnOfFunction(): string {
  return `arn:aws:iam::\\d{12}:role/${functionName}`;
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stsctl-doctor-lambda-role-'));
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

describe("Lambda hosting: the execution role's access to the bucket", () => {
  test('healthy: the doctor reads the role and says it may read both documents', async () => {
    const report = await doctor();
    const check = report.components
      .find((c) => c.name === issuer)
      ?.checks.find((c) => c.id === 'issuer.hosting');
    assert.equal(check?.outcome.status, 'pass', JSON.stringify(check));
    assert.match(JSON.stringify(check), /its role may read both documents/);
    expectHealthy(report, await assume(sb, roleArn, token));
  });

  test('no inline policy: no Allow; the fix puts stsctl’s policy back and STS grants', async () => {
    assert.deepEqual(await inlinePolicies(), [functionName]);
    await deleteInlinePolicies();
    const finding = await expectRoleFinding(/no Allow: no statement of the policies of .* \(it has none\)/);
    const ran = await applyFindingFix(finding, sb, tmp);
    // stsctl's policy name (the role's own name, as apply puts it) and a file, every value filled.
    assert.deepEqual(ran, [
      [
        'aws',
        'iam',
        'put-role-policy',
        '--role-name',
        functionName,
        '--policy-name',
        functionName,
        '--policy-document',
        `file://${functionName}-role-policy.json`,
      ],
    ]);
    assert.deepEqual(await inlinePolicies(), [functionName]);
    const [report, sts] = await Promise.all([doctor(), assume(sb, roleArn, token)]);
    expectHealthy(report, sts);
  });

  test('the policy grants another bucket: no Allow for this one; fixed by the same step', async () => {
    await deleteInlinePolicies();
    await aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: functionName,
        PolicyName: functionName,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' }],
        }),
      }),
    );
    const finding = await expectRoleFinding(new RegExp(`no Allow: .*\\(inline ${functionName}\\)`));
    await applyFindingFix(finding, sb, tmp);
    const [report, sts] = await Promise.all([doctor(), assume(sb, roleArn, token)]);
    expectHealthy(report, sts);
  });

  test('an explicit Deny in another inline policy: named, and no put-role-policy fix offered', async () => {
    const deny = 'DenyIssuerReads';
    await aws.iam.send(
      new PutRolePolicyCommand({
        RoleName: functionName,
        PolicyName: deny,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'NoS3', Effect: 'Deny', Action: 's3:Get*', Resource: '*' }],
        }),
      }),
    );
    try {
      const finding = await expectRoleFinding(
        new RegExp(`an explicit Deny: statement 0 \\(NoS3\\) of policy ${deny} explicitly denies it`),
      );
      // Putting stsctl's policy would not undo another policy's Deny: no steps claim it would.
      assert.equal(finding.remedy, undefined);
      const report = await doctor();
      assert.ok(!fixesToApply(report).some((f) => f.finding.code === 'FUNCTION_ROLE_CANNOT_READ_BUCKET'));
    } finally {
      await aws.iam.send(new DeleteRolePolicyCommand({ RoleName: functionName, PolicyName: deny }));
    }
    expectHealthy(await doctor(), await assume(sb, roleArn, token));
  });
});
