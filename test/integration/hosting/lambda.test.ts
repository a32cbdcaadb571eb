import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { DeleteObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import {
  GetFunctionCommand,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { previewPlan, provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { deleteResources } from '../../../src/commands/delete.js';
import { addRotationKey } from '../../../src/commands/rotate-keys.js';
import { findChange, planCounts } from '../../../src/aws/plan.js';
import { mintServiceAccountToken, readPrivateKeyPem } from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDENTIALS_REQUESTS as requests, createAllOptions } from '../../helpers/provision.js';
import { sdkAssume } from '../../helpers/web-identity.js';

/**
 * `--hosting lambda` end to end in the sandbox: moto keeps the function, its URL and its resource
 * policy; the sandbox answers the function URL host by running the shipped handler in-process
 * with the function role's view of the bucket; the validating STS fetches the issuer from there.
 */

const region = 'us-east-1';
const name = 'lamb';

let sb: Sandbox;
let tmp: string;

const options = (extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'lambda', extra);

const deps = () => ({ clients: sb.clients(), fetcher: sb.issuerFetcher });

let issuer = '';

async function token(serviceAccount: string, namespace: string): Promise<string> {
  const key = readPrivateKeyPem(readFileSync(join(tmp, name, 'serviceaccount-signer.private'), 'utf8'));
  return mintServiceAccountToken({
    issuer,
    namespace,
    serviceAccount,
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
}

async function assume(roleArn: string, jwt: string): Promise<string> {
  sb.sts.invalidateCaches();
  const a = await sdkAssume(sb, roleArn, jwt);
  return a.ok ? a.arn : `error:${a.name}: ${a.message}`;
}

function roleOf(r: (typeof requests)[number]): string {
  const secret = readFileSync(
    join(tmp, name, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
    'utf8',
  );
  return /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
}

/** A request to the function URL as the internet sees it (sandbox resolver, sandbox CA). */
async function fetchUrl(
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const host = new URL(issuer).host;
  const target = await sb.resolver.connectTo(host, 443);
  assert.ok(target !== undefined, `${host} resolves`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        servername: host,
        path,
        method,
        headers: { host },
        ca: sb.cas.sandbox.rootPem,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-lambda-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('--hosting lambda', () => {
  test('create-all makes the bucket, the function with its role, URL and permissions, the provider and the roles', async () => {
    const reporter = new RecordingReporter();
    const result = await provision(options(), reporter, deps());
    issuer = result.outcome.issuer;
    assert.match(issuer, /^https:\/\/[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws$/);
    assert.equal(result.outcome.providerArn, `arn:aws:iam::123456789012:oidc-provider/${issuer.slice(8)}`);
    assert.deepEqual([...new Set(result.outcome.applied.map((c) => c.kind))].sort(), [
      'bucket',
      'discovery-document',
      'function',
      'function-permission',
      'function-role',
      'function-url',
      'jwks',
      'oidc-provider',
      'public-access-block',
      'role',
    ]);
    assert.equal(result.outcome.roleArns.size, 7);
    assert.match(
      readFileSync(join(tmp, name, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      new RegExp(`serviceAccountIssuer: ${issuer}`),
    );
    // The function's role may read exactly the two documents (and write its logs).
    const role = await sb.clients().iam.send(new GetRoleCommand({ RoleName: `${name}-oidc` }));
    assert.match(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''), /lambda\.amazonaws\.com/);
  });

  test('the function URL serves the documents as JSON with caching headers, 405 to POST, 404 elsewhere', async () => {
    const d = await fetchUrl('/.well-known/openid-configuration');
    assert.equal(d.status, 200);
    assert.equal(d.headers['content-type'], 'application/json');
    assert.equal(d.headers['cache-control'], 'public, max-age=300');
    assert.equal((JSON.parse(d.body) as { issuer: string }).issuer, issuer);
    const k = await fetchUrl('/keys.json');
    assert.equal(k.status, 200);
    assert.match(k.body, /"kid"/);
    assert.equal((await fetchUrl('/keys.json', 'POST')).status, 405);
    assert.equal((await fetchUrl('/other')).status, 404);
  });

  test('every component assumes its role; another service account is refused', async () => {
    for (const r of requests) {
      const roleArn = roleOf(r);
      for (const sa of r.serviceAccountNames) {
        assert.match(
          await assume(roleArn, await token(sa, r.secretRef.namespace)),
          /^arn:aws:sts::123456789012:assumed-role\//,
          `${r.name}/${sa}`,
        );
      }
      assert.match(
        await assume(roleArn, await token('intruder', r.secretRef.namespace)),
        /^error:AccessDenied/,
      );
    }
  });

  test('a re-run is a no-op', async () => {
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    assert.deepEqual(planCounts(p), { create: 0, update: 0, unchanged: p.changes.length });
    const result = await provision(options(), new RecordingReporter(), deps());
    assert.deepEqual(result.outcome.applied, []);
  });

  test('a document removed breaks STS; plan shows it and a re-run repairs it', async () => {
    const first = requests[0];
    assert.ok(first !== undefined);
    const jwt = await token(first.serviceAccountNames[0] ?? '', first.secretRef.namespace);
    await sb.clients().s3.send(new DeleteObjectCommand({ Bucket: `${name}-oidc`, Key: 'keys.json' }));
    assert.match(await assume(roleOf(first), jwt), /^error:InvalidIdentityToken/);
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    assert.equal(findChange(p, 'jwks')?.action, 'create');
    await provision(options(), new RecordingReporter(), deps());
    assert.match(await assume(roleOf(first), jwt), /^arn:aws:sts::/);
  });

  test("the URL's auth type changed to AWS_IAM answers 403 and breaks STS; plan shows it and a re-run repairs it", async () => {
    const first = requests[0];
    assert.ok(first !== undefined);
    const jwt = await token(first.serviceAccountNames[0] ?? '', first.secretRef.namespace);
    await sb.clients().lambda.send(
      new UpdateFunctionUrlConfigCommand({
        FunctionName: `${name}-oidc`,
        AuthType: 'AWS_IAM',
        Cors: { AllowMethods: ['GET'], AllowOrigins: ['*'] },
      }),
    );
    const denied = await fetchUrl('/keys.json');
    assert.equal(denied.status, 403);
    assert.deepEqual(JSON.parse(denied.body), { Message: 'Forbidden' });
    assert.match(await assume(roleOf(first), jwt), /^error:InvalidIdentityToken/);
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    const url = findChange(p, 'function-url');
    assert.equal(url?.action, 'update');
    assert.deepEqual(
      url.fields.map((f) => [f.attribute, f.from, f.to]),
      [['authType', 'AWS_IAM', 'NONE']],
    );
    await provision(options(), new RecordingReporter(), deps());
    assert.match(await assume(roleOf(first), jwt), /^arn:aws:sts::/);
  });

  test('the public invoke statement removed answers 403; plan shows it and a re-run adds it back', async () => {
    await sb.clients().lambda.send(
      new RemovePermissionCommand({
        FunctionName: `${name}-oidc`,
        StatementId: 'FunctionURLInvokeAllowPublicAccess',
      }),
    );
    assert.equal((await fetchUrl('/keys.json')).status, 403);
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    assert.equal(
      findChange(p, 'function-permission', `${name}-oidc/FunctionURLInvokeAllowPublicAccess`)?.action,
      'create',
    );
    await provision(options(), new RecordingReporter(), deps());
    assert.equal((await fetchUrl('/keys.json')).status, 200);
  });

  test('the function code changed is shown by plan and repaired', async () => {
    await sb.clients().lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: `${name}-oidc`,
        ZipFile: Buffer.from('PK\u0005\u0006' + '\0'.repeat(18), 'latin1'),
      }),
    );
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    const fn = findChange(p, 'function');
    assert.equal(fn?.action, 'update');
    assert.deepEqual(
      fn.fields.map((f) => f.attribute),
      ['code'],
    );
    await provision(options(), new RecordingReporter(), deps());
    const again = await previewPlan(options(), new RecordingReporter(), deps());
    assert.deepEqual(planCounts(again), { create: 0, update: 0, unchanged: again.changes.length });
  });

  test('rotate-keys add publishes the next key where the function reads it', async () => {
    const before = (JSON.parse((await fetchUrl('/keys.json')).body) as { keys: unknown[] }).keys.length;
    const added = await addRotationKey(
      { name, region, outputDir: join(tmp, name), dryRun: false },
      new RecordingReporter(),
      {
        clients: sb.clients(),
      },
    );
    assert.equal(added.bucket, `${name}-oidc`);
    const after = (JSON.parse((await fetchUrl('/keys.json')).body) as { keys: unknown[] }).keys.length;
    assert.equal(after, before + 1);
  });

  test('delete removes exactly what it owns', async () => {
    const result = await deleteResources({ name, region, dryRun: false }, new RecordingReporter(), {
      clients: sb.clients(),
    });
    assert.deepEqual(result.remaining, []);
    const kinds = result.deleted.map((d) => d.kind);
    assert.deepEqual([...new Set(kinds)].sort(), [
      'bucket',
      'function',
      'function-url',
      'object',
      'oidc-provider',
      'role',
    ]);
    // Seven component roles and the function's role.
    assert.equal(kinds.filter((k) => k === 'role').length, 8);
    await assert.rejects(sb.clients().s3.send(new HeadBucketCommand({ Bucket: `${name}-oidc` })));
    await assert.rejects(sb.clients().lambda.send(new GetFunctionCommand({ FunctionName: `${name}-oidc` })), {
      name: 'ResourceNotFoundException',
    });
    const p = await previewPlan(options(), new RecordingReporter(), deps());
    assert.equal(planCounts(p).unchanged, 0);
  });
});
