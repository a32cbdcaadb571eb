import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTokenFile } from '@aws-sdk/credential-providers';
import {
  buildJwks,
  generateRsaKeyPair,
  mintServiceAccountToken,
  readPrivateKeyPem,
  renderDiscoveryDocument,
  renderJwks,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';

/**
 * Real third-party clients, unchanged, against the sandbox: the aws CLI runs the OpenShift
 * documentation's manual procedure (bucket, discovery and JWKS upload, bucket policy, OIDC provider,
 * role, inline policy) and `sts assume-role-with-web-identity`; boto3's web-identity credential chain
 * and the JS SDK's `fromTokenFile` then obtain credentials and call `sts get-caller-identity`.
 */

const run = promisify(execFile);
let sb: Sandbox;
let dir: string;
let key: PrivateKeyInfo;
const region = 'us-east-2';
const bucket = 'manual-oidc';
const issuer = `https://${bucket}.s3.${region}.amazonaws.com`;
let roleArn = '';

function cliEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: dir,
    ...sb.env(),
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
  };
}

async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run('aws', [...args, '--output', 'json'], { env: cliEnv(), cwd: dir });
  return stdout;
}

async function token(serviceAccount: string): Promise<string> {
  return mintServiceAccountToken({
    issuer,
    namespace: 'openshift-image-registry',
    serviceAccount,
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stsctl-interop-'));
  key = readPrivateKeyPem((await generateRsaKeyPair()).privateKeyPem);
  sb = await startSandbox({ region, stateDir: join(dir, 'sandbox'), fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('aws CLI: the OpenShift manual procedure, then assume-role-with-web-identity', async () => {
  writeFileSync(join(dir, 'openid-configuration'), renderDiscoveryDocument(issuer));
  writeFileSync(join(dir, 'keys.json'), renderJwks(buildJwks([key.publicKey])));
  await aws(
    's3api',
    'create-bucket',
    '--bucket',
    bucket,
    '--create-bucket-configuration',
    `LocationConstraint=${region}`,
  );
  await aws(
    's3api',
    'put-object',
    '--bucket',
    bucket,
    '--key',
    '.well-known/openid-configuration',
    '--body',
    'openid-configuration',
  );
  await aws('s3api', 'put-object', '--bucket', bucket, '--key', 'keys.json', '--body', 'keys.json');
  await aws(
    's3api',
    'put-public-access-block',
    '--bucket',
    bucket,
    '--public-access-block-configuration',
    'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
  );
  await aws(
    's3api',
    'put-bucket-policy',
    '--bucket',
    bucket,
    '--policy',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
      ],
    }),
  );
  const provider = JSON.parse(
    await aws(
      'iam',
      'create-open-id-connect-provider',
      '--url',
      issuer,
      '--client-id-list',
      'openshift',
      'sts.amazonaws.com',
      '--thumbprint-list',
      'A'.repeat(40),
    ),
  ) as { OpenIDConnectProviderArn: string };
  writeFileSync(
    join(dir, 'trust.json'),
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: provider.OpenIDConnectProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${bucket}.s3.${region}.amazonaws.com:sub`]: [
                'system:serviceaccount:openshift-image-registry:cluster-image-registry-operator',
                'system:serviceaccount:openshift-image-registry:registry',
              ],
            },
          },
        },
      ],
    }),
  );
  const role = JSON.parse(
    await aws(
      'iam',
      'create-role',
      '--role-name',
      'manual-registry',
      '--assume-role-policy-document',
      'file://trust.json',
    ),
  ) as { Role: { Arn: string } };
  roleArn = role.Role.Arn;
  await aws(
    'iam',
    'put-role-policy',
    '--role-name',
    'manual-registry',
    '--policy-name',
    'manual-registry',
    '--policy-document',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets"],"Resource":"*"}]}',
  );

  const out = JSON.parse(
    await aws(
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      roleArn,
      '--role-session-name',
      'manual',
      '--web-identity-token',
      await token('registry'),
    ),
  ) as {
    Credentials: { AccessKeyId: string };
    AssumedRoleUser: { Arn: string };
    Provider: string;
  };
  assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::123456789012:assumed-role/manual-registry/manual');
  assert.equal(out.Provider, provider.OpenIDConnectProviderArn);

  await assert.rejects(
    aws(
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      roleArn,
      '--role-session-name',
      'manual',
      '--web-identity-token',
      await token('intruder'),
    ),
    (e: { stderr: string }) =>
      e.stderr.includes(
        'An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity',
      ),
  );
});

test('boto3: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, then get-caller-identity', async () => {
  assert.notEqual(roleArn, '', 'runs after the aws CLI procedure');
  const tokenFile = join(dir, 'boto3-token');
  writeFileSync(tokenFile, await token('cluster-image-registry-operator'));
  const env = cliEnv();
  delete env['AWS_ACCESS_KEY_ID'];
  delete env['AWS_SECRET_ACCESS_KEY'];
  const script = [
    'import boto3, json',
    'session = boto3.Session()',
    'creds = session.get_credentials()',
    'ident = session.client("sts").get_caller_identity()',
    'print(json.dumps({"method": creds.method, "arn": ident["Arn"], "key": creds.get_frozen_credentials().access_key[:4]}))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script], {
    env: {
      ...env,
      AWS_ROLE_ARN: roleArn,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_SESSION_NAME: 'boto3',
    },
  });
  const result = JSON.parse(stdout) as { method: string; arn: string; key: string };
  assert.equal(result.method, 'assume-role-with-web-identity');
  assert.equal(result.key, 'ASIA');
  assert.equal(result.arn, 'arn:aws:sts::123456789012:assumed-role/manual-registry/boto3');
});

test('AWS SDK for JavaScript v3: fromTokenFile, then GetCallerIdentity', async () => {
  const tokenFile = join(dir, 'js-token');
  writeFileSync(tokenFile, await token('registry'));
  const credentials = fromTokenFile({
    roleArn,
    webIdentityTokenFile: tokenFile,
    roleSessionName: 'js-sdk',
    clientConfig: { region, endpoint: sb.endpoints.sts },
  });
  const resolved = await credentials();
  assert.match(resolved.accessKeyId, /^ASIA/);
  const sts = new STSClient({ region, endpoint: sb.endpoints.sts, credentials });
  const me = await sts.send(new GetCallerIdentityCommand({}));
  sts.destroy();
  assert.equal(me.Arn, 'arn:aws:sts::123456789012:assumed-role/manual-registry/js-sdk');
});
