import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { runStsctl, sandboxCliEnv } from '../helpers/cli.js';
import { cliSandbox } from '../helpers/cli-sandbox.js';
import { CREDREQS } from '../helpers/repo.js';
import { type Sandbox } from '../../src/sandbox/lifecycle.js';

/** Problems a user can fix are found before anything is changed, with one clear error. */

let sb: Sandbox;
let tmp: string;
let env: NodeJS.ProcessEnv;

cliSandbox('stsctl-e2e-robust-', { region: 'us-east-1' }, (box) => {
  ({ sb, tmp, env } = box);
});

test('delete without AWS credentials fails at once with a credentials error, not "nothing to delete"', async () => {
  const home = join(tmp, 'no-credentials');
  mkdirSync(home);
  const noCredentials: NodeJS.ProcessEnv = {
    ...sandboxCliEnv(sb.env(), home),
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    // No instance metadata on a laptop: the SDK's last resort would wait for it otherwise.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const run = await runStsctl(['delete', '--name', 'nocreds', '--region', 'us-east-1', '--yes'], {
    env: noCredentials,
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /error: finding AWS credentials: CredentialsProviderError/);
  assert.match(run.stderr, /hint: configure AWS credentials/);
  assert.doesNotMatch(run.stdout + run.stderr, /nothing to delete|bucket/i);
});

test('a file where manifests/ must be is refused before any AWS resource exists', async () => {
  const out = join(tmp, 'blocked');
  mkdirSync(out);
  writeFileSync(join(out, 'manifests'), 'not a directory\n');
  const run = await runStsctl(
    [
      'create-all',
      '--name',
      'blocked',
      '--region',
      'us-east-1',
      '--credentials-requests-dir',
      join(CREDREQS, 'aws'),
      '--output-dir',
      out,
    ],
    { env },
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /manifests.*(is a file|not a directory)/i);
  const aws = sb.clients();
  await assert.rejects(aws.s3.send(new HeadBucketCommand({ Bucket: 'blocked-oidc' })), /NotFound|404/);
  const roles = await aws.iam.send(new ListRolesCommand({}));
  assert.deepEqual(
    (roles.Roles ?? []).map((r) => r.RoleName).filter((n) => n?.startsWith('blocked-')),
    [],
  );
});
