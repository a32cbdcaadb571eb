import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { AwsClients } from '../../../src/aws/clients.js';
import { buildJwks, renderJwks } from '../../../src/core/index.js';
import { loadIssuerSites } from '../../../src/sandbox/issuer-site.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { oacBucketPolicy, oacIssuer } from '../../helpers/oac-issuer.js';
import { mint, rsaKey } from '../../helpers/web-identity.js';

/**
 * The sandbox as AWS answers today (aws-sts-2026.md §3, §7): IAM writes visible to STS at once,
 * the shared-IdP control on trust policies, a CloudFront origin in the wrong region, and public
 * issuers of any host (GitHub Actions, EKS) served by the edge from a directory. Through the real
 * aws CLI and boto3 where a user would use them, and the SDK for repetitions.
 */

const run = promisify(execFile);
const GITHUB = 'https://token.actions.githubusercontent.com';
const GITHUB_HOST = 'token.actions.githubusercontent.com';
const EKS = 'https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';
let sb: Sandbox;
let aws: AwsClients;
let dir: string;
let ghKey: KeyLike;
let eksKey: KeyLike;

function cliEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: dir,
    ...sb.env(),
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
  };
}

async function cli(...args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('aws', [...args, '--output', 'json'], { env: cliEnv(), cwd: dir });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A directory holding an issuer's discovery document and JWKS, as `--issuer-site` reads it. */
async function issuerDir(name: string, issuer: string, publicKey: KeyLike, kid: string): Promise<string> {
  const d = join(dir, name);
  mkdirSync(join(d, '.well-known'), { recursive: true });
  writeFileSync(
    join(d, '.well-known', 'openid-configuration'),
    JSON.stringify({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks`,
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: ['id_token'],
      claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'ref', 'repository'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid'],
    }),
  );
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  writeFileSync(join(d, '.well-known', 'jwks'), JSON.stringify({ keys: [jwk] }));
  return d;
}

/** A GitHub Actions OIDC token with the claims GitHub issues (environment job). */
function githubToken(claims: { repository: string; environment: string }): Promise<string> {
  const [owner = ''] = claims.repository.split('/');
  return new SignJWT({
    sub: `repo:${claims.repository}:environment:${claims.environment}`,
    aud: 'sts.amazonaws.com',
    ref: 'refs/heads/main',
    sha: 'd6e0a4ec9ab12e3d9a0c4a8f6d1c0f2b3a4e5d6c',
    repository: claims.repository,
    repository_id: '123456789',
    repository_owner: owner,
    repository_owner_id: '987654',
    repository_visibility: 'private',
    run_id: '9876543210',
    run_number: '42',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '583231',
    workflow: 'deploy',
    event_name: 'push',
    ref_type: 'branch',
    environment: claims.environment,
    job_workflow_ref: `${claims.repository}/.github/workflows/deploy.yml@refs/heads/main`,
    runner_environment: 'github-hosted',
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'gh-1', typ: 'JWT' })
    .setIssuer(GITHUB)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime('5m')
    .setJti(crypto.randomUUID())
    .sign(ghKey);
}

function githubTrust(providerArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_HOST}:aud`]: 'sts.amazonaws.com',
            [`${GITHUB_HOST}:repository`]: 'octo-org/octo-repo',
            [`${GITHUB_HOST}:environment`]: 'prod',
          },
          StringLike: { [`${GITHUB_HOST}:sub`]: 'repo:octo-org/*' },
        },
      },
    ],
  });
}

let githubProviderArn = '';
let githubRoleArn = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stsctl-aws-today-'));
  const gh = await generateKeyPair('RS256');
  ghKey = gh.privateKey;
  const eks = await generateKeyPair('RS256');
  eksKey = eks.privateKey;
  const ghDir = await issuerDir('github', GITHUB, gh.publicKey, 'gh-1');
  const eksDir = await issuerDir('eks', EKS, eks.publicKey, 'eks-1');
  // The same values `stsctl sandbox up --issuer-site` takes.
  const staticSites = await loadIssuerSites(
    [`${GITHUB_HOST}=${ghDir}`, `${EKS.replace('https://', '')}=${eksDir}`],
    dir,
  );
  sb = await startSandbox({ stateDir: join(dir, 'sandbox'), fetchBudgetMs: 30_000, staticSites });
  aws = sb.clients();
});

