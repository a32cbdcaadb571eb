#!/usr/bin/env node
// `npm run demo`: the main job on the embedded sandbox (moto for S3/IAM/CloudFront, stsctl's
// validating STS, an HTTPS edge playing the public internet). Every stsctl step runs the built CLI
// exactly as a user would, configured only by the environment `stsctl sandbox env` prints.
//  1. create-all --hosting cloudfront: private bucket behind CloudFront (OAC), provider, 7 roles.
//  2. Every component's service accounts assume their roles with tokens signed by the new key;
//     another service account is refused, as AWS refuses it.
//  3. A second cluster on a public bucket; the bucket is made private (as many organisations
//     require): STS now answers AWS's exact InvalidIdentityToken.
//  4. stsctl doctor names the broken link, the error it causes, and the fix.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';

process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!w.message.startsWith('NodeVersionSupportWarning')) console.error(`${w.name}: ${w.message}`);
});

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');
const lib = await import(join(root, 'dist', 'index.js'));
const { startSandbox } = await import(join(root, 'dist', 'sandbox', 'lifecycle.js'));
const ops = await import(join(root, 'dist', 'aws', 'operations.js'));

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s) => (tty ? `\x1b[31m${s}\x1b[0m` : s);
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const step = (n, text) => console.log(`\n${bold(`${n}. ${text}`)}`);
let failed = false;

const work = mkdtempSync(join(tmpdir(), 'stsctl-demo-'));
const examples = join(root, 'examples', 'credentials-requests');
const region = 'us-east-1';
let sandbox;

