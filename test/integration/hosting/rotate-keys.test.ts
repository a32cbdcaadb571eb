import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { addRotationKey, retireRotationKeys, type RotateCommon } from '../../../src/commands/rotate-keys.js';
import { mintServiceAccountToken, readPrivateKeyPem, type PrivateKeyInfo } from '../../../src/core/index.js';
import type { StsctlError } from '../../../src/core/errors.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { startIssuerServer, type IssuerServer } from '../../../src/serve/index.js';
import { AWS_CREDENTIALS_REQUESTS as requests, createAllOptions } from '../../helpers/provision.js';
import { sdkAssume } from '../../helpers/web-identity.js';

/**
 * `rotate-keys add | retire` on the two hostings whose keys.json is not `<name>-oidc/keys.json`:
 * a fleet member (`<fleet>-oidc/<cluster>/keys.json`, served by the fleet's distribution) and a
 * self-hosted issuer (`<output-dir>/issuer/keys.json`, served by `stsctl serve`). The validating
 * STS fetches each issuer as AWS would, so "both keys verify" and "the retired key is refused"
 * are STS's answers, not a reading of the file.
 */

const region = 'us-east-1';

/** STS's answer to a token whose kid the issuer's JWKS no longer holds (aws-sts-oidc.md §2). */
const NO_VERIFICATION_KEY =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

let sb: Sandbox;
let tmp: string;

const request = requests[0];
assert.ok(request !== undefined);
const serviceAccount = request.serviceAccountNames[0] ?? '';

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-rotate-hostings-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const provisionOptions = (name: string, extra: Partial<ProvisionOptions>) =>
  createAllOptions(tmp, name, region, 'public', extra);

const provisionDeps = () => ({ clients: sb.clients(), fetcher: sb.issuerFetcher });

/** The role the first component's Secret in `outputDir` names. */
function roleOf(outputDir: string): string {
  const secret = readFileSync(
    join(
      outputDir,
      'manifests',
      `${request?.secretRef.namespace}-${request?.secretRef.name}-credentials.yaml`,
    ),
    'utf8',
  );
  return /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
}

const keyIn = (file: string): PrivateKeyInfo => readPrivateKeyPem(readFileSync(file, 'utf8'));

