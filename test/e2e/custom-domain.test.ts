import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ListOpenIDConnectProvidersCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { runStsctl } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';
import { importSandboxCertificate } from '../helpers/acm.js';

/** `stsctl create-all --custom-domain` as a user runs it on the sandbox (environment of `sandbox env`). */

let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox(
  'stsctl-e2e-custom-domain-',
  {
    region: 'us-east-1',
    issuerCacheTtlMs: 0,
    fetchBudgetMs: 30_000,
  },
  (box) => {
    ({ sb, tmp, env } = box);
  },
);

const importCertificate = (names: string[], region = 'us-east-1'): Promise<string> =>
  importSandboxCertificate({
    ca: sb.cas.sandbox,
    endpoint: sb.endpoints.aws,
    credentials: sb.credentials,
    names,
    region,
  });

async function inventory(): Promise<string> {
  const c = sb.clients();
  const [buckets, roles, providers, distributions] = await Promise.all([
    c.s3.send(new ListBucketsCommand({})),
    c.iam.send(new ListRolesCommand({ MaxItems: 1000 })),
    c.iam.send(new ListOpenIDConnectProvidersCommand({})),
    c.cloudfront.send(new ListDistributionsCommand({})),
  ]);
  return JSON.stringify([
    (buckets.Buckets ?? []).map((b) => b.Name).sort(),
    (roles.Roles ?? []).map((r) => r.RoleName).sort(),
    (providers.OpenIDConnectProviderList ?? []).map((p) => p.Arn).sort(),
    (distributions.DistributionList?.Items ?? []).map((d) => d.Id).sort(),
  ]);
}

const createAll = (name: string, domain: string, arn: string, ...extra: string[]): string[] => [
  'create-all',
  '--name',
  name,
  '--region',
  'us-east-1',
  '--credentials-requests-dir',
  join(CREDREQS, 'aws'),
  '--output-dir',
  join(tmp, name),
  '--hosting',
  'cloudfront',
  '--custom-domain',
  domain,
  '--acm-certificate-arn',
  arn,
  ...extra,
];

test('create-all --custom-domain prints the issuer and the DNS record to create; a re-run changes nothing', async () => {
  const domain = 'oidc.e2e.example';
  const arn = await importCertificate([domain]);
  const first = await runStsctl(createAll('cdom', domain, arn), { env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^create-all: \d+ created, 0 updated\.$/m);
  assert.match(first.stdout, /^Issuer: https:\/\/oidc\.e2e\.example$/m);
  const record = /^DNS: create this record .*\n {2}(\S+) {2}CNAME {2}(\S+)$/m.exec(first.stdout);
  assert.ok(record, first.stdout);
  assert.equal(record[1], domain);
  assert.match(record[2] ?? '', /^[a-z0-9]+\.cloudfront\.net$/);
  assert.match(
    first.stdout,
    /^Identity provider: arn:aws:iam::123456789012:oidc-provider\/oidc\.e2e\.example$/m,
  );

  const again = await runStsctl(createAll('cdom', domain, arn, '--output', 'json'), { env });
  assert.equal(again.code, 0, again.stderr);
  const r = JSON.parse(again.stdout) as {
    issuer: string;
    applied: unknown[];
    dnsRecord: { name: string; type: string; value: string };
    planBefore: { counts: { create: number; update: number } };
  };
  assert.equal(r.issuer, `https://${domain}`);
  assert.deepEqual(r.applied, []);
  assert.deepEqual([r.planBefore.counts.create, r.planBefore.counts.update], [0, 0]);
  assert.deepEqual(r.dnsRecord, { name: domain, type: 'CNAME', value: record[2] });
});

test('a certificate that does not fit exits 2 naming the flag; nothing is created or written', async () => {
  const domain = 'oidc.refused.example';
  const cases: [string, () => Promise<string>, RegExp][] = [
    [
      'not covering',
      () => importCertificate(['www.refused.example']),
      /^error: --acm-certificate-arn arn:aws:acm:us-east-1:\S+ is for www\.refused\.example, which does not cover --custom-domain oidc\.refused\.example\nhint: use a certificate whose domain name or subject alternative names include oidc\.refused\.example or \*\.refused\.example\n$/,
    ],
    [
      'another region',
      () => importCertificate([domain], 'eu-west-1'),
      /^error: --acm-certificate-arn is in eu-west-1; CloudFront only uses ACM certificates from us-east-1\n$/,
    ],
    [
      'nonexistent',
      () =>
        Promise.resolve(
          'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555',
        ),
      /^error: --acm-certificate-arn arn:aws:acm:us-east-1:123456789012:certificate\/11111111-2222-4333-8444-555555555555 does not exist in ACM \(us-east-1\) of this account\nhint: /,
    ],
  ];
  for (const [label, arn, stderr] of cases) {
    const before = await inventory();
    const run = await runStsctl(createAll('refused', domain, await arn()), { env });
    assert.equal(run.code, 2, `${label}: ${run.stderr}`);
    // Warnings about skipped documents of other clouds come first (the directory is read before AWS).
    const errors = run.stderr
      .split('\n')
      .filter((l) => !l.startsWith('warning: Skipping CredentialsRequest'))
      .join('\n');
    assert.match(errors, stderr, label);
    assert.equal(run.stdout, '', label);
    assert.equal(await inventory(), before, `${label}: nothing created in AWS`);
    assert.equal(existsSync(join(tmp, 'refused')), false, `${label}: nothing written`);
  }
});
