import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UntagRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { previewPlan, provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { planCounts } from '../../../src/aws/plan.js';
import {
  buildJwks,
  mintServiceAccountToken,
  readPrivateKeyPem,
  readPublicKeyPem,
  renderJwks,
} from '../../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDENTIALS_REQUESTS as requests, createAllOptions } from '../../helpers/provision.js';
import { sdkAssume } from '../../helpers/web-identity.js';

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';

const options = (name: string, extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'public', extra);

async function assumeAs(roleArn: string, token: string): Promise<string> {
  const a = await sdkAssume(sb, roleArn, token);
  if (a.ok) return a.arn;
  return a.name === 'AccessDenied' ? 'error:AccessDenied' : `error:${a.name}: ${a.message}`;
}

/** Every component's service accounts assume its role; another account of the namespace is refused. */
async function assertEveryComponentAssumes(
  name: string,
  issuer: string,
  roleArns: ReadonlyMap<string, string>,
): Promise<void> {
  const key = readPrivateKeyPem(readFileSync(join(tmp, name, 'serviceaccount-signer.private'), 'utf8'));
  assert.equal(roleArns.size, 7);
  // The validating STS caches IAM for 5 s, as IAM itself is eventually consistent: a provider
  // created a moment ago may not be visible yet. The test waits that out at once.
  sb.sts.invalidateCaches();
  for (const r of requests) {
    const secretFile = readFileSync(
      join(tmp, name, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
      'utf8',
    );
    const roleArn = /role_arn = (\S+)/.exec(secretFile)?.[1] ?? '';
    assert.ok([...roleArns.values()].includes(roleArn), `${r.name}: Secret names a provisioned role`);
    for (const sa of r.serviceAccountNames) {
      const token = await mintServiceAccountToken({
        issuer,
        namespace: r.secretRef.namespace,
        serviceAccount: sa,
        privateKey: key.key,
        kid: key.publicKey.kid,
      });
      assert.match(
        await assumeAs(roleArn, token),
        /^arn:aws:sts::123456789012:assumed-role\//,
        `${r.name}/${sa}`,
      );
    }
    const intruder = await mintServiceAccountToken({
      issuer,
      namespace: r.secretRef.namespace,
      serviceAccount: 'intruder',
      privateKey: key.key,
      kid: key.publicKey.kid,
    });
    assert.equal(
      await assumeAs(roleArn, intruder),
      'error:AccessDenied',
      `${r.name}: another service account is denied`,
    );
  }
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-provision-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('create-all with public S3 hosting', () => {
  const name = 'pub';
  let issuer: string;

  test('provisions all 7 real requests; every component assumes its role; others are denied', async () => {
    const clients = sb.clients();
    const result = await provision(options(name), new RecordingReporter(), {
      clients,
      fetcher: sb.issuerFetcher,
    });
    issuer = result.outcome.issuer;
    assert.equal(issuer, 'https://pub-oidc.s3.us-east-1.amazonaws.com');
    assert.deepEqual(planCounts(result.outcome.final), {
      create: 0,
      update: 0,
      unchanged: planCounts(result.outcome.final).unchanged,
    });
    assert.match(
      readFileSync(join(tmp, name, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      /serviceAccountIssuer: https:\/\/pub-oidc/,
    );
    await assertEveryComponentAssumes(name, issuer, result.outcome.roleArns);
  });

  test('a second run changes nothing', async () => {
    const result = await provision(options(name), new RecordingReporter(), {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    });
    const counts = planCounts(result.outcome.initial);
    assert.equal(
      counts.create + counts.update,
      0,
      JSON.stringify(result.outcome.initial.changes.filter((c) => c.action !== 'unchanged')),
    );
    assert.equal(result.outcome.applied.length, 0);
  });

  test('drift (edited trust policy, deleted tag, foreign keys.json) is planned exactly, then repaired with keys merged', async () => {
    const clients = sb.clients();
    const roleName = 'pub-openshift-ingress-operator-cloud-credentials';
    await clients.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: roleName,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/other' },
              Action: 'sts:AssumeRoleWithWebIdentity',
            },
          ],
        }),
      }),
    );
    await clients.iam.send(
      new UntagRoleCommand({
        RoleName: 'pub-openshift-machine-api-aws-cloud-credentials',
        TagKeys: ['Name'],
      }),
    );
    const otherKey = readPublicKeyPem(
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    );
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: 'pub-oidc',
        Key: 'keys.json',
        Body: renderJwks(buildJwks([otherKey])),
        ContentType: 'application/json',
      }),
    );

    const p = await previewPlan(options(name), new RecordingReporter(), {
      clients,
      fetcher: sb.issuerFetcher,
    });
    const changed = p.changes
      .filter((c) => c.action !== 'unchanged')
      .map((c) => [c.kind, c.id, [...new Set(c.fields.map((f) => f.field.split(':')[0]))].sort().join(',')]);
    assert.deepEqual(changed, [
      ['jwks', 'pub-oidc/keys.json', 'keys (kids)'],
      ['role', 'pub-openshift-machine-api-aws-cloud-credentials', 'tags'],
      ['role', roleName, 'trust'],
    ]);

    const result = await provision(options(name), new RecordingReporter(), {
      clients,
      fetcher: sb.issuerFetcher,
    });
    assert.equal(result.outcome.applied.length, 3);
    const after = await previewPlan(options(name), new RecordingReporter(), {
      clients,
      fetcher: sb.issuerFetcher,
    });
    assert.equal(after.changes.filter((c) => c.action !== 'unchanged').length, 0);
    const ours = readPublicKeyPem(readFileSync(join(tmp, name, 'serviceaccount-signer.public'), 'utf8'));
    const published = JSON.parse(
      await (
        await clients.s3.send(
          new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: 'pub-oidc', Key: 'keys.json' }),
        )
      ).Body!.transformToString(),
    ) as { keys: { kid: string }[] };
    assert.deepEqual(
      published.keys.map((k) => k.kid),
      [otherKey.kid, ours.kid],
      'merged, never shrunk',
    );
    await assertEveryComponentAssumes(name, issuer, result.outcome.roleArns);
  });
});

describe('create-all with a private bucket behind CloudFront (OAC)', () => {
  const name = 'cf';
  test('provisions; every component assumes its role through the distribution; re-run keeps the issuer', async () => {
    const result = await provision(options(name, { hosting: 'cloudfront' }), new RecordingReporter(), {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    });
    assert.match(result.outcome.issuer, /^https:\/\/[a-z0-9]+\.cloudfront\.net$/);
    await assertEveryComponentAssumes(name, result.outcome.issuer, result.outcome.roleArns);
    const again = await provision(options(name, { hosting: 'cloudfront' }), new RecordingReporter(), {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    });
    assert.equal(again.outcome.issuer, result.outcome.issuer);
    assert.equal(
      again.outcome.applied.length,
      0,
      JSON.stringify(again.outcome.initial.changes.filter((c) => c.action !== 'unchanged')),
    );
  });
});
