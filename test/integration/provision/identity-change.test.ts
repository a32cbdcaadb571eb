import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paginateListOriginAccessControls } from '@aws-sdk/client-cloudfront';
import { GetOpenIDConnectProviderCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { RecordingReporter } from '../../../src/core/reporter.js';
import { previewPlan, provision, type ProvisionOptions } from '../../../src/commands/provision.js';
import { isStsctlError } from '../../../src/core/errors.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { createAllOptions } from '../../helpers/provision.js';

/**
 * No silent identity change: a re-run whose flags lead to another issuer (other hosting, other
 * region) is refused before anything changes, unless --migrate-issuer asks for the move.
 */

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';
const name = 'idc';
const publicIssuer = 'https://idc-oidc.s3.us-east-1.amazonaws.com';

const options = (extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'public', extra);

async function publishedDocuments(): Promise<{ discovery: string; jwks: string }> {
  const s3 = sb.clients().s3;
  const read = async (Key: string): Promise<string> =>
    (await s3.send(new GetObjectCommand({ Bucket: 'idc-oidc', Key }))).Body?.transformToString('utf8') ?? '';
  return { discovery: await read('.well-known/openid-configuration'), jwks: await read('keys.json') };
}

async function oacNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListOriginAccessControls({ client: sb.clients().cloudfront }, {}))
    for (const o of page.OriginAccessControlList?.Items ?? []) names.push(o.Name ?? '');
  return names;
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-identity-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('a public cluster re-run with --hosting cloudfront: the plan shows a migration, the run refuses it, nothing changes', async () => {
  const first = await provision(options(), new RecordingReporter(), {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  assert.equal(first.outcome.issuer, publicIssuer);
  const before = await publishedDocuments();

  const p = await previewPlan(options({ hosting: 'cloudfront' }), new RecordingReporter(), {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  assert.equal(p.migration?.from, publicIssuer);
  assert.equal(p.migration.to, undefined);
  assert.equal(p.migration.previousProviderArn, first.outcome.providerArn);
  assert.ok(p.migration.consequences.some((c) => c.includes('the bucket becomes private')));

  await assert.rejects(
    provision(options({ hosting: 'cloudfront' }), new RecordingReporter(), {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    }),
    (e: unknown) =>
      isStsctlError(e) &&
      e.code === 'ISSUER_MIGRATION_REFUSED' &&
      e.kind === 'usage' &&
      e.message.includes(`from ${publicIssuer}`) &&
      (e.hint ?? '').includes('--migrate-issuer'),
  );
  assert.deepEqual(await publishedDocuments(), before, 'the issuer documents are untouched');
  assert.ok(!(await oacNames()).includes('idc-oidc'), 'no origin access control was created');
  const again = await previewPlan(options(), new RecordingReporter(), {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  assert.equal(again.migration, undefined);
  assert.ok(again.changes.every((c) => c.action === 'unchanged'));
});

test('another --region: an error naming both regions, nothing changed', async () => {
  const other = 'eu-west-1';
  await assert.rejects(
    previewPlan(options({ region: other }), new RecordingReporter(), {
      clients: sb.clients(other),
      fetcher: sb.issuerFetcher,
    }),
    (e: unknown) =>
      isStsctlError(e) &&
      e.code === 'BUCKET_REGION_MISMATCH' &&
      e.kind === 'usage' &&
      e.message.includes('exists in us-east-1, not in eu-west-1'),
  );
  await assert.rejects(
    provision(options({ region: other }), new RecordingReporter(), {
      clients: sb.clients(other),
      fetcher: sb.issuerFetcher,
    }),
    (e: unknown) => isStsctlError(e) && e.code === 'BUCKET_REGION_MISMATCH',
  );
  assert.match(
    (await publishedDocuments()).discovery,
    /"issuer": "https:\/\/idc-oidc\.s3\.us-east-1\.amazonaws\.com"/,
  );
});

test('with --migrate-issuer the cluster moves to CloudFront; the old provider and keys are kept', async () => {
  const before = await publishedDocuments();
  const oldKids = (JSON.parse(before.jwks) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const moved = await provision(
    options({ hosting: 'cloudfront', migrateIssuer: true }),
    new RecordingReporter(),
    {
      clients: sb.clients(),
      fetcher: sb.issuerFetcher,
    },
  );
  assert.match(moved.outcome.issuer, /^https:\/\/[a-z0-9]+\.cloudfront\.net$/);
  assert.equal(moved.outcome.initial.migration?.from, publicIssuer);
  assert.equal(
    moved.outcome.final.migration,
    undefined,
    'after the move the published issuer is the new one',
  );
  // The old provider stays (tokens of the old issuer may still be in use somewhere).
  const oldProvider = moved.outcome.initial.migration.previousProviderArn ?? '';
  const got = await sb
    .clients()
    .iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: oldProvider }));
  assert.equal(got.Url, 'idc-oidc.s3.us-east-1.amazonaws.com');
  assert.notEqual(moved.outcome.providerArn, oldProvider);
  const after = await publishedDocuments();
  const kids = (JSON.parse(after.jwks) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  for (const kid of oldKids) assert.ok(kids.includes(kid), `kid ${kid} is still published`);
  assert.match(after.discovery, new RegExp(`"issuer": "${moved.outcome.issuer.replace(/\./g, '\\.')}"`));
});
