import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetFunctionCommand, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { exportPlan, previewPlan, type ProvisionOptions } from '../../../src/commands/provision.js';
import type { Plan } from '../../../src/aws/plan.js';
import { planHash, renderAwsCliScript } from '../../../src/aws/export/index.js';
import { loadIssuerFunctionPackage } from '../../../src/aws/issuer-function.js';
import { renderPlanJson } from '../../../src/cli/provision-render.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDENTIALS_REQUESTS as requests, createAllOptions } from '../../helpers/provision.js';
import { assertEveryComponentAssumes as sharedAssumes } from '../../helpers/web-identity.js';

/**
 * Manual mode with `--hosting lambda`: the script `stsctl plan --export aws-cli` prints, run by
 * the aws CLI alone on an empty sandbox account, creates the execution role, the function (the
 * package create-all uploads), its URL and both permission statements, and the issuer served
 * from the URL lets every component assume its role; a second run changes nothing; a removed
 * statement is put back by the script of the next plan.
 */

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';
const name = 'lamcli';
const run = promisify(execFile);

const options = (extra: Partial<ProvisionOptions> = {}) =>
  createAllOptions(tmp, name, region, 'lambda', extra);

const deps = (): { clients: ReturnType<Sandbox['clients']>; fetcher: Sandbox['issuerFetcher'] } => ({
  clients: sb.clients(),
  fetcher: sb.issuerFetcher,
});

async function exportScript(): Promise<string> {
  const exported = await exportPlan(options(), new RecordingReporter(), deps());
  const script = renderAwsCliScript(exported.subject, exported.plan, {
    planHash: planHash(JSON.parse(renderPlanJson(exported.plan)) as unknown),
    version: 'test',
  });
  const file = join(tmp, `${name}-${Date.now()}.sh`);
  writeFileSync(file, script);
  return file;
}

/** `sh apply.sh` with only the sandbox environment (and PATH, for the aws CLI). */
async function runScript(file: string): Promise<string> {
  const { stdout } = await run('sh', [file], {
    env: { PATH: process.env['PATH'] ?? '', HOME: tmp, ...sb.env(), STSCTL_OUTPUT_DIR: join(tmp, name) },
    maxBuffer: 1 << 24,
  });
  return stdout;
}

async function pending(): Promise<Plan['changes']> {
  const p = await previewPlan(options(), new RecordingReporter(), deps());
  return p.changes.filter((c) => c.action !== 'unchanged');
}

/** Every component assumes its role; another service account is denied. */
const assertEveryComponentAssumes = (issuer: string): Promise<void> =>
  sharedAssumes(sb, join(tmp, name), requests, issuer);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-export-lambda-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the aws-cli script with --hosting lambda', () => {
  let issuer = '';

  test('run on an empty account, the function URL serves the issuer, every component assumes its role; the next plan adds only the thumbprint, then no changes', async () => {
    const script = await exportScript();
    const text = readFileSync(script, 'utf8');
    assert.ok(!/PRIVATE KEY/.test(text), 'the private key is never in the script');
    const out = await runScript(script);
    issuer = /Issuer: (https:\/\/\S+)/.exec(out)?.[1] ?? '';
    assert.match(issuer, /^https:\/\/[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws$/);
    // The function runs exactly the package create-all uploads.
    const fn = await sb.clients().lambda.send(new GetFunctionCommand({ FunctionName: `${name}-oidc` }));
    assert.equal(fn.Configuration?.CodeSha256, (await loadIssuerFunctionPackage()).sha256);
    // The cluster's Authentication manifest names the function URL.
    assert.match(
      readFileSync(join(tmp, name, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      new RegExp(`serviceAccountIssuer: ${issuer}`),
    );
    await assertEveryComponentAssumes(issuer);
    // A second run fails nothing and changes nothing.
    assert.match(await runScript(script), new RegExp(`Issuer: ${issuer}`));
    // The URL did not exist when the plan was made, so the provider was registered without a
    // thumbprint; the function URL's chain is trusted by AWS's CA library, so none is needed and the
    // plan has nothing left to change.
    assert.deepEqual(await pending(), []);
  });

  test('a removed permission statement is put back by the script of the next plan', async () => {
    await sb.clients().lambda.send(
      new RemovePermissionCommand({
        FunctionName: `${name}-oidc`,
        StatementId: 'FunctionURLInvokeAllowPublicAccess',
      }),
    );
    assert.deepEqual(
      (await pending()).map((c) => [c.kind, c.id, c.action]),
      [['function-permission', `${name}-oidc/FunctionURLInvokeAllowPublicAccess`, 'create']],
    );
    await runScript(await exportScript());
    assert.deepEqual(await pending(), []);
    await assertEveryComponentAssumes(issuer);
  });
});