after(async () => {
  await sb.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('shared-IdP control: CreateRole trusting GitHub without a sub condition is refused (aws CLI and SDK)', async () => {
  const provider = await cli(
    'iam',
    'create-open-id-connect-provider',
    '--url',
    GITHUB,
    '--client-id-list',
    'sts.amazonaws.com',
    '--thumbprint-list',
    THUMBPRINT,
  );
  assert.ok(provider.ok, provider.stderr);
  githubProviderArn = (JSON.parse(provider.stdout) as { OpenIDConnectProviderArn: string })
    .OpenIDConnectProviderArn;
  const noSub = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: githubProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${GITHUB_HOST}:aud`]: 'sts.amazonaws.com' } },
      },
    ],
  });
  const refused = await cli(
    'iam',
    'create-role',
    '--role-name',
    'gh-no-sub',
    '--assume-role-policy-document',
    noSub,
  );
  assert.equal(refused.ok, false);
  assert.match(refused.stderr, /\(MalformedPolicyDocument\) when calling the CreateRole operation/);
  assert.match(refused.stderr, /token\.actions\.githubusercontent\.com:sub/);
  // Not forwarded: the role does not exist.
  const get = await cli('iam', 'get-role', '--role-name', 'gh-no-sub');
  assert.match(get.stderr, /NoSuchEntity/);
  await assert.rejects(
    aws.iam.send(new CreateRoleCommand({ RoleName: 'gh-no-sub', AssumeRolePolicyDocument: noSub })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) =>
      e.name === 'MalformedPolicyDocumentException' &&
      e.$metadata?.httpStatusCode === 400 &&
      /:sub/.test(e.message),
  );
  // The role with a sub condition is accepted; weakening it later is refused the same way.
  const created = await aws.iam.send(
    new CreateRoleCommand({
      RoleName: 'gh-deploy',
      AssumeRolePolicyDocument: githubTrust(githubProviderArn),
    }),
  );
  githubRoleArn = created.Role?.Arn ?? '';
  const update = await cli(
    'iam',
    'update-assume-role-policy',
    '--role-name',
    'gh-deploy',
    '--policy-document',
    noSub,
  );
  assert.match(
    update.stderr,
    /\(MalformedPolicyDocument\) when calling the UpdateAssumeRolePolicy operation/,
  );
  await assert.rejects(
    aws.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'gh-deploy', PolicyDocument: noSub })),
    { name: 'MalformedPolicyDocumentException' },
  );
});

test('GitHub Actions token from a sandbox-hosted token.actions.githubusercontent.com: allowed by repository/environment keys, denied otherwise (aws CLI)', async () => {
  assert.notEqual(githubRoleArn, '');
  const assumeCli = async (token: string) =>
    cli(
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      githubRoleArn,
      '--role-session-name',
      'gha',
      '--web-identity-token',
      token,
    );
  const ok = await assumeCli(await githubToken({ repository: 'octo-org/octo-repo', environment: 'prod' }));
  assert.ok(ok.ok, ok.stderr);
  const answer = JSON.parse(ok.stdout) as { SubjectFromWebIdentityToken: string; Provider: string };
  assert.equal(answer.SubjectFromWebIdentityToken, 'repo:octo-org/octo-repo:environment:prod');
  assert.equal(answer.Provider, githubProviderArn);
  for (const claims of [
    { repository: 'octo-org/other-repo', environment: 'prod' },
    { repository: 'octo-org/octo-repo', environment: 'staging' },
  ]) {
    const denied = await assumeCli(await githubToken(claims));
    assert.equal(denied.ok, false, JSON.stringify(claims));
    assert.match(denied.stderr, /\(AccessDenied\) when calling the AssumeRoleWithWebIdentity operation/);
  }
});

test('GitHub Actions token: the same through boto3', async () => {
  assert.notEqual(githubRoleArn, '');
  const script = [
    'import boto3, botocore, json, sys',
    'sts = boto3.client("sts")',
    'out = []',
    'for token in sys.argv[2:]:',
    '    try:',
    '        r = sts.assume_role_with_web_identity(RoleArn=sys.argv[1], RoleSessionName="boto3", WebIdentityToken=token)',
    '        out.append(r["AssumedRoleUser"]["Arn"])',
    '    except botocore.exceptions.ClientError as e:',
    '        out.append(e.response["Error"]["Code"])',
    'print(json.dumps(out))',
  ].join('\n');
  const tokens = [
    await githubToken({ repository: 'octo-org/octo-repo', environment: 'prod' }),
    await githubToken({ repository: 'octo-org/other-repo', environment: 'prod' }),
  ];
  const { stdout } = await run('python3', ['-c', script, githubRoleArn, ...tokens], { env: cliEnv() });
  assert.deepEqual(JSON.parse(stdout), [
    'arn:aws:sts::123456789012:assumed-role/gh-deploy/boto3',
    'AccessDenied',
  ]);
});

test('an EKS-shaped issuer with a path (oidc.eks.us-west-2.amazonaws.com/id/…) assumes', async () => {
  const provider = await aws.iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: EKS,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: [THUMBPRINT],
    }),
  );
  const hostPath = EKS.replace('https://', '');
  const role = await aws.iam.send(
    new CreateRoleCommand({
      RoleName: 'eks-app',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider.OpenIDConnectProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${hostPath}:sub`]: 'system:serviceaccount:team:app',
                [`${hostPath}:aud`]: 'sts.amazonaws.com',
              },
            },
          },
        ],
      }),
    }),
  );
  const token = await new SignJWT({ 'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'app' } } })
    .setProtectedHeader({ alg: 'RS256', kid: 'eks-1' })
    .setIssuer(EKS)
    .setSubject('system:serviceaccount:team:app')
    .setAudience('sts.amazonaws.com')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(eksKey);
  const out = await aws.sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: role.Role?.Arn,
      RoleSessionName: 'eks',
      WebIdentityToken: token,
    }),
  );
  assert.equal(out.Provider, provider.OpenIDConnectProviderArn);
  assert.equal(out.SubjectFromWebIdentityToken, 'system:serviceaccount:team:app');
});

