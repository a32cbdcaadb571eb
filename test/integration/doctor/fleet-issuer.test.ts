import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import { fixesToApply } from '../../../src/cli/doctor-fix.js';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { provision } from '../../../src/commands/provision.js';
import { readPrivateKeyPem, renderDiscoveryDocument, type PrivateKeyInfo } from '../../../src/core/index.js';
import { isConcrete } from '../../../src/doctor/fix.js';
import type { DoctorReport } from '../../../src/doctor/report.js';
import { gatherManifestsDir } from '../../../src/doctor/gather.js';
import { runDoctor } from '../../../src/doctor/run.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDREQS, createAllOptions } from '../../helpers/provision.js';
import {
  assume,
  expectHealthy,
  expectNoContradiction,
  expectSameAnswer,
  mint,
  sandboxObserver,
} from './support.js';

/**
 * The doctor on a fleet issuer (`--shared-issuer`): two clusters provisioned under one private
 * bucket and one CloudFront distribution, then one link of cluster `fa` broken at a time where a
 * fleet member's path must appear — the bucket prefix of its documents, the discovery document,
 * the trust policy's condition keys. Each time the fleet finding comes first and predicts exactly
 * what the validating STS answers; its fix, applied verbatim with the aws CLI (no shell), makes
 * STS grant and the doctor report healthy; cluster `fb` is never touched.
 */

const run = promisify(execFile);
const REGION = 'us-east-1';
const FLEET = 'fl';
const BUCKET = `${FLEET}-oidc`;
const CR_FILE = '0000_50_cloud-credential-operator_05-iam-ro-credentialsrequest.yaml';
const NAMESPACE = 'openshift-cloud-credential-operator';
const SERVICE_ACCOUNT = 'cloud-credential-operator';
const SECRET_FILE =
  'openshift-cloud-credential-operator-cloud-credential-operator-iam-ro-creds-credentials.yaml';

let sb: Sandbox;
let tmp: string;
let observer: IdentityObserver;
let domain: string;

interface Member {
  readonly issuer: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly key: PrivateKeyInfo;
}
const members = new Map<string, Member>();

function member(name: string): Member {
  const m = members.get(name);
  assert.ok(m !== undefined, name);
  return m;
}

async function tokenOf(name: string): Promise<string> {
  const m = member(name);
  return mint(m.key, m.issuer, { namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT });
}

async function doctor(name: string, token: string): Promise<DoctorReport> {
  return runDoctor(
    {
      mode: 'token',
      components: [
        { name: 'token', serviceAccounts: [], roleArn: member(name).roleArn, tokens: [{ token }] },
      ],
    },
    { issuer: sb.issuerFetcher, aws: observer, now: () => new Date() },
  );
}

