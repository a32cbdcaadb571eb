import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';

/**
 * The client-ID writes moto lacks (it answers HTTP 500), played by the gateway
 * (src/sandbox/iam-oidc-emulation.ts), asked with the real aws CLI: the change is visible to a
 * later GetOpenIDConnectProvider, the ARN, thumbprints and tags are kept, errors are IAM's.
 */

const run = promisify(execFile);
let sb: Sandbox | undefined;
let dir: string | undefined;

async function aws(...args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const r = await run('aws', [...args, '--output', 'json'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...sb?.env() },
      cwd: dir,
    });
    return { ok: true, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

before(async () => {
  sb = await startSandbox({});
  dir = await mkdtemp(join(tmpdir(), 'stsctl-iam-oidc-'));
});

after(async () => {
  await sb?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('add and remove client IDs keep the ARN, thumbprints and tags', async () => {
  const created = await aws(
    'iam',
    'create-open-id-connect-provider',
    '--url',
    'https://oidc.emulation.example.com/id/1',
    '--client-id-list',
    'sts.amazonaws.com',
    'https://gitlab.example.com',
    '--thumbprint-list',
    'a'.repeat(40),
    '--tags',
    'Key=owner,Value=platform',
  );
  assert.ok(created.ok, created.stderr);
  const arn = (JSON.parse(created.stdout) as { OpenIDConnectProviderArn: string }).OpenIDConnectProviderArn;

  const added = await aws(
    'iam',
    'add-client-id-to-open-id-connect-provider',
    '--open-id-connect-provider-arn',
    arn,
    '--client-id',
    'sts.amazon.com',
  );
  assert.ok(added.ok, added.stderr);
  // Adding a client ID already registered changes nothing and succeeds, as IAM does.
  const again = await aws(
    'iam',
    'add-client-id-to-open-id-connect-provider',
    '--open-id-connect-provider-arn',
    arn,
    '--client-id',
    'sts.amazon.com',
  );
  assert.ok(again.ok, again.stderr);
  const removed = await aws(
    'iam',
    'remove-client-id-from-open-id-connect-provider',
    '--open-id-connect-provider-arn',
    arn,
    '--client-id',
    'sts.amazonaws.com',
  );
  assert.ok(removed.ok, removed.stderr);

  const got = await aws('iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', arn);
  assert.ok(got.ok, got.stderr);
  const p = JSON.parse(got.stdout) as {
    Url: string;
    ClientIDList: string[];
    ThumbprintList: string[];
    Tags?: { Key: string; Value: string }[];
  };
  assert.deepEqual(p.ClientIDList, ['https://gitlab.example.com', 'sts.amazon.com']);
  assert.deepEqual(p.ThumbprintList, ['a'.repeat(40)]);
  assert.deepEqual(p.Tags, [{ Key: 'owner', Value: 'platform' }]);
  const list = await aws('iam', 'list-open-id-connect-providers');
  assert.deepEqual(
    (
      JSON.parse(list.stdout) as { OpenIDConnectProviderList: { Arn: string }[] }
    ).OpenIDConnectProviderList.map((x) => x.Arn),
    [arn],
  );
});

test('an unknown provider ARN is NoSuchEntity, as IAM answers it', async () => {
  const r = await aws(
    'iam',
    'add-client-id-to-open-id-connect-provider',
    '--open-id-connect-provider-arn',
    'arn:aws:iam::123456789012:oidc-provider/nowhere.example.com',
    '--client-id',
    'sts.amazonaws.com',
  );
  assert.equal(r.ok, false);
  assert.match(r.stderr, /NoSuchEntity/);
  assert.match(r.stderr, /nowhere\.example\.com/);
});