/** STS's answer to a token of the first component signed by `key` for `issuer`. */
async function assume(issuer: string, roleArn: string, key: PrivateKeyInfo): Promise<string> {
  sb.sts.invalidateCaches();
  const token = await mintServiceAccountToken({
    issuer,
    namespace: request?.secretRef.namespace ?? '',
    serviceAccount,
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
  const a = await sdkAssume(sb, roleArn, token, 'rotate');
  return a.ok ? 'assumed' : `${a.code}: ${a.message}`;
}

const refused = (code: string, re: RegExp) => (e: unknown) => {
  const err = e as StsctlError;
  assert.equal(err.code, code, err.message);
  assert.match(err.message, re);
  return true;
};

const kidsOf = (jwks: string): string[] =>
  (JSON.parse(jwks) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe('a fleet member (--shared-issuer)', () => {
  const FLEET = 'rfleet';
  const BUCKET = `${FLEET}-oidc`;
  let issuerOf: (cluster: string) => string;
  const out = (cluster: string): string => join(tmp, cluster);
  const rotation = (extra: Partial<RotateCommon> = {}): RotateCommon => ({
    name: 'ra',
    region,
    outputDir: out('ra'),
    dryRun: false,
    sharedIssuer: FLEET,
    ...extra,
  });
  const deps = () => ({ clients: sb.clients() });

  async function object(key: string): Promise<{ body: string; contentType: string; tags: string[] }> {
    const s3 = sb.clients().s3;
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    return {
      body: (await got.Body?.transformToString()) ?? '',
      contentType: got.ContentType ?? '',
      tags: (tagging.TagSet ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
    };
  }

  async function bucketKeys(): Promise<string[]> {
    const listed = await sb.clients().s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  let oldKey: PrivateKeyInfo;
  let newKey: PrivateKeyInfo;
  let written: Awaited<ReturnType<typeof object>>;
  let otherCluster: Awaited<ReturnType<typeof object>>;
  let objectsBefore: string[];

  test('two clusters join the fleet', async () => {
    const extra = { hosting: 'cloudfront' as const, sharedIssuer: FLEET };
    const a = await provision(provisionOptions('ra', extra), new RecordingReporter(), provisionDeps());
    await provision(provisionOptions('rb', extra), new RecordingReporter(), provisionDeps());
    const domain = a.outcome.distribution?.domainName ?? '';
    issuerOf = (cluster) => `https://${domain}/${cluster}`;
    oldKey = keyIn(join(out('ra'), 'serviceaccount-signer.private'));
    written = await object('ra/keys.json');
    otherCluster = await object('rb/keys.json');
    objectsBefore = await bucketKeys();
    assert.equal(await assume(issuerOf('ra'), roleOf(out('ra')), oldKey), 'assumed');
  });

  test('add --dry-run changes nothing in the bucket or on disk', async () => {
    const dry = await addRotationKey(rotation({ dryRun: true }), new RecordingReporter(), deps());
    assert.equal(dry.location, `s3://${BUCKET}/ra/keys.json`);
    assert.deepEqual(dry.after, [oldKey.publicKey.kid, '(new key)']);
    assert.deepEqual(await object('ra/keys.json'), written);
    assert.equal(existsSync(join(out('ra'), 'next')), false);
  });

  test('add publishes the new key in ra/keys.json only, as the fleet applier writes it; both keys assume', async () => {
    const added = await addRotationKey(rotation(), new RecordingReporter(), deps());
    newKey = keyIn(join(out('ra'), 'next', 'serviceaccount-signer.private'));
    assert.equal(added.bucket, BUCKET);
    assert.deepEqual(added.after, [oldKey.publicKey.kid, newKey.publicKey.kid]);
    const now = await object('ra/keys.json');
    assert.deepEqual(kidsOf(now.body), [oldKey.publicKey.kid, newKey.publicKey.kid]);
    // Content type and ownership tags as the fleet applier wrote them: the cluster's own tag.
    assert.equal(now.contentType, written.contentType);
    assert.deepEqual(now.tags, written.tags);
    assert.deepEqual(now.tags, ['Name=ra', 'openshift.io/cloud-credential-operator/ra=owned']);
    assert.deepEqual(
      await object('rb/keys.json'),
      otherCluster,
      "the other cluster's keys.json is untouched",
    );
    assert.deepEqual(await bucketKeys(), objectsBefore, 'no object added at the root or elsewhere');

    assert.equal(await assume(issuerOf('ra'), roleOf(out('ra')), oldKey), 'assumed');
    assert.equal(await assume(issuerOf('ra'), roleOf(out('ra')), newKey), 'assumed');
  });

  test('retire --dry-run changes nothing; retire refuses the old key the AWS way and keeps the new', async () => {
    const before = await object('ra/keys.json');
    const dry = await retireRotationKeys(
      { ...rotation({ dryRun: true }), kids: [oldKey.publicKey.kid] },
      new RecordingReporter(),
      deps(),
    );
    assert.deepEqual(dry.after, [newKey.publicKey.kid]);
    assert.deepEqual(await object('ra/keys.json'), before);
    assert.equal(existsSync(join(out('ra'), 'next')), true, 'no promotion in a dry run');

    const retired = await retireRotationKeys(
      { ...rotation(), kids: [oldKey.publicKey.kid] },
      new RecordingReporter(),
      deps(),
    );
    assert.equal(retired.retiredTo, join(out('ra'), 'retired', oldKey.publicKey.kid));
    const now = await object('ra/keys.json');
    assert.deepEqual(kidsOf(now.body), [newKey.publicKey.kid]);
    assert.deepEqual(now.tags, written.tags);
    assert.deepEqual(
      await object('rb/keys.json'),
      otherCluster,
      "the other cluster's keys.json is untouched",
    );

    assert.equal(
      await assume(issuerOf('ra'), roleOf(out('ra')), oldKey),
      `InvalidIdentityToken: ${NO_VERIFICATION_KEY}`,
    );
    assert.equal(await assume(issuerOf('ra'), roleOf(out('ra')), newKey), 'assumed');
    // The other cluster never noticed.
    const rbKey = keyIn(join(out('rb'), 'serviceaccount-signer.private'));
    assert.equal(await assume(issuerOf('rb'), roleOf(out('rb')), rbKey), 'assumed');
  });

  test('flags that name no fleet member are refused before anything changes', async () => {
    const before = await object('ra/keys.json');
    const outputDir = join(tmp, 'nobody');
    await assert.rejects(
      addRotationKey(rotation({ hosting: 'public', outputDir }), new RecordingReporter(), deps()),
      refused('INVALID_HOSTING', /--shared-issuer needs --hosting cloudfront .*got --hosting public/),
    );
    await assert.rejects(
      addRotationKey(rotation({ hosting: 'self', outputDir }), new RecordingReporter(), deps()),
      refused('INVALID_HOSTING', /got --hosting self/),
    );
    await assert.rejects(
      addRotationKey(rotation({ name: FLEET, outputDir }), new RecordingReporter(), deps()),
      refused('INVALID_SHARED_ISSUER', /--name "rfleet" is the fleet's own name/),
    );
    await assert.rejects(
      addRotationKey(rotation({ sharedIssuer: 'nofleet', outputDir }), new RecordingReporter(), deps()),
      refused(
        'FLEET_NOT_FOUND',
        /no fleet issuer "nofleet" in us-east-1: the bucket nofleet-oidc does not exist or is not tagged stsctl\.io\/shared-issuer=nofleet/,
      ),
    );
    await assert.rejects(
      addRotationKey(rotation({ name: 'rc', outputDir }), new RecordingReporter(), deps()),
      (e: unknown) => {
        refused('NO_PUBLISHED_KEYS', /^no rc\/keys\.json is published in the bucket rfleet-oidc$/)(e);
        assert.match(
          (e as StsctlError).hint ?? '',
          /stsctl create-identity-provider --name rc --region us-east-1 --hosting cloudfront --shared-issuer rfleet/,
        );
        return true;
      },
    );
    assert.deepEqual(await object('ra/keys.json'), before);
    assert.equal(existsSync(outputDir), false, 'no key generated or written');
  });
});

describe('a self-hosted issuer (--hosting self) served by stsctl serve', () => {
  const HOST = 'oidc.rotate.example.test';
  const ISSUER = `https://${HOST}/rs`;
  const outputDir = (): string => join(tmp, 'rs');
  const jwksFile = (): string => join(outputDir(), 'issuer', 'keys.json');
  // AWS pointed at a closed port: a self-hosted rotation must make no AWS call at all.
  const noAws = {
    env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
  };
  const rotation = (extra: Partial<RotateCommon> = {}): RotateCommon => ({
    name: 'rs',
    outputDir: outputDir(),
    dryRun: false,
    hosting: 'self',
    ...extra,
  });
  let server: IssuerServer | undefined;
  let oldKey: PrivateKeyInfo;
  let newKey: PrivateKeyInfo;

  after(async () => {
    await server?.shutdown(1000);
  });

  /** Waits until the server serves `kids` (it re-reads its files every 100 ms here). */
  async function servedKids(kids: string[]): Promise<void> {
    const deadline = Date.now() + 10_000;
    let last: string[] = [];
    while (Date.now() < deadline) {
      const seen = await sb.issuerFetcher.fetch(`${ISSUER}/keys.json`);
      if (seen.ok) {
        last = kidsOf(seen.body);
        if (JSON.stringify(last) === JSON.stringify(kids)) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the server still serves ${last.join(', ')}, not ${kids.join(', ')}`);
  }

  test('the issuer is set up: documents written, served with a private CA, thumbprint pinned', async () => {
    const o = provisionOptions('rs', { hosting: 'self', issuerUrl: ISSUER });
    await provision(o, new RecordingReporter(), provisionDeps());
    const leaf = await sb.cas.private.issueLeaf({ dnsNames: [HOST] });
    const tls = mkdtempSync(join(tmp, 'tls-'));
    writeFileSync(join(tls, 'tls.crt'), leaf.chainPem);
    writeFileSync(join(tls, 'tls.key'), leaf.keyPem);
    server = await startIssuerServer({
      issuerDir: join(outputDir(), 'issuer'),
      certFile: join(tls, 'tls.crt'),
      keyFile: join(tls, 'tls.key'),
      port: 0,
      pollIntervalMs: 100,
      accessLog: 'none',
    });
    sb.hostRoutes.set(HOST, { host: '127.0.0.1', port: server.port });
    await provision(o, new RecordingReporter(), provisionDeps());
    oldKey = keyIn(join(outputDir(), 'serviceaccount-signer.private'));
    assert.equal(await assume(ISSUER, roleOf(outputDir()), oldKey), 'assumed');
  });

  test('add --dry-run changes nothing', async () => {
    const before = readFileSync(jwksFile(), 'utf8');
    const dry = await addRotationKey(rotation({ dryRun: true }), new RecordingReporter(), noAws);
    assert.equal(dry.location, jwksFile());
    assert.equal(dry.bucket, undefined);
    assert.deepEqual(dry.after, [oldKey.publicKey.kid, '(new key)']);
    assert.equal(readFileSync(jwksFile(), 'utf8'), before);
    assert.equal(existsSync(join(outputDir(), 'next')), false);
  });

  test('add merges the new key into issuer/keys.json with no AWS call; once served, both keys assume', async () => {
    const added = await addRotationKey(rotation(), new RecordingReporter(), noAws);
    newKey = keyIn(join(outputDir(), 'next', 'serviceaccount-signer.private'));
    assert.equal(added.publishAt, `${ISSUER}/keys.json`);
    assert.deepEqual(kidsOf(readFileSync(jwksFile(), 'utf8')), [oldKey.publicKey.kid, newKey.publicKey.kid]);
    assert.deepEqual(added.written.map((w) => w.path).sort(), [
      'issuer/keys.json',
      'next/manifests/next-bound-service-account-signing-key.yaml',
      'next/serviceaccount-signer.private',
      'next/serviceaccount-signer.public',
    ]);
    await servedKids([oldKey.publicKey.kid, newKey.publicKey.kid]);
    assert.equal(await assume(ISSUER, roleOf(outputDir()), oldKey), 'assumed');
    assert.equal(await assume(ISSUER, roleOf(outputDir()), newKey), 'assumed');
  });

  test('retire --dry-run changes nothing; retire refuses the old key the AWS way once served', async () => {
    const before = readFileSync(jwksFile(), 'utf8');
    const dry = await retireRotationKeys(
      { ...rotation({ dryRun: true }), kids: [oldKey.publicKey.kid] },
      new RecordingReporter(),
      noAws,
    );
    assert.deepEqual(dry.after, [newKey.publicKey.kid]);
    assert.equal(readFileSync(jwksFile(), 'utf8'), before);

    const retired = await retireRotationKeys(
      { ...rotation(), kids: [oldKey.publicKey.kid] },
      new RecordingReporter(),
      noAws,
    );
    assert.equal(retired.nextKid, newKey.publicKey.kid);
    assert.deepEqual(kidsOf(readFileSync(jwksFile(), 'utf8')), [newKey.publicKey.kid]);
    assert.equal(
      readPrivateKeyPem(readFileSync(join(outputDir(), 'serviceaccount-signer.private'), 'utf8')).publicKey
        .kid,
      newKey.publicKey.kid,
      'the next key is promoted into the output directory',
    );
    await servedKids([newKey.publicKey.kid]);
    assert.equal(
      await assume(ISSUER, roleOf(outputDir()), oldKey),
      `InvalidIdentityToken: ${NO_VERIFICATION_KEY}`,
    );
    assert.equal(await assume(ISSUER, roleOf(outputDir()), newKey), 'assumed');
  });

  test('an output directory without issuer documents is refused naming the file; the bucket hostings point to --hosting self', async () => {
    const empty = join(tmp, 'empty');
    await assert.rejects(
      addRotationKey(rotation({ outputDir: empty }), new RecordingReporter(), noAws),
      refused('NO_SELF_HOSTED_KEYS', new RegExp(`^no keys\\.json in ${join(empty, 'issuer')}$`)),
    );
    assert.equal(existsSync(empty), false);
    const before = readFileSync(jwksFile(), 'utf8');
    await assert.rejects(
      addRotationKey(rotation({ hosting: undefined, region }), new RecordingReporter(), {
        clients: sb.clients(),
      }),
      (e: unknown) => {
        refused('NO_PUBLISHED_KEYS', /no keys\.json is published in the bucket rs-oidc/)(e);
        assert.match(
          (e as StsctlError).hint ?? '',
          /holds the documents of a self-hosted issuer .*--hosting self/,
        );
        return true;
      },
    );
    await assert.rejects(
      addRotationKey(rotation({ hosting: 'public' }), new RecordingReporter(), noAws),
      refused('MISSING_FLAG', /--region is required/),
    );
    assert.equal(readFileSync(jwksFile(), 'utf8'), before);
  });
});
