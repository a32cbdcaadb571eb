import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';

/**
 * A fleet issuer through the built CLI: bad flag combinations are refused with exit 2 before
 * anything is written or AWS is called; in the sandbox two clusters join one fleet, `fleet list`
 * shows both (text and JSON) and then one, and the fleet's hosting goes with its last cluster.
 */

const REGION = 'us-east-1';
const FLEET = 'clifleet';
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox('stsctl-hosting-fleet-', { region: REGION, issuerCacheTtlMs: 0 }, (box) => {
  ({ tmp, env } = box);
});

const createAll = (name: string, ...extra: string[]): string[] => [
  'create-all',
  '--name',
  name,
  '--region',
  REGION,
  '--credentials-requests-dir',
  join(CREDREQS, 'aws'),
  '--output-dir',
  join(tmp, name),
  ...extra,
];

// Pointing the SDK nowhere: a refusal must come before any AWS call.
const nowhere = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'y',
};

test('--shared-issuer without --hosting cloudfront exits 2, writing nothing', async () => {
  const r = await runStsctl(createAll('nocf', '--shared-issuer', FLEET), { env: nowhere });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--shared-issuer needs --hosting cloudfront/);
  assert.equal(existsSync(join(tmp, 'nocf')), false);
});

test('a cluster named after its fleet, and --dry-run with a fleet, are refused', async () => {
  const same = await runStsctl(createAll(FLEET, '--hosting', 'cloudfront', '--shared-issuer', FLEET), {
    env: nowhere,
  });
  assert.equal(same.code, 2);
  assert.match(same.stderr, /INVALID_SHARED_ISSUER|is the fleet's own name/);
  const dry = await runStsctl(
    createAll('dry', '--hosting', 'cloudfront', '--shared-issuer', FLEET, '--dry-run'),
    { env: nowhere },
  );
  assert.equal(dry.code, 2);
  assert.match(dry.stderr, /stsctl plan --hosting cloudfront --shared-issuer/);
  assert.equal(existsSync(join(tmp, 'dry')), false);
  const del = await runStsctl(
    ['delete', '--name', 'x1', '--region', REGION, '--delete-shared-issuer', '--yes'],
    { env: nowhere },
  );
  assert.equal(del.code, 2);
  assert.match(del.stderr, /--delete-shared-issuer needs --shared-issuer/);
});

interface Listing {
  command: string;
  fleet: string;
  issuerBase: string;
  clusters: {
    name: string;
    issuer: string;
    documents: boolean;
    providerArn: string | null;
    health: { ok: boolean };
  }[];
}

test('two clusters join one fleet; fleet list shows both, then one; the last takes the hosting with it', async () => {
  for (const name of ['ca', 'cb']) {
    const r = await runStsctl(
      [...createAll(name, '--hosting', 'cloudfront', '--shared-issuer', FLEET), '--output', 'json'],
      {
        env,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      (JSON.parse(r.stdout) as { issuer: string }).issuer,
      new RegExp(`^https://[a-z0-9]+\\.cloudfront\\.net/${name}$`),
    );
  }
  const listed = await runStsctl(
    ['fleet', 'list', '--shared-issuer', FLEET, '--region', REGION, '--output', 'json'],
    {
      env,
    },
  );
  assert.equal(listed.code, 0, listed.stderr);
  const listing = JSON.parse(listed.stdout) as Listing;
  assert.equal(listing.command, 'fleet list');
  assert.deepEqual(
    listing.clusters.map((c) => [c.name, c.issuer, c.documents, c.health.ok]),
    [
      ['ca', `${listing.issuerBase}/ca`, true, true],
      ['cb', `${listing.issuerBase}/cb`, true, true],
    ],
  );
  const text = await runStsctl(['fleet', 'list', '--shared-issuer', FLEET, '--region', REGION], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /2 clusters/);
  assert.match(text.stdout, /^ {2}cb\s+yes\s+yes\s+ok \(1 key, \d+ ms\)$/m);

  const gone = await runStsctl(
    ['delete', '--name', 'cb', '--region', REGION, '--shared-issuer', FLEET, '--yes', '--output', 'json'],
    { env },
  );
  assert.equal(gone.code, 0, gone.stderr);
  const after1 = JSON.parse(
    (
      await runStsctl(['fleet', 'list', '--shared-issuer', FLEET, '--region', REGION, '--output', 'json'], {
        env,
      })
    ).stdout,
  ) as Listing;
  assert.deepEqual(
    after1.clusters.map((c) => [c.name, c.health.ok]),
    [['ca', true]],
  );

  const last = await runStsctl(
    [
      'delete',
      '--name',
      'ca',
      '--region',
      REGION,
      '--shared-issuer',
      FLEET,
      '--delete-shared-issuer',
      '--yes',
      '--output',
      'json',
    ],
    { env },
  );
  assert.equal(last.code, 0, last.stderr);
  const kinds = (JSON.parse(last.stdout) as { deleted: { kind: string }[] }).deleted.map((d) => d.kind);
  for (const k of ['bucket', 'distribution', 'origin-access-control', 'oidc-provider'])
    assert.ok(kinds.includes(k), k);
  const none = await runStsctl(['fleet', 'list', '--shared-issuer', FLEET, '--region', REGION], { env });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no fleet issuer "clifleet"/);
});
