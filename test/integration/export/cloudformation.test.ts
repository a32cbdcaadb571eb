import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { exportPlan, previewPlan } from '../../../src/commands/provision.js';
import { planHash, renderCloudFormation, uploadCommands } from '../../../src/aws/export/index.js';
import { renderPlanJson } from '../../../src/cli/provision-render.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { createAllOptions } from '../../helpers/provision.js';

/**
 * `stsctl plan --export cloudformation`: the template passes cfn-lint for every AWS hosting, and
 * deploys in the sandbox (moto's CloudFormation through the gateway) where moto supports the
 * resource types; docs/commands.md lists those it does not.
 */

let sb: Sandbox;
let tmp: string;
const region = 'us-east-1';
const run = promisify(execFile);

const options = (name: string, hosting: 'public' | 'cloudfront' | 'lambda') =>
  createAllOptions(tmp, name, region, hosting);

async function template(name: string, hosting: 'public' | 'cloudfront' | 'lambda'): Promise<string> {
  const exported = await exportPlan(options(name, hosting), new RecordingReporter(), {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    renderCloudFormation(exported.subject, exported.plan, {
      planHash: planHash(JSON.parse(renderPlanJson(exported.plan)) as unknown),
      version: 'test',
    }),
  );
  return file;
}

const env = (): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '', HOME: tmp, ...sb.env() });

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-cfn-'));
  sb = await startSandbox({ region, issuerCacheTtlMs: 0, fetchBudgetMs: 30_000 });
});
after(async () => {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('the templates of every AWS hosting pass cfn-lint without an error or warning', async () => {
  for (const hosting of ['public', 'cloudfront', 'lambda'] as const) {
    const file = await template(`lint${hosting}`, hosting);
    // cfn-lint exits 0 when it finds nothing (2 errors, 4 warnings, 8 informational).
    const r = await run('cfn-lint', [file]).then(
      (x) => ({ code: 0, out: x.stdout }),
      (e: unknown) => {
        const x = e as { code: number; stdout: string };
        return { code: x.code, out: x.stdout };
      },
    );
    assert.equal(r.code, 0, `${hosting}: ${r.out}`);
  }
});

test('deployed in the sandbox, the stack makes the bucket and roles create-all would make', async () => {
  const name = 'stack';
  const file = await template(name, 'public');
  await run(
    'aws',
    ['cloudformation', 'create-stack', '--stack-name', name, '--template-body', `file://${file}`],
    {
      env: env(),
    },
  );
  const { stdout } = await run(
    'aws',
    [
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      name,
      '--query',
      'Stacks[0].StackStatus',
      '--output',
      'text',
    ],
    { env: env() },
  );
  assert.equal(stdout.trim(), 'CREATE_COMPLETE');
  // The documented step: the Metadata commands upload the two issuer documents.
  const exported = await exportPlan(options(name, 'public'), new RecordingReporter(), {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  await run('sh', ['-c', uploadCommands(exported.subject)], { env: { ...env(), STACK: name } });
  const p = await previewPlan(options(name, 'public'), new RecordingReporter(), {
    clients: sb.clients(),
    fetcher: sb.issuerFetcher,
  });
  const state = new Map(p.changes.map((c) => [`${c.kind} ${c.id}`, c]));
  // What moto deploys is exactly what create-all makes: the bucket with its tags, the documents,
  // and every role with create-all's name, description and tags.
  assert.equal(state.get(`bucket ${name}-oidc`)?.action, 'unchanged');
  assert.equal(
    state.get(`discovery-document ${name}-oidc/.well-known/openid-configuration`)?.action,
    'unchanged',
  );
  assert.equal(state.get(`jwks ${name}-oidc/keys.json`)?.action, 'unchanged');
  const roles = p.changes.filter((c) => c.kind === 'role');
  assert.equal(roles.length, 7);
  for (const r of roles) {
    assert.notEqual(r.action, 'create', `${r.id} exists`);
    const attributes = new Set(r.fields.map((f) => f.attribute));
    assert.ok(
      !attributes.has('description') && !attributes.has('tags'),
      `${r.id}: ${[...attributes].join(',')}`,
    );
  }
});