test('create a provider and a role, assume at once: 20 times, never stale (aws CLI once, then the SDK)', async () => {
  const key = rsaKey();
  const jwks = renderJwks(buildJwks([key.publicKey]));
  const site = (i: number) => `issuer-${i}.iam-writes.example`;
  for (let i = 0; i < 20; i++) {
    const issuer = `https://${site(i)}`;
    sb.edge.setStaticSite({
      host: site(i),
      routes: {
        '/.well-known/openid-configuration': {
          body: JSON.stringify({
            issuer,
            jwks_uri: `${issuer}/keys.json`,
            response_types_supported: ['id_token'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
          }),
          headers: { 'content-type': 'application/json' },
        },
        '/keys.json': { body: jwks, headers: { 'content-type': 'application/json' } },
      },
    });
  }
  const trust = (providerArn: string, i: number): string =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: providerArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${site(i)}:sub`]: 'system:serviceaccount:team:app' } },
        },
      ],
    });
  // A warm cache first: STS has read the account's providers before the script starts.
  const warm = await mint(key, `https://${site(0)}`, { audiences: ['sts.amazonaws.com'] });
  await assert.rejects(
    aws.sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::123456789012:role/iam-writes-0',
        RoleSessionName: 'warm',
        WebIdentityToken: warm,
      }),
    ),
    { name: 'InvalidIdentityTokenException' },
  );
  // Iteration 0 through the aws CLI, as a user's script does it.
  const p0 = await cli(
    'iam',
    'create-open-id-connect-provider',
    '--url',
    `https://${site(0)}`,
    '--client-id-list',
    'sts.amazonaws.com',
    '--thumbprint-list',
    THUMBPRINT,
  );
  assert.ok(p0.ok, p0.stderr);
  const arn0 = (JSON.parse(p0.stdout) as { OpenIDConnectProviderArn: string }).OpenIDConnectProviderArn;
  const r0 = await cli(
    'iam',
    'create-role',
    '--role-name',
    'iam-writes-0',
    '--assume-role-policy-document',
    trust(arn0, 0),
  );
  assert.ok(r0.ok, r0.stderr);
  const a0 = await cli(
    'sts',
    'assume-role-with-web-identity',
    '--role-arn',
    'arn:aws:iam::123456789012:role/iam-writes-0',
    '--role-session-name',
    'cli',
    '--web-identity-token',
    warm,
  );
  assert.ok(a0.ok, a0.stderr);
  for (let i = 1; i < 20; i++) {
    const provider = await aws.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${site(i)}`,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: [THUMBPRINT],
      }),
    );
    const role = await aws.iam.send(
      new CreateRoleCommand({
        RoleName: `iam-writes-${i}`,
        AssumeRolePolicyDocument: trust(provider.OpenIDConnectProviderArn ?? '', i),
      }),
    );
    const token = await mint(key, `https://${site(i)}`, { audiences: ['sts.amazonaws.com'] });
    const out = await aws.sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: role.Role?.Arn,
        RoleSessionName: `run-${i}`,
        WebIdentityToken: token,
      }),
    );
    assert.equal(out.Provider, provider.OpenIDConnectProviderArn, `iteration ${i}`);
  }
});

test("a CloudFront origin in another region than its bucket: STS answers Couldn't retrieve verification key", async () => {
  const key = rsaKey();
  const issuer = await oacIssuer(aws, {
    bucket: 'cross-region-oidc', // created in us-east-1
    region: 'eu-west-1', // the origin names eu-west-1
    key,
    namespace: 'team',
    serviceAccount: 'app',
    comment: 'cco#468',
  });
  await aws.s3.send(
    new PutBucketPolicyCommand({
      Bucket: issuer.bucket,
      Policy: oacBucketPolicy(issuer.bucket, issuer.distributionArn),
    }),
  );
  const token = await mint(key, issuer.issuerUrl, { audiences: ['sts.amazonaws.com'] });
  await assert.rejects(
    aws.sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: issuer.roleArn,
        RoleSessionName: 'cf',
        WebIdentityToken: token,
      }),
    ),
    (e: Error) =>
      e.name === 'InvalidIdentityTokenException' &&
      e.message ===
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  );
});
