import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  PutObjectCommand,
  PutBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { CreateOpenIDConnectProviderCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import { ensureOidcProvider, ensureRole, makeBucketPrivate } from '../../../src/aws/operations.js';
import {
  buildJwks,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  trustPolicy,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { fixesToApply } from '../../../src/cli/doctor-fix.js';
import { isConcrete } from '../../../src/doctor/fix.js';
import { runDoctor } from '../../../src/doctor/run.js';
import type { DoctorReport } from '../../../src/doctor/report.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import {
  NS,
  PERMISSIONS,
  REGION,
  SA,
  assume,
  expectHealthy,
  expectNoContradiction,
  mint,
  publicIssuer,
  rsaKey,
  sandboxObserver,
} from './support.js';

/**
 * The doctor's fixes fix: for each fault, the printed steps are applied verbatim with the real aws
 * CLI against the sandbox (`execFile('aws', argv.slice(1))`, no shell), then the validating STS
 * grants and the doctor reports healthy. Also: an issuer published with public-read object ACLs
 * (ccoctl ≤ 4.12) is healthy.
 */

const run = promisify(execFile);
let sb: Sandbox;
let aws: AwsClients;
let observer: IdentityObserver;
let key: PrivateKeyInfo;
let dir: string;

function doctor(roleArn: string, token: string): Promise<DoctorReport> {
  return runDoctor(
    { mode: 'token', components: [{ name: 'token', serviceAccounts: [], roleArn, tokens: [{ token }] }] },
    { issuer: sb.issuerFetcher, aws: observer, now: () => new Date() },
  );
}

/** Applies every fix of the report's error findings as printed; returns the argv lines run. */
async function applyFixes(report: DoctorReport): Promise<string[][]> {
  const fixes = fixesToApply(report);
  assert.ok(
    fixes.length > 0,
    `no fix steps: ${JSON.stringify(report.components.map((c) => c.findings.map((f) => f.code)))}`,
  );
  const ran: string[][] = [];
  for (const { fix } of fixes) {
    assert.ok(isConcrete(fix), JSON.stringify(fix));
    for (const step of fix.steps) {
      assert.equal(step.kind, 'aws-cli');
      for (const f of step.files ?? []) await writeFile(join(dir, f.name), f.content);
      await run('aws', step.argv.slice(1), {
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...sb.env() },
        cwd: dir,
      });
      ran.push([...step.argv]);
    }
  }
  return ran;
}

async function fixedAndHealthy(roleArn: string, token: string): Promise<string[][]> {
  const broken = await doctor(roleArn, token);
  assert.equal(broken.summary.healthy, false);
  expectNoContradiction(broken);
  const ran = await applyFixes(broken);
  const [report, sts] = await Promise.all([doctor(roleArn, token), assume(sb, roleArn, token)]);
  expectHealthy(report, sts);
  return ran;
}

before(async () => {
  key = rsaKey();
  sb = await startSandbox({ region: REGION });
  aws = sb.clients();
  observer = sandboxObserver(sb);
  dir = await mkdtemp(join(tmpdir(), 'doctor-fix-'));
});

