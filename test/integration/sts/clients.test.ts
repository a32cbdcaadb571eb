import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTokenFile } from '@aws-sdk/credential-providers';
import { startStsFixture, type StsFixture } from './support/fixture.js';

// Real clients pointed at the validating STS: what a workload sees (aws-sts-oidc.md §1, §2).

const run = promisify(execFile);

let f: StsFixture;
let dir: string;
let tokenFile: string;
let assumedRoleArnPrefix: string;

before(async () => {
  f = await startStsFixture();
  dir = mkdtempSync(join(tmpdir(), 'stsctl-sts-clients-'));
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, await f.mint(), { mode: 0o600 });
  assumedRoleArnPrefix = `arn:aws:sts::123456789012:assumed-role/${f.roleArn.split('/').pop()!}/`;
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await f.close();
});

/** The environment of a pod with IRSA, pointed at the sandbox (no real AWS credentials). */
function workloadEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return {
    ...env,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: f.moto.endpoint,
    AWS_ENDPOINT_URL_STS: f.sts.url,
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    ...extra,
  };
}

test('SDK v3 STSClient: AssumeRoleWithWebIdentity returns parsed credentials', async () => {
  const sts = new STSClient({ endpoint: f.sts.url, region: 'us-east-1' });
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: f.roleArn,
        RoleSessionName: 'sdk-v3',
        WebIdentityToken: await f.mint(),
        DurationSeconds: 1800,
      }),
    );
    assert.equal(out.AssumedRoleUser?.Arn, `${assumedRoleArnPrefix}sdk-v3`);
    assert.equal(out.Provider, f.providerArn);
    assert.equal(out.Audience, 'openshift');
    assert.ok(out.Credentials?.Expiration instanceof Date);
    const lifetime = out.Credentials.Expiration.getTime() - Date.now();
    assert.ok(lifetime > 1790_000 && lifetime <= 1800_000);
  } finally {
    sts.destroy();
  }
});

test('SDK v3 surfaces a refusal as a typed error with AWS code and message', async () => {
  const sts = new STSClient({ endpoint: f.sts.url, region: 'us-east-1', maxAttempts: 1 });
  try {
    await assert.rejects(
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: f.roleArn,
          RoleSessionName: 'sdk-v3',
          WebIdentityToken: await f.mint({ serviceAccount: 'intruder' }),
        }),
      ),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, 'AccessDenied');
        assert.equal(error.message, 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
        assert.equal(error.$metadata?.httpStatusCode, 403);
        return true;
      },
    );
  } finally {
    sts.destroy();
  }
});

test('fromTokenFile credentials work against moto and GetCallerIdentity names the assumed role', async () => {
  const credentials = fromTokenFile({
    webIdentityTokenFile: tokenFile,
    roleArn: f.roleArn,
    roleSessionName: 'from-token-file',
    clientConfig: { endpoint: f.sts.url, region: 'us-east-1' },
  });
  const sts = new STSClient({ endpoint: f.sts.url, region: 'us-east-1', credentials });
  const s3 = new S3Client({
    endpoint: f.moto.endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
  });
  try {
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(caller.Arn, `${assumedRoleArnPrefix}from-token-file`);
    assert.equal(caller.Account, '123456789012');
    assert.match(caller.UserId ?? '', /^AROA[A-Z0-9]+:from-token-file$/);
    // moto accepts the session for its other services (its IAM auth is off).
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.ok(Array.isArray(buckets.Buckets ?? []));
  } finally {
    sts.destroy();
    s3.destroy();
  }
});

test('aws CLI: assume-role-with-web-identity, then get-caller-identity with the session', async () => {
  const token = await f.mint();
  const { stdout } = await run(
    'aws',
    [
      'sts',
      'assume-role-with-web-identity',
      '--endpoint-url',
      f.sts.url,
      '--role-arn',
      f.roleArn,
      '--role-session-name',
      'aws-cli',
      '--web-identity-token',
      token,
      '--output',
      'json',
    ],
    { env: workloadEnv() },
  );
  const out = JSON.parse(stdout) as {
    Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    AssumedRoleUser: { Arn: string };
  };
  assert.equal(out.AssumedRoleUser.Arn, `${assumedRoleArnPrefix}aws-cli`);
  const caller = await run('aws', ['sts', 'get-caller-identity', '--output', 'json'], {
    env: workloadEnv({
      AWS_ACCESS_KEY_ID: out.Credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: out.Credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: out.Credentials.SessionToken,
    }),
  });
  assert.equal((JSON.parse(caller.stdout) as { Arn: string }).Arn, `${assumedRoleArnPrefix}aws-cli`);
});

test('aws CLI: a refused token prints AWS error text and exits non-zero', async () => {
  const token = await f.mint({ serviceAccount: 'intruder' });
  await assert.rejects(
    run(
      'aws',
      [
        'sts',
        'assume-role-with-web-identity',
        '--endpoint-url',
        f.sts.url,
        '--role-arn',
        f.roleArn,
        '--role-session-name',
        'aws-cli',
        '--web-identity-token',
        token,
      ],
      { env: workloadEnv() },
    ),
    (error: Error & { stderr?: string }) => {
      assert.match(
        error.stderr ?? '',
        /An error occurred \(AccessDenied\) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
      );
      return true;
    },
  );
});

test('boto3 with AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE gets the role (IRSA env)', async () => {
  const script = ['import boto3', 'print(boto3.client("sts").get_caller_identity()["Arn"])'].join('\n');
  const { stdout } = await run('python3', ['-c', script], {
    env: workloadEnv({
      AWS_ROLE_ARN: f.roleArn,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_SESSION_NAME: 'boto3-irsa',
    }),
  });
  assert.equal(stdout.trim(), `${assumedRoleArnPrefix}boto3-irsa`);
});
