import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import { fixesToApply } from '../../../src/cli/doctor-fix.js';
import { provision } from '../../../src/commands/provision.js';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import {
  mintServiceAccountToken,
  readCredentialsRequests,
  readPrivateKeyPem,
} from '../../../src/core/index.js';
import { isConcrete } from '../../../src/doctor/fix.js';
import type { DoctorReport, Finding } from '../../../src/doctor/report.js';
import { runDoctor } from '../../../src/doctor/run.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { CREDREQS } from '../../helpers/repo.js';
import {
  assume,
  expectHealthy,
  expectNoContradiction,
  expectSameAnswer,
  sandboxObserver,
} from './support.js';

/**
 * The doctor looks at the issuer function's execution role (Lambda hosting) instead of inferring
 * from the 502: with the role's read of the bucket taken away (its inline policy deleted, or
 * replaced by one for another bucket, or an explicit Deny added), the first finding is
 * FUNCTION_ROLE_CANNOT_READ_BUCKET, naming the rule, predicting the validating STS's exact answer;
 * its fix, applied verbatim with the aws CLI against the sandbox, makes STS grant again.
 */

const run = promisify(execFile);
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

const requests = readCredentialsRequests(
  readdirSync(join(CREDREQS, 'aws'))
    .sort()
    .map((n) => ({ name: n, content: readFileSync(join(CREDREQS, 'aws', n), 'utf8') })),
).requests;

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

/** Applies the finding's steps as printed: files written, then `aws …` with execFile, no shell. */
async function applyVerbatim(finding: Finding): Promise<string[][]> {
  const fix = finding.remedy;
  assert.ok(fix !== undefined, `no fix as data: ${JSON.stringify(finding)}`);
  assert.ok(isConcrete(fix), JSON.stringify(fix));
  const dir = join(tmp, `fix-${String(Date.now())}`);
  await mkdir(dir);
  const ran: string[][] = [];
  for (const step of fix.steps) {
    assert.equal(step.kind, 'aws-cli');
    for (const f of step.files ?? []) await writeFile(join(dir, f.name), f.content);
    await run('aws', step.argv.slice(1), {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...sb.env() },
      cwd: dir,
    });
    ran.push([...step.argv]);
  }
  return ran;
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
  const result = await provision(
    {
      scope: 'all',
      name,
      region,
      outputDir: join(tmp, name),
      credentialsRequestsDir: join(CREDREQS, 'aws'),
      hosting: 'lambda',
      enableTechPreview: false,
      roleNameMode: 'hash',
      forceKeys: false,
    },
    new RecordingReporter(),
    { clients: aws, fetcher: sb.issuerFetcher },
  );
  issuer = result.outcome.issuer;
  const r = requests[0];
  assert.ok(r !== undefined);
  const secret = await readFile(
    join(tmp, name, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
    'utf8',
  );
  roleArn = /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
  const key = readPrivateKeyPem(await readFile(join(tmp, name, 'serviceaccount-signer.private'), 'utf8'));
  token = await mintServiceAccountToken({
    issuer,
    namespace: r.secretRef.namespace,
    serviceAccount: r.serviceAccountNames[0] ?? '',
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
  const functions = await aws.lambda.send(new ListFunctionsCommand({}));
  functionName = functions.Functions?.[0]?.FunctionName ?? '';
  assert.notEqual(functionName, '');
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
    const ran = await applyVerbatim(finding);
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
    await applyVerbatim(finding);
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