after(async () => {
  observer.destroy();
  await sb.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('doctor fixes applied verbatim with the aws CLI', () => {
  test('an issuer published with public-read object ACLs and no bucket policy is healthy', async () => {
    const bucket = 'acl-oidc';
    const url = `https://${bucket}.s3.${REGION}.amazonaws.com`;
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await aws.s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    await aws.s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
      }),
    );
    for (const [k, body] of [
      ['.well-known/openid-configuration', renderDiscoveryDocument(url)],
      ['keys.json', renderJwks(buildJwks([key.publicKey]))],
    ] as const) {
      await aws.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: k,
          Body: body,
          ACL: 'public-read',
          ContentType: 'application/json',
        }),
      );
    }
    const provider = await ensureOidcProvider(aws, url);
    const role = await ensureRole(aws, {
      roleName: 'acl-role',
      description: 'test',
      trustPolicy: renderPolicy(trustPolicy(provider.arn, `${bucket}.s3.${REGION}.amazonaws.com`, NS, [SA])),
      permissionsPolicy: PERMISSIONS,
      tags: [],
    });
    const token = await mint(key, url);
    const [report, sts] = await Promise.all([doctor(role.arn, token), assume(sb, role.arn, token)]);
    expectHealthy(report, sts);
    const hosting = report.components
      .find((c) => c.kind === 'issuer')
      ?.checks.find((c) => c.id === 'issuer.hosting');
    assert.equal(hosting?.outcome.status, 'pass');
    assert.match(hosting.outcome.detail, /object ACL grant/);
  });

  test('trust policy without the subject: the edit adds it and keeps the other service account', async () => {
    const issuer = await publicIssuer(aws, key, 'subfix', { serviceAccounts: [SA, 'other'] });
    const token = await mint(key, issuer.url, { serviceAccount: 'intruder' });
    const ran = await fixedAndHealthy(issuer.roleArn, token);
    assert.deepEqual(
      ran.map((a) => a.slice(1, 3)),
      [['iam', 'update-assume-role-policy']],
    );
    for (const sa of [SA, 'other'])
      assert.equal(
        (await assume(sb, issuer.roleArn, await mint(key, issuer.url, { serviceAccount: sa }))).status,
        200,
      );
  });

  test("an audience not among the provider's client IDs: the fix registers it and lets the role accept it", async () => {
    const issuer = await publicIssuer(aws, key, 'audfix');
    const token = await mint(key, issuer.url, { audiences: ['sts.amazon.com'] });
    const ran = await fixedAndHealthy(issuer.roleArn, token);
    assert.deepEqual(ran[0]?.slice(1, 3), ['iam', 'add-client-id-to-open-id-connect-provider']);
  });

  test('a URL audience (GitLab style): the client ID travels in --cli-input-json, which aws CLI v1 does not fetch', async () => {
    const issuer = await publicIssuer(aws, key, 'audurlfix');
    const token = await mint(key, issuer.url, { audiences: ['https://gitlab.audurl.example.com'] });
    const ran = await fixedAndHealthy(issuer.roleArn, token);
    assert.deepEqual(ran[0]?.slice(1, 4), [
      'iam',
      'add-client-id-to-open-id-connect-provider',
      '--cli-input-json',
    ]);
  });

  test('a path-style issuer in the token: the fix creates its provider and points the role at it', async () => {
    const issuer = await publicIssuer(aws, key, 'pathfix');
    const token = await mint(key, `https://s3.${REGION}.amazonaws.com/pathfix-oidc`);
    const ran = await fixedAndHealthy(issuer.roleArn, token);
    assert.equal(ran[0]?.[2], 'create-open-id-connect-provider');
  });

  test("a self-hosted issuer on a private CA with a wrong thumbprint: the fix pins the chain's top CA", async () => {
    const host = 'oidc.thumbfix.example';
    const url = `https://${host}`;
    const json = { 'content-type': 'application/json' };
    sb.edge.setStaticSite({
      host,
      ca: 'private',
      routes: {
        '/.well-known/openid-configuration': { body: renderDiscoveryDocument(url), headers: json },
        '/keys.json': { body: renderJwks(buildJwks([key.publicKey])), headers: json },
      },
    });
    const wrong = await aws.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: url,
        ClientIDList: ['openshift'],
        ThumbprintList: ['0'.repeat(40)],
      }),
    );
    const providerArn = wrong.OpenIDConnectProviderArn ?? '';
    const role = await ensureRole(aws, {
      roleName: 'thumbfix-role',
      description: 'test',
      trustPolicy: renderPolicy(trustPolicy(providerArn, host, NS, [SA])),
      permissionsPolicy: PERMISSIONS,
      tags: [],
    });
    const token = await mint(key, url);
    const broken = await doctor(role.arn, token);
    const first = broken.components.find((c) => c.name === 'token')?.findings[0];
    assert.equal(first?.code, 'THUMBPRINT_MISMATCH');
    // The explanation names the pinned thumbprint and the certificate that would be pinned.
    assert.match(first.detail, new RegExp(`pins ${'0'.repeat(40)} \\(no certificate the issuer serves\\)`));
    assert.match(first.detail, new RegExp(`would pin .*\\(SHA-1 ${sb.cas.private.intermediateSha1}\\)`));
    const ran = await fixedAndHealthy(role.arn, token);
    assert.deepEqual(ran, [
      [
        'aws',
        'iam',
        'update-open-id-connect-provider-thumbprint',
        '--open-id-connect-provider-arn',
        providerArn,
        '--thumbprint-list',
        sb.cas.private.intermediateSha1,
      ],
    ]);
  });

  test('an expired token: nothing to apply in AWS, and the fix says so', async () => {
    const issuer = await publicIssuer(aws, key, 'expfix');
    const report = await doctor(
      issuer.roleArn,
      await mint(key, issuer.url, { now: new Date(Date.now() - 2 * 3600 * 1000) }),
    );
    const first = report.components[0]?.findings[0];
    assert.equal(first?.code, 'TOKEN_EXPIRED');
    assert.deepEqual(first.remedy?.steps, []);
    assert.match(first.remedy.summary, /^Nothing in AWS is wrong: .*Re-read the token file/);
    assert.deepEqual(fixesToApply(report), []);
  });

  test('a moved issuer: the fix creates the provider and lets the role trust it', async () => {
    const old = await publicIssuer(aws, key, 'movedold');
    const moved = await publicIssuer(aws, key, 'movednew');
    const token = await mint(key, moved.url);
    // The role of the old issuer is the one the workload uses; the new issuer has no provider.
    await run(
      'aws',
      ['iam', 'delete-open-id-connect-provider', '--open-id-connect-provider-arn', moved.providerArn],
      { env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...sb.env() } },
    );
    const ran = await fixedAndHealthy(old.roleArn, token);
    assert.equal(ran[0]?.[2], 'create-open-id-connect-provider');
    // The role still lets the old issuer's tokens in.
    assert.equal((await assume(sb, old.roleArn, await mint(key, old.url))).status, 200);
  });

  test("a private bucket: the fix grants anonymous reads of the two documents in the bucket's region", async () => {
    const issuer = await publicIssuer(aws, key, 'privfix');
    await makeBucketPrivate(aws, 'privfix-oidc');
    const ran = await fixedAndHealthy(issuer.roleArn, await mint(key, issuer.url));
    assert.ok(ran.every((a) => a.slice(-2).join(' ') === `--region ${REGION}`));
  });

  test('a token signed by an unpublished key: no aws step can fix it, the fix names the stsctl step', async () => {
    const issuer = await publicIssuer(aws, key, 'kidfix');
    const report = await doctor(issuer.roleArn, await mint(rsaKey(), issuer.url));
    const first = report.components[0]?.findings[0];
    assert.equal(first?.code, 'TOKEN_KID_NOT_IN_JWKS');
    assert.equal(first.remedy, undefined);
    assert.match(first.fix.join('\n'), /stsctl create-identity-provider .*--public-key-file/);
  });
});