/** Everything of cluster `fb` a fix could touch: its objects (bytes and tags) and its trust policy. */
async function snapshot(name: string): Promise<string> {
  const s3 = sb.clients().s3;
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${name}/` }));
  const objects: string[] = [];
  for (const o of listed.Contents ?? []) {
    const key = o.Key ?? '';
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
    ).Body?.transformToString();
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    objects.push(`${key} ${body ?? ''} ${JSON.stringify(tags.TagSet)}`);
  }
  return JSON.stringify({ objects, trust: await trustPolicyOf(name) });
}

async function trustPolicyOf(name: string): Promise<string> {
  const role = await sb.clients().iam.send(new GetRoleCommand({ RoleName: member(name).roleName }));
  return decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '');
}

/** Applies the report's fixes as printed, each step one `aws` process; returns the argv lines. */
async function applyFixes(report: DoctorReport): Promise<string[][]> {
  const fixes = fixesToApply(report);
  assert.ok(fixes.length > 0, 'the report has fix steps');
  const dir = mkdtempSync(join(tmp, 'fix-'));
  const ran: string[][] = [];
  for (const { fix } of fixes) {
    assert.ok(isConcrete(fix), JSON.stringify(fix));
    for (const step of fix.steps) {
      assert.equal(step.kind, 'aws-cli');
      for (const f of step.files ?? []) writeFileSync(join(dir, f.name), f.content);
      await run('aws', step.argv.slice(1), {
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...sb.env() },
        cwd: dir,
      });
      ran.push([...step.argv]);
    }
  }
  return ran;
}

/** `fa` is healthy again (STS grants, no error finding) and `fb` is as it was and still works. */
async function expectFixedAndOtherUntouched(fbBefore: string): Promise<void> {
  const token = await tokenOf('fa');
  const [report, sts] = await Promise.all([doctor('fa', token), assume(sb, member('fa').roleArn, token)]);
  expectHealthy(report, sts);
  assert.equal(await snapshot('fb'), fbBefore, 'cluster fb was not touched');
  const fbToken = await tokenOf('fb');
  const [fbReport, fbSts] = await Promise.all([
    doctor('fb', fbToken),
    assume(sb, member('fb').roleArn, fbToken),
  ]);
  expectHealthy(fbReport, fbSts);
}

async function moveObject(from: string, to: string): Promise<void> {
  const s3 = sb.clients().s3;
  await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: to, CopySource: `${BUCKET}/${from}` }));
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: from }));
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'doctor-fleet-'));
  sb = await startSandbox({ region: REGION, issuerCacheTtlMs: 0 });
  observer = sandboxObserver(sb);
  const crs = join(tmp, 'credreqs');
  mkdirSync(crs);
  copyFileSync(join(AWS_CREDREQS, CR_FILE), join(crs, CR_FILE));
  for (const name of ['fa', 'fb']) {
    const result = await provision(
      createAllOptions(tmp, name, REGION, 'cloudfront', { credentialsRequestsDir: crs, sharedIssuer: FLEET }),
      new RecordingReporter(),
      { clients: sb.clients(), fetcher: sb.issuerFetcher },
    );
    const secret = readFileSync(join(tmp, name, 'manifests', SECRET_FILE), 'utf8');
    const roleArn = /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
    members.set(name, {
      issuer: result.outcome.issuer,
      roleArn,
      roleName: roleArn.split('/').at(-1) ?? '',
      key: readPrivateKeyPem(readFileSync(join(tmp, name, 'serviceaccount-signer.private'), 'utf8')),
    });
  }
  domain = new URL(member('fa').issuer).host;
  assert.equal(member('fa').issuer, `https://${domain}/fa`);
});

