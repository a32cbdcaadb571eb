import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrivateKeyInfo } from '../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/lifecycle.js';
import { runStsctl, sandboxCliEnv } from '../helpers/cli.js';
import { REGION, assume, mint, publicIssuer, rsaKey, type Issuer } from '../helpers/web-identity.js';

/** The built CLI: `doctor explain`, and `doctor --fix` (refusal without a terminal, --yes applying the steps). */

describe('stsctl doctor explain', () => {
  test('names the causes and the doctor command filled with the role ARN; JSON carries it; unknown text is exit 1', async () => {
    const text =
      'An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity for arn:aws:iam::123456789012:role/app-role';
    const plain = await runStsctl(['doctor', 'explain', text]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Candidate causes, most likely first:\n {2}TRUST_POLICY_DENIES/);
    assert.match(plain.stdout, /stsctl doctor --token - --role-arn arn:aws:iam::123456789012:role\/app-role/);
    const json = await runStsctl(['doctor', 'explain', '-', '--output', 'json'], { input: text });
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { awsCode: string; doctorCommand: string[] };
    assert.equal(parsed.awsCode, 'AccessDenied');
    assert.deepEqual(parsed.doctorCommand.slice(-2), [
      '--role-arn',
      'arn:aws:iam::123456789012:role/app-role',
    ]);
    const unknown = await runStsctl(['doctor', 'explain', 'the printer is on fire']);
    assert.equal(unknown.code, 1);
  });
});

describe('stsctl doctor --fix on a sandbox', () => {
  let sb: Sandbox;
  let dir: string;
  let key: PrivateKeyInfo;
  let issuer: Issuer;
  let env: NodeJS.ProcessEnv;
  let tokenFile: string;
  let token: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stsctl-doctor-fix-e2e-'));
    key = rsaKey();
    sb = await startSandbox({ region: REGION, stateDir: dir });
    issuer = await publicIssuer(sb.clients(), key, 'fixe2e');
    env = sandboxCliEnv(sb.env(), dir);
    // A service account the role does not trust yet.
    token = await mint(key, issuer.url, { serviceAccount: 'newcomer', lifetime: 3600 });
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, token);
  });

  after(async () => {
    await sb.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('without a terminal and without --yes it shows the steps, refuses with exit 2 and changes nothing', async () => {
    const run = await runStsctl(['doctor', '--token', tokenFile, '--role-arn', issuer.roleArn, '--fix'], {
      env,
      cwd: dir,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      /aws iam update-assume-role-policy --role-name fixe2e-role --policy-document file:\/\/fixe2e-role-trust-policy\.json/,
    );
    assert.match(run.stderr, /--yes/);
    assert.equal((await assume(sb, issuer.roleArn, token)).status, 403);
  });

  test('--fix --yes applies the steps with the aws CLI, diagnoses again and ends healthy', async () => {
    const run = await runStsctl(
      ['doctor', '--token', tokenFile, '--role-arn', issuer.roleArn, '--fix', '--yes'],
      { env, cwd: dir },
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /applying: aws iam update-assume-role-policy/);
    assert.match(run.stdout, /After the fix:\nstsctl doctor \(token\)[^\n]*\nHealthy: 0 error\(s\)/);
    assert.equal((await assume(sb, issuer.roleArn, token)).status, 200);
    // The service account the role trusted before is still let in.
    assert.equal((await assume(sb, issuer.roleArn, await mint(key, issuer.url))).status, 200);
  });
});
