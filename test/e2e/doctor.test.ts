import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrivateKeyInfo } from '../../src/core/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/lifecycle.js';
import { runStsctl } from '../helpers/cli.js';
import { REGION, mint, publicIssuer, rsaKey, type Issuer } from '../helpers/web-identity.js';

/** The built CLI: exit codes, output formats, the sandbox's edge and CA from the environment, --live. */

describe('stsctl doctor: usage', () => {
  test('nothing to diagnose, or --token without --role-arn, is exit 2', async () => {
    const none = await runStsctl(['doctor']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /nothing to diagnose/);
    const noRole = await runStsctl(['doctor', '--token', '-'], { input: 'x.y.z' });
    assert.equal(noRole.code, 2);
    assert.match(noRole.stderr, /--token needs --role-arn/);
    const bad = await runStsctl(['doctor', '--issuer', 'https://x', '--output', 'yaml']);
    assert.equal(bad.code, 2);
  });
});

describe('stsctl doctor on a sandbox', () => {
  let sb: Sandbox;
  let dir: string;
  let key: PrivateKeyInfo;
  let good: Issuer;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stsctl-doctor-e2e-'));
    key = rsaKey();
    sb = await startSandbox({ region: REGION, stateDir: dir });
    good = await publicIssuer(sb.clients(), key, 'e2e');
    env = { ...sb.env(), HOME: dir };
  });

  after(async () => {
    await sb.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('healthy token: exit 0, one JSON document with schemaVersion, live call as predicted', async () => {
    const token = await mint(key, good.url);
    const run = await runStsctl(
      ['doctor', '--token', '-', '--role-arn', good.roleArn, '--output', 'json', '--live'],
      { input: token, env },
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const report = JSON.parse(run.stdout) as {
      schemaVersion: number;
      summary: { healthy: boolean };
      components: { name: string; live: { matchesPrediction: boolean; ok: boolean }[] }[];
    };
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.summary.healthy, true);
    assert.deepEqual(
      report.components.find((c) => c.name === 'token')?.live.map((l) => [l.ok, l.matchesPrediction]),
      [[true, true]],
    );
    assert.ok(!run.stdout.includes(token.split('.')[2]!), 'the signature is never printed');
  });

  test("kid not in the JWKS: exit 1, text names the finding and AWS's error; html written to a file", async () => {
    const token = await mint(rsaKey(), good.url);
    const text = await runStsctl(['doctor', '--token', '-', '--role-arn', good.roleArn], {
      input: token,
      env,
    });
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      /STS answers: InvalidIdentityToken \(400\) Couldn't retrieve verification key from your identity provider, {2}please/,
    );
    assert.match(text.stdout, /ERROR TOKEN_KID_NOT_IN_JWKS/);
    assert.match(text.stderr, /first: TOKEN_KID_NOT_IN_JWKS/);
    const html = await runStsctl(
      [
        'doctor',
        '--token',
        '-',
        '--role-arn',
        good.roleArn,
        '--output',
        'html',
        '--output-file',
        'report.html',
      ],
      {
        input: token,
        env,
        cwd: dir,
      },
    );
    assert.equal(html.code, 1);
    assert.equal(html.stdout, '');
    assert.match(await readFile(join(dir, 'report.html'), 'utf8'), /<g class="hop broken" data-hop="jwks"/);
  });

  test('--issuer alone checks hosting, documents and provider: exit 0', async () => {
    const run = await runStsctl(['doctor', '--issuer', good.url], { env });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /✓ Issuer hosting[^\n]*bucket e2e-oidc: issuer objects public/);
  });
});
