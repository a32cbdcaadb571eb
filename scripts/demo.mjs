#!/usr/bin/env node
// `npm run demo`: a guided run of the whole credential path on the embedded sandbox
// (moto for S3/IAM, the validating STS, the HTTPS edge playing the public internet).
//  1. stsctl create-all --dry-run writes the key pair, the issuer documents, roles and Secrets.
//  2. The issuer is published in a public S3 bucket; the IAM OIDC provider and one role are created.
//  3. A token minted with the new key assumes the role through the validating STS.
//  4. A token for another service account is refused, as AWS refuses it.
//  5. The bucket is made private: STS now answers exactly what AWS answers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const root = fileURLToPath(new URL('..', import.meta.url));
const lib = await import(join(root, 'dist', 'index.js'));
const { startSandbox } = await import(join(root, 'dist', 'sandbox', 'lifecycle.js'));
const ops = await import(join(root, 'dist', 'aws', 'operations.js'));

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s) => (tty ? `\x1b[31m${s}\x1b[0m` : s);
const step = (n, text) => console.log(`\n${bold(`${n}. ${text}`)}`);

const out = mkdtempSync(join(tmpdir(), 'stsctl-demo-'));
const name = 'demo-cluster';
const region = 'eu-west-1';
let sandbox;
try {
  step(1, `stsctl create-all --dry-run --name ${name} --region ${region} (example CredentialsRequests)`);
  const result = await lib.createAll(
    {
      name,
      region,
      credentialsRequestsDir: join(root, 'examples', 'credentials-requests'),
      outputDir: out,
      hosting: 'public',
      enableTechPreview: false,
      roleNameMode: 'hash',
      dryRun: true,
    },
    lib.silentReporter,
  );
  console.log(`   ${result.written.length} files written; issuer ${result.issuer}; key id ${result.kid}`);
  console.log(`   ${result.roles.length} roles: ${result.roles.map((r) => r.role.name).join(', ')}`);

  step(2, 'Start the sandbox: moto (S3, IAM, CloudFront), validating STS, HTTPS edge');
  sandbox = await startSandbox({ region });
  console.log(
    `   AWS ${sandbox.endpoints.aws}   STS ${sandbox.endpoints.sts}   edge 127.0.0.1:${sandbox.endpoints.edgePort}`,
  );
  const clients = sandbox.clients(region);

  step(3, 'Publish the issuer in a public S3 bucket; register the IAM OIDC provider and the ingress role');
  const bucket = lib.bucketName(name);
  const tags = lib.ownershipTags(name);
  await ops.ensureBucket(clients, bucket, region, tags);
  await ops.allowPublicIssuerReads(clients, bucket, region);
  await ops.putIssuerDocuments(clients, bucket, name, {
    discovery: readFileSync(join(out, '02-openid-configuration'), 'utf8'),
    jwks: readFileSync(join(out, '03-keys.json'), 'utf8'),
  });
  const provider = await ops.ensureOidcProvider(sandbox.clients('us-east-1'), result.issuer, { tags });
  console.log(`   provider ${provider.arn}`);
  const ingress = result.roles.find((r) => r.request.secretRef.namespace === 'openshift-ingress-operator');
  const trust = lib.renderPolicy(
    lib.trustPolicyForRequest(ingress.request, provider.arn, lib.issuerHostPath(result.issuer)),
  );
  const role = await ops.ensureRole(clients, {
    roleName: ingress.role.name,
    description: ingress.description,
    trustPolicy: trust,
    permissionsPolicy: ingress.permissionsPolicy,
    tags,
  });
  console.log(`   role ${role.arn}`);

  const key = lib.readPrivateKeyPem(readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8'));
  const mint = (serviceAccount) =>
    lib.mintServiceAccountToken({
      issuer: result.issuer,
      namespace: 'openshift-ingress-operator',
      serviceAccount,
      privateKey: key.key,
      kid: key.publicKey.kid,
    });
  const sts = new STSClient({ region, endpoint: sandbox.endpoints.sts, credentials: sandbox.credentials });
  const assume = async (token) => {
    try {
      const r = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: role.arn,
          RoleSessionName: 'demo',
          WebIdentityToken: token,
        }),
      );
      return { ok: true, r };
    } catch (e) {
      return { ok: false, e };
    }
  };
  const show = (res) => {
    if (res.ok) {
      console.log(
        green(
          `   ✓ credentials ${res.r.Credentials.AccessKeyId.slice(0, 4)}… for ${res.r.AssumedRoleUser.Arn}`,
        ),
      );
      console.log(
        `     Provider ${res.r.Provider}, Audience ${res.r.Audience}, Subject ${res.r.SubjectFromWebIdentityToken}`,
      );
    } else {
      console.log(
        red(
          `   ✗ HTTP ${res.e.$metadata?.httpStatusCode} ${res.e.Code ?? res.e.Error?.Code ?? res.e.name}: ${res.e.message}`,
        ),
      );
    }
  };

  step(
    4,
    'Assume the role with a token for openshift-ingress-operator/ingress-operator, signed by the new key',
  );
  const good = await assume(await mint('ingress-operator'));
  show(good);
  if (!good.ok) process.exitCode = 1;
  else {
    const asRole = new STSClient({
      region,
      endpoint: sandbox.endpoints.sts,
      credentials: {
        accessKeyId: good.r.Credentials.AccessKeyId,
        secretAccessKey: good.r.Credentials.SecretAccessKey,
        sessionToken: good.r.Credentials.SessionToken,
      },
    });
    const me = await asRole.send(new GetCallerIdentityCommand({}));
    console.log(`   sts get-caller-identity with them: ${me.Arn}`);
    asRole.destroy();
  }

  step(5, 'A token for another service account of the namespace');
  const other = await assume(await mint('router'));
  show(other);
  if (other.ok) process.exitCode = 1;

  step(6, 'Make the bucket private (delete the policy, block public access), as many organisations require');
  await ops.makeBucketPrivate(clients, bucket);
  sandbox.sts.invalidateCaches();
  const denied = await assume(await mint('ingress-operator'));
  show(denied);
  if (denied.ok) process.exitCode = 1;
  console.log(
    '   This is what AWS answers too: STS cannot read the JWKS anonymously. Host the issuer behind',
  );
  console.log('   CloudFront (private bucket, origin access control) to keep the bucket private.');
  sts.destroy();
} finally {
  await sandbox?.stop();
  rmSync(out, { recursive: true, force: true });
}