// Asynchronous on purpose: the sandbox runs in this process, so a synchronous spawn would block the
// very servers the CLI is talking to.
function stsctl(args, env, { quietStdout = false } = {}) {
  console.log(dim(`$ stsctl ${args.join(' ')}`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env, NO_COLOR: tty ? '' : '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      if (!quietStdout) process.stdout.write(d);
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

try {
  step(0, 'Start the sandbox');
  sandbox = await startSandbox({ region, stateDir: join(work, 'sandbox') });
  const env = { ...sandbox.env(), HOME: work, AWS_CONFIG_FILE: join(work, 'none') };
  console.log(
    `   AWS ${sandbox.endpoints.aws}   validating STS ${sandbox.endpoints.sts}   HTTPS edge 127.0.0.1:${sandbox.endpoints.edgePort}`,
  );

  step(1, 'create-all with a private bucket behind CloudFront (origin access control)');
  const out = join(work, 'demo-cluster');
  const created = await stsctl(
    [
      'create-all',
      '--name',
      'demo-cluster',
      '--region',
      region,
      '--hosting',
      'cloudfront',
      '--credentials-requests-dir',
      examples,
      '--output-dir',
      out,
      '--output',
      'json',
      '--quiet',
    ],
    env,
    { quietStdout: true },
  );
  if (created.status !== 0) throw new Error(`create-all failed:\n${created.stderr}`);
  const result = JSON.parse(created.stdout);
  console.log(`   ${result.applied.length} resources created; issuer ${result.issuer}`);
  console.log(`   provider ${result.providerArn}`);

  step(2, 'Every component assumes its role with a token signed by the new key');
  sandbox.sts.invalidateCaches(); // IAM is eventually consistent; the sandbox's STS caches it 5 s
  const key = lib.readPrivateKeyPem(readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8'));
  const sts = new STSClient({
    region,
    endpoint: sandbox.endpoints.sts,
    credentials: sandbox.credentials,
    maxAttempts: 1,
  });
  const assume = async (roleArn, issuer, namespace, serviceAccount, signer = key) => {
    const token = await lib.mintServiceAccountToken({
      issuer,
      namespace,
      serviceAccount,
      privateKey: signer.key,
      kid: signer.publicKey.kid,
    });
    try {
      const r = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: 'demo',
          WebIdentityToken: token,
        }),
      );
      return { ok: true, arn: r.AssumedRoleUser.Arn, token };
    } catch (e) {
      return {
        ok: false,
        code: e.Code ?? e.name,
        status: e.$metadata?.httpStatusCode,
        message: e.message,
        token,
      };
    }
  };
  const files = lib.readCredentialsRequests(
    (await import('node:fs'))
      .readdirSync(examples)
      .sort()
      .map((n) => ({ name: n, content: readFileSync(join(examples, n), 'utf8') })),
  );
  for (const r of files.requests) {
    const secret = readFileSync(
      join(out, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
      'utf8',
    );
    const roleArn = /role_arn = (\S+)/.exec(secret)[1];
    for (const sa of r.serviceAccountNames) {
      const a = await assume(roleArn, result.issuer, r.secretRef.namespace, sa);
      if (a.ok) console.log(green(`   ✓ ${r.secretRef.namespace}/${sa}`) + dim(` → ${a.arn}`));
      else {
        failed = true;
        console.log(red(`   ✗ ${r.secretRef.namespace}/${sa}: ${a.code}: ${a.message}`));
      }
    }
  }
  const ingressArn = result.roles.find((x) => x.roleName.includes('ingress-operator')).roleArn;
  const intruder = await assume(ingressArn, result.issuer, 'openshift-ingress-operator', 'router');
  if (intruder.ok) failed = true;
  console.log(
    `   another service account (openshift-ingress-operator/router) on the ingress role: ` +
      (intruder.ok
        ? red('granted (wrong)')
        : red(`HTTP ${intruder.status} ${intruder.code}: ${intruder.message}`)),
  );

  step(3, 'A second cluster on a public S3 bucket, then the bucket is made private');
  const out2 = join(work, 'demo-public');
  const created2 = await stsctl(
    [
      'create-all',
      '--name',
      'demo-public',
      '--region',
      region,
      '--credentials-requests-dir',
      examples,
      '--output-dir',
      out2,
      '--output',
      'json',
      '--quiet',
    ],
    env,
    { quietStdout: true },
  );
  if (created2.status !== 0) throw new Error(`create-all failed:\n${created2.stderr}`);
  const public2 = JSON.parse(created2.stdout);
  const ingress2 = public2.roles.find((x) => x.roleName.includes('ingress-operator')).roleArn;
  sandbox.sts.invalidateCaches();
  const key2 = lib.readPrivateKeyPem(readFileSync(join(out2, 'serviceaccount-signer.private'), 'utf8'));
  const token2 = await lib.mintServiceAccountToken({
    issuer: public2.issuer,
    namespace: 'openshift-ingress-operator',
    serviceAccount: 'ingress-operator',
    privateKey: key2.key,
    kid: key2.publicKey.kid,
  });
  console.log(`   issuer ${public2.issuer} (public bucket)`);
  const before = await assume(
    ingress2,
    public2.issuer,
    'openshift-ingress-operator',
    'ingress-operator',
    key2,
  );
  if (before.ok)
    console.log(green(`   ✓ openshift-ingress-operator/ingress-operator`) + dim(` → ${before.arn}`));
  else {
    failed = true;
    console.log(red(`   ✗ openshift-ingress-operator/ingress-operator: ${before.code}: ${before.message}`));
  }
  console.log('   the bucket is made private (public-access block on, bucket policy removed):');
  await ops.makeBucketPrivate(sandbox.clients(), 'demo-public-oidc');
  sandbox.sts.invalidateCaches(); // the sandbox's STS caches issuer documents for 5 s, as AWS caches them
  try {
    await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ingress2,
        RoleSessionName: 'demo',
        WebIdentityToken: token2,
      }),
    );
    failed = true;
    console.log(red('   granted (wrong): a private bucket must break the issuer'));
  } catch (e) {
    console.log(red(`   ✗ HTTP ${e.$metadata?.httpStatusCode} ${e.Code ?? e.name}: ${e.message}`));
  }

  step(4, 'stsctl doctor names the broken link, the error it causes and the fix');
  const tokenFile = join(work, 'ingress.token');
  writeFileSync(tokenFile, token2, { mode: 0o600 });
  const doctor = await stsctl(['doctor', '--token', tokenFile, '--role-arn', ingress2], env);
  if (doctor.status !== 1) failed = true;
  sts.destroy();
} finally {
  await sandbox?.stop();
  rmSync(work, { recursive: true, force: true });
}
if (failed) {
  console.error(red('\nThe demo did not go as expected (see above).'));
  process.exitCode = 1;
}