after(async () => {
  observer.destroy();
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the doctor on a fleet issuer', () => {
  test('both members are healthy as provisioned, and the fleet check passes', async () => {
    for (const name of ['fa', 'fb']) {
      const token = await tokenOf(name);
      const [report, sts] = await Promise.all([doctor(name, token), assume(sb, member(name).roleArn, token)]);
      expectHealthy(report, sts);
      const fleet = report.components.flatMap((c) => c.checks).find((c) => c.id === 'issuer.fleet');
      assert.equal(fleet?.outcome.status, 'pass', JSON.stringify(fleet));
    }
  });

  for (const [label, prefix] of [
    ['at the bucket root', ''],
    ['under a misspelt prefix', 'FA/'],
  ] as const) {
    test(`documents ${label}: FLEET_DOCUMENTS_OUTSIDE_PREFIX first, fixed by uploading them under fa/`, async () => {
      const fbBefore = await snapshot('fb');
      for (const doc of ['.well-known/openid-configuration', 'keys.json'])
        await moveObject(`fa/${doc}`, `${prefix}${doc}`);
      const token = await tokenOf('fa');
      const [report, sts] = await Promise.all([doctor('fa', token), assume(sb, member('fa').roleArn, token)]);
      assert.equal(sts.code, 'InvalidIdentityToken');
      expectSameAnswer(report, 'token', 'FLEET_DOCUMENTS_OUTSIDE_PREFIX', sts);
      expectNoContradiction(report);
      const first = report.components[0]?.findings[0];
      assert.match(
        first?.detail ?? '',
        new RegExp(
          `holds the issuer documents at ${prefix.replace('/', '\\/')}\\.well-known/openid-configuration and ${prefix}keys\\.json`,
        ),
      );
      assert.match(
        first?.detail ?? '',
        /STS fetches https:\/\/[^ ]+\/fa\/\.well-known\/openid-configuration, which CloudFront reads from key fa\/\.well-known\/openid-configuration/,
      );
      // Without a token the issuer group names the same cause first.
      const issuerGroup = report.components.find((c) => c.kind === 'issuer');
      assert.equal(issuerGroup?.findings[0]?.code, 'FLEET_DOCUMENTS_OUTSIDE_PREFIX');

      const ran = await applyFixes(report);
      assert.deepEqual(
        ran.map((argv) => argv.slice(0, 7)),
        [
          ['aws', 's3api', 'put-object', '--bucket', BUCKET, '--key', 'fa/.well-known/openid-configuration'],
          ['aws', 's3api', 'put-object', '--bucket', BUCKET, '--key', 'fa/keys.json'],
        ],
      );
      // The documents carry fa's ownership tag again, so `delete --shared-issuer` removes them.
      const tags = await sb
        .clients()
        .s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'fa/keys.json' }));
      assert.ok(
        tags.TagSet?.some(
          (t) => t.Key === 'openshift.io/cloud-credential-operator/fa' && t.Value === 'owned',
        ),
      );
      await expectFixedAndOtherUntouched(fbBefore);
      for (const doc of ['.well-known/openid-configuration', 'keys.json'])
        await sb.clients().s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}${doc}` }));
    });
  }

  test('a discovery document written for the domain: FLEET_DISCOVERY_WITHOUT_PATH first, fixed by re-publishing it', async () => {
    const fbBefore = await snapshot('fb');
    await sb.clients().s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'fa/.well-known/openid-configuration',
        Body: renderDiscoveryDocument(`https://${domain}`),
        ContentType: 'application/json',
      }),
    );
    const token = await tokenOf('fa');
    const [report, sts] = await Promise.all([doctor('fa', token), assume(sb, member('fa').roleArn, token)]);
    expectSameAnswer(report, 'token', 'FLEET_DISCOVERY_WITHOUT_PATH', sts);
    expectNoContradiction(report);
    const first = report.components[0]?.findings[0];
    assert.match(
      first?.detail ?? '',
      new RegExp(`names issuer https://${domain} and jwks_uri https://${domain}/keys\\.json`),
    );
    const issuerGroup = report.components.find((c) => c.kind === 'issuer');
    assert.equal(issuerGroup?.findings[0]?.code, 'FLEET_DISCOVERY_WITHOUT_PATH');
    // The 403 on https://<domain>/keys.json is the consequence, not a second cause.
    assert.equal(issuerGroup.findings.find((f) => f.code === 'JWKS_HTTP_STATUS')?.afterFirst, 'consequence');

    const ran = await applyFixes(report);
    assert.equal(ran.length, 1);
    await expectFixedAndOtherUntouched(fbBefore);
    const body = await (
      await sb
        .clients()
        .s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'fa/.well-known/openid-configuration' }))
    ).Body?.transformToString();
    assert.equal(body, renderDiscoveryDocument(member('fa').issuer));
  });

  test('only the discovery issuer field without the path: STS grants, the fleet warning comes first and its fix applies', async () => {
    const fbBefore = await snapshot('fb');
    const doc = JSON.parse(renderDiscoveryDocument(member('fa').issuer)) as Record<string, unknown>;
    doc['issuer'] = `https://${domain}`;
    await sb.clients().s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'fa/.well-known/openid-configuration',
        Body: JSON.stringify(doc),
        ContentType: 'application/json',
      }),
    );
    const token = await tokenOf('fa');
    const [report, sts] = await Promise.all([doctor('fa', token), assume(sb, member('fa').roleArn, token)]);
    expectHealthy(report, sts);
    const issuerGroup = report.components.find((c) => c.kind === 'issuer');
    const first = issuerGroup?.findings[0];
    assert.equal(first?.code, 'FLEET_DISCOVERY_WITHOUT_PATH');
    assert.equal(first.severity, 'warning');
    assert.equal(first.predictedError, undefined);
    assert.match(first.detail, /STS still gets the keys/);
    // The generic finding says the same thing, never the opposite.
    assert.ok(
      issuerGroup?.findings.some((f) => f.code === 'DISCOVERY_ISSUER_MISMATCH' && f.severity === 'warning'),
    );

    // A warning is not applied by `--fix`; its steps, run as printed, clear it.
    const dir = mkdtempSync(join(tmp, 'warn-'));
    for (const step of first.remedy?.steps ?? []) {
      for (const f of step.files ?? []) writeFileSync(join(dir, f.name), f.content);
      await run('aws', step.argv.slice(1), {
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...sb.env() },
        cwd: dir,
      });
    }
    const again = await doctor('fa', await tokenOf('fa'));
    assert.deepEqual(
      again.components.flatMap((c) => c.findings.map((f) => f.code)),
      [],
    );
    assert.equal(await snapshot('fb'), fbBefore, 'cluster fb was not touched');
  });

  const extraSubject = `system:serviceaccount:${NAMESPACE}:another`;

  /** Rewrites fa's trust policy with `<domain>:sub`/`:aud`, one more subject and one more statement. */
  async function breakConditionKeys(): Promise<{ Statement: unknown[] }> {
    const good = JSON.parse(await trustPolicyOf('fa')) as { Statement: Record<string, unknown>[] };
    const providerArn = (good.Statement[0]?.['Principal'] as { Federated: string }).Federated;
    const broken = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: providerArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${domain}:sub`]: [`system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`, extraSubject],
              [`${domain}:aud`]: 'openshift',
            },
          },
        },
        {
          Sid: 'Kept',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    await sb.clients().iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: member('fa').roleName,
        PolicyDocument: JSON.stringify(broken),
      }),
    );
    return broken;
  }

  /** After the fix the keys carry the path; every subject, value and other statement is as it was. */
  async function expectKeysFixed(broken: { Statement: unknown[] }): Promise<void> {
    const fixed = JSON.parse(await trustPolicyOf('fa')) as {
      Statement: [{ Condition: { StringEquals: unknown } }, unknown];
    };
    assert.deepEqual(fixed.Statement[0].Condition.StringEquals, {
      [`${domain}/fa:sub`]: [`system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`, extraSubject],
      [`${domain}/fa:aud`]: 'openshift',
    });
    assert.deepEqual(fixed.Statement[1], broken.Statement[1]);
  }

  test('trust-policy condition keys without the path: FLEET_CONDITION_KEY_WITHOUT_PATH first, fixed keeping other statements and subjects', async () => {
    const fbBefore = await snapshot('fb');
    const broken = await breakConditionKeys();
    const token = await tokenOf('fa');
    const [report, sts] = await Promise.all([doctor('fa', token), assume(sb, member('fa').roleArn, token)]);
    assert.equal(sts.code, 'AccessDenied');
    expectSameAnswer(report, 'token', 'FLEET_CONDITION_KEY_WITHOUT_PATH', sts);
    expectNoContradiction(report);
    const first = report.components[0]?.findings[0];
    assert.match(
      first?.detail ?? '',
      new RegExp(`tests StringEquals ${domain}:sub, but STS evaluates ${domain}/fa:sub`),
    );
    assert.match(
      first?.detail ?? '',
      new RegExp(`tests StringEquals ${domain}:aud, but STS evaluates ${domain}/fa:aud`),
    );

    const ran = await applyFixes(report);
    assert.deepEqual(
      ran.map((argv) => argv.slice(0, 5)),
      [['aws', 'iam', 'update-assume-role-policy', '--role-name', member('fa').roleName]],
    );
    await expectFixedAndOtherUntouched(fbBefore);
    await expectKeysFixed(broken);
  });

  test('from exported manifests (no token): the role check names the keys without the path, and its fix applies', async () => {
    const fbBefore = await snapshot('fb');
    const broken = await breakConditionKeys();
    const dir = mkdtempSync(join(tmp, 'manifests-'));
    cpSync(join(tmp, 'fa', 'manifests'), dir, { recursive: true });
    copyFileSync(join(tmp, 'credreqs', CR_FILE), join(dir, CR_FILE));
    const manifestsDoctor = async (): Promise<DoctorReport> =>
      runDoctor(await gatherManifestsDir(dir), {
        issuer: sb.issuerFetcher,
        aws: observer,
        now: () => new Date(),
      });
    const report = await manifestsDoctor();
    const group = report.components.find((c) => c.roleArn === member('fa').roleArn);
    const first = group?.findings[0];
    assert.equal(
      first?.code,
      'FLEET_CONDITION_KEY_WITHOUT_PATH',
      JSON.stringify(group?.findings.map((f) => f.code)),
    );
    assert.match(
      first.detail,
      new RegExp(`tests StringEquals ${domain}:sub, but STS evaluates ${domain}/fa:sub`),
    );
    assert.ok(!group?.findings.some((f) => f.code === 'TRUST_POLICY_DENIES'), 'one finding names the cause');
    // What it predicts is what STS answers a token of the service account.
    const sts = await assume(sb, member('fa').roleArn, await tokenOf('fa'));
    assert.deepEqual(first.predictedError, { code: sts.code, status: sts.status, message: sts.message });
    expectNoContradiction(report);

    await applyFixes(report);
    await expectFixedAndOtherUntouched(fbBefore);
    await expectKeysFixed(broken);
    const again = await manifestsDoctor();
    const fixedGroup = again.components.find((c) => c.roleArn === member('fa').roleArn);
    assert.deepEqual(
      fixedGroup?.findings.filter((f) => f.severity === 'error'),
      [],
    );
  });
});
