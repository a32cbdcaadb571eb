import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UpdateAssumeRolePolicyCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import {
  exportPlan,
  previewPlan,
  provision,
  type ProvisionOptions,
} from '../../../src/commands/provision.js';
import { planCounts, type Plan } from '../../../src/aws/plan.js';
import { parseReviewedPlan, planHash, renderAwsCliScript } from '../../../src/aws/export/index.js';
import { renderPlanJson } from '../../../src/cli/provision-render.js';
import { isStsctlError } from '../../../src/core/errors.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDENTIALS_REQUESTS as requests, createAllOptions } from '../../helpers/provision.js';
import { assertEveryComponentAssumes as sharedAssumes } from '../../helpers/web-identity.js';

/**
 * Manual mode end to end against the sandbox: the script `stsctl plan --export aws-cli` prints,
 * run by the aws CLI alone, builds a setup on which every component assumes its role through the
 * validating STS; it can run twice; it repairs drift; and create-all --plan refuses a stale plan.
 */

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';
const run = promisify(execFile);

const options = (name: string, extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'public', extra);

const deps = (): { clients: ReturnType<Sandbox['clients']>; fetcher: Sandbox['issuerFetcher'] } => ({
  clients: sb.clients(),
  fetcher: sb.issuerFetcher,
});

/** `stsctl plan --export aws-cli`, written to a file. */
async function exportScript(name: string, extra: Partial<ProvisionOptions> = {}): Promise<string> {
  const exported = await exportPlan(options(name, extra), new RecordingReporter(), deps());
  const script = renderAwsCliScript(exported.subject, exported.plan, {
    planHash: planHash(JSON.parse(renderPlanJson(exported.plan)) as unknown),
    version: 'test',
  });
  const file = join(tmp, `${name}-${Date.now()}.sh`);
  writeFileSync(file, script);
  return file;
}

/** `sh apply.sh` with only the sandbox environment (and PATH, for the aws CLI). */
async function runScript(file: string, outputDir: string): Promise<string> {
  const { stdout } = await run('sh', [file], {
    env: { PATH: process.env['PATH'] ?? '', HOME: tmp, ...sb.env(), STSCTL_OUTPUT_DIR: outputDir },
    maxBuffer: 1 << 24,
  });
  return stdout;
}

async function pending(name: string, extra: Partial<ProvisionOptions> = {}): Promise<Plan['changes']> {
  const p = await previewPlan(options(name, extra), new RecordingReporter(), deps());
  return p.changes.filter((c) => c.action !== 'unchanged');
}

/** Every component's service accounts assume the role its Secret names; another account is denied. */
/** Every component assumes its role; another service account is denied. */
const assertEveryComponentAssumes = (name: string, issuer: string): Promise<void> =>
  sharedAssumes(sb, join(tmp, name), requests, issuer);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-export-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the aws-cli script with public S3 hosting', () => {
  const name = 'manual';
  const issuer = `https://${name}-oidc.s3.${region}.amazonaws.com`;
  let reviewed: Plan;

  test('run on an empty account, every component assumes its role and plan reports no changes', async () => {
    const script = await exportScript(name);
    const text = readFileSync(script, 'utf8');
    assert.ok(!/PRIVATE KEY/.test(text), 'the private key is never in the script');
    assert.match(await runScript(script, join(tmp, name)), new RegExp(`Issuer: ${issuer}`));
    await assertEveryComponentAssumes(name, issuer);
    assert.deepEqual(await pending(name), []);
    // Run a second time: it fails nothing and changes nothing.
    await runScript(script, join(tmp, name));
    reviewed = await previewPlan(options(name), new RecordingReporter(), deps());
    assert.equal(planCounts(reviewed).create + planCounts(reviewed).update, 0);
  });

  test('create-all --plan refuses a plan made before a hand edit, naming the role, and changes nothing', async () => {
    const r = requests.find((x) => x.secretRef.name === 'installer-cloud-credentials');
    assert.ok(r !== undefined);
    const roleName = `${name}-${r.secretRef.namespace}-${r.secretRef.name}`;
    // A hand edit that lets another service account in (a wider trust, still a valid policy).
    const host = issuer.slice('https://'.length);
    const edited = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${host}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${host}:sub`]: 'system:serviceaccount:default:default' } },
        },
      ],
    });
    await sb
      .clients()
      .iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: edited }));
    const file = join(tmp, 'reviewed.json');
    writeFileSync(file, renderPlanJson(reviewed));
    await assert.rejects(
      provision(
        options(name, { reviewedPlan: parseReviewedPlan(readFileSync(file, 'utf8'), 'reviewed.json') }),
        new RecordingReporter(),
        deps(),
      ),
      (e: unknown) =>
        isStsctlError(e) &&
        e.code === 'PLAN_STALE' &&
        e.kind === 'usage' &&
        e.message.includes(`role ${roleName} was planned as unchanged, is now update (trustPolicy)`),
    );
    const role = await sb.clients().iam.send(new GetRoleCommand({ RoleName: roleName }));
    assert.equal(
      decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''),
      edited,
      'the refused run left the role as it was',
    );
  });

  test('the script exported after the drift repairs exactly the drifted role', async () => {
    const drift = await pending(name);
    assert.deepEqual(
      drift.map((c) => `${c.kind} ${c.action}`),
      ['role update'],
    );
    const script = await exportScript(name);
    const commands = readFileSync(script, 'utf8')
      .split('\n')
      .filter((l) => /^\s*(retry )?aws (iam|s3api|cloudfront) /.test(l))
      .map((l) => l.trim().split(' ').slice(0, 3).join(' '));
    assert.deepEqual(commands, ['aws iam update-assume-role-policy']);
    await runScript(script, join(tmp, name));
    assert.deepEqual(await pending(name), []);
    await assertEveryComponentAssumes(name, issuer);
  });
});

describe('the aws-cli script with CloudFront hosting (OAC)', () => {
  const name = 'manualcf';

  test('creates the distribution, captures its domain, writes the Authentication manifest; components assume', async () => {
    const out = join(tmp, name);
    const script = await exportScript(name, { hosting: 'cloudfront' });
    const stdout = await runScript(script, out);
    const issuer = /Issuer: (https:\/\/\S+)/.exec(stdout)?.[1] ?? '';
    assert.match(issuer, /^https:\/\/[a-z0-9]+\.cloudfront\.net$/);
    assert.match(
      readFileSync(join(out, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      new RegExp(`serviceAccountIssuer: ${issuer}$`),
    );
    await assertEveryComponentAssumes(name, issuer);
    // The domain did not exist when the plan was made, so the provider was registered without a
    // thumbprint: CloudFront's chain is trusted by AWS's CA library, so none is needed and the plan
    // has nothing left to change.
    assert.deepEqual(await pending(name, { hosting: 'cloudfront' }), []);
    // Run again, the script fails nothing and changes nothing.
    await runScript(script, out);
    assert.deepEqual(await pending(name, { hosting: 'cloudfront' }), []);
  });
});
