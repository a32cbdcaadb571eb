import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { addRotationKey, retireRotationKeys } from '../../../src/commands/rotate-keys.js';
import { buildJwks, readPublicKeyPem, renderDiscoveryDocument, renderJwks } from '../../../src/core/index.js';
import { ensureBucket, putIssuerDocuments } from '../../../src/aws/operations.js';
import { ownershipTags } from '../../../src/core/iam-documents.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import type { StsctlError } from '../../../src/core/errors.js';

// rotate-keys' refusals, at library level against the sandbox: each leaves keys.json as it was.

const region = 'us-east-1';
let sb: Sandbox;
let tmp: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-rotate-lib-'));
  sb = await startSandbox({ region });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const publicPem = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

async function issuerWith(name: string, pems: string[]): Promise<void> {
  const clients = sb.clients();
  await ensureBucket(clients, `${name}-oidc`, region, ownershipTags(name));
  await putIssuerDocuments(clients, `${name}-oidc`, name, {
    discovery: renderDiscoveryDocument(`https://${name}-oidc.s3.${region}.amazonaws.com`),
    jwks: renderJwks(buildJwks(pems.map((p) => readPublicKeyPem(p)))),
  });
}

async function published(name: string): Promise<string> {
  const got = await sb.clients().s3.send(new GetObjectCommand({ Bucket: `${name}-oidc`, Key: 'keys.json' }));
  return (await got.Body?.transformToString()) ?? '';
}

const refused = (code: string, re: RegExp) => (e: unknown) => {
  const err = e as StsctlError;
  assert.equal(err.code, code, err.message);
  assert.equal(err.kind, 'usage');
  assert.match(err.message, re);
  return true;
};

test('no published keys.json: a clear error naming the bucket and the command that publishes it', async () => {
  await assert.rejects(
    addRotationKey(
      { name: 'nothing', region, outputDir: join(tmp, 'nothing'), dryRun: false },
      new RecordingReporter(),
      { clients: sb.clients() },
    ),
    refused('NO_PUBLISHED_KEYS', /no keys\.json is published in the bucket nothing-oidc/),
  );
  assert.equal(
    existsSync(join(tmp, 'nothing')),
    false,
    'nothing written: the key is generated only when publishing can work',
  );
});

test('add --public-key-file publishes that key; retiring every key, or the current key without a successor, is refused', async () => {
  const oldPem = publicPem();
  const newPem = publicPem();
  await issuerWith('lib', [oldPem]);
  const oldKid = readPublicKeyPem(oldPem).kid;
  const newKid = readPublicKeyPem(newPem).kid;
  const keyFile = join(tmp, 'new.pub');
  writeFileSync(keyFile, newPem);
  const outputDir = join(tmp, 'lib-out'); // holds no key: the rotation is driven from elsewhere
  const added = await addRotationKey(
    { name: 'lib', region, outputDir, dryRun: false, publicKeyFile: keyFile },
    new RecordingReporter(),
    { clients: sb.clients() },
  );
  assert.deepEqual(added.after, [oldKid, newKid]);
  assert.deepEqual(added.written, []);

  const before = await published('lib');
  await assert.rejects(
    retireRotationKeys(
      { name: 'lib', region, outputDir, dryRun: false, kids: [oldKid, newKid] },
      new RecordingReporter(),
      {
        clients: sb.clients(),
      },
    ),
    refused('RETIRING_EVERY_KEY', /would leave s3:\/\/lib-oidc\/keys\.json without keys/),
  );
  assert.equal(await published('lib'), before);

  // An output directory whose key is being retired, with a next key that was never published.
  const dir = join(tmp, 'stale');
  mkdirSync(join(dir, 'next'), { recursive: true });
  writeFileSync(join(dir, 'serviceaccount-signer.public'), oldPem);
  const unpublishedNext = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(
    join(dir, 'next', 'serviceaccount-signer.private'),
    unpublishedNext.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  await assert.rejects(
    retireRotationKeys(
      { name: 'lib', region, outputDir: dir, dryRun: false, kids: [oldKid] },
      new RecordingReporter(),
      {
        clients: sb.clients(),
      },
    ),
    refused(
      'NEXT_KEY_NOT_PUBLISHED',
      /is not published; retiring .* would leave the cluster's new tokens unverifiable/,
    ),
  );
  assert.equal(await published('lib'), before);

  // Driven from a directory without keys, retiring the old key simply unpublishes it.
  const done = await retireRotationKeys(
    { name: 'lib', region, outputDir, dryRun: false, kids: [oldKid] },
    new RecordingReporter(),
    { clients: sb.clients() },
  );
  assert.deepEqual(done.after, [newKid]);
  assert.equal(done.retiredTo, undefined);
});

test('another --region than the bucket has: refused naming both regions, keys.json untouched', async () => {
  await issuerWith('elsewhere', [publicPem()]);
  const before = await published('elsewhere');
  await assert.rejects(
    addRotationKey(
      { name: 'elsewhere', region: 'eu-west-1', outputDir: join(tmp, 'elsewhere'), dryRun: false },
      new RecordingReporter(),
      { clients: sb.clients('eu-west-1') },
    ),
    refused('BUCKET_REGION_MISMATCH', /elsewhere-oidc exists in us-east-1, not in eu-west-1/),
  );
  assert.equal(await published('elsewhere'), before);
  assert.equal(existsSync(join(tmp, 'elsewhere', 'next')), false, 'no next key written');
});
