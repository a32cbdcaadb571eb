import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { provision } from '../../../src/commands/provision.js';
import { RecordingReporter } from '../../../src/commands/reporter.js';
import { mintServiceAccountToken, readPrivateKeyPem } from '../../../src/core/index.js';
import { isConcrete } from '../../../src/doctor/fix.js';
import type { Finding } from '../../../src/doctor/report.js';
import type { Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDENTIALS_REQUESTS, createAllOptions } from '../../helpers/provision.js';

/** The doctor suites' Lambda-hosted cluster, and the fix runner they apply findings with. */

const run = promisify(execFile);

/** A cluster provisioned with `--hosting lambda`, seen from its first component. */
export interface LambdaCluster {
  /** `https://<url-id>.lambda-url.<region>.on.aws`. */
  readonly issuer: string;
  /** The first CredentialsRequest's role, as its Secret names it. */
  readonly roleArn: string;
  /** A token of that component's first service account, signed by the cluster's key. */
  readonly token: string;
  /** The issuer function (the sandbox holds no other). */
  readonly functionName: string;
}

/**
 * `create-all --hosting lambda` of the fixture CredentialsRequests into `<root>/<name>` on the
 * sandbox, then what the doctor suites diagnose: the first component's role ARN (read from its
 * Secret, as the cluster would), a token for its first service account and the function's name.
 */
export async function provisionLambdaCluster(
  sb: Sandbox,
  root: string,
  name: string,
  region: string,
): Promise<LambdaCluster> {
  const aws = sb.clients();
  const result = await provision(createAllOptions(root, name, region, 'lambda'), new RecordingReporter(), {
    clients: aws,
    fetcher: sb.issuerFetcher,
  });
  const issuer = result.outcome.issuer;
  const r = AWS_CREDENTIALS_REQUESTS[0];
  assert.ok(r !== undefined);
  const secret = await readFile(
    join(root, name, 'manifests', `${r.secretRef.namespace}-${r.secretRef.name}-credentials.yaml`),
    'utf8',
  );
  const roleArn = /role_arn = (\S+)/.exec(secret)?.[1] ?? '';
  const key = readPrivateKeyPem(await readFile(join(root, name, 'serviceaccount-signer.private'), 'utf8'));
  const token = await mintServiceAccountToken({
    issuer,
    namespace: r.secretRef.namespace,
    serviceAccount: r.serviceAccountNames[0] ?? '',
    privateKey: key.key,
    kid: key.publicKey.kid,
  });
  const functions = await aws.lambda.send(new ListFunctionsCommand({}));
  const functionName = functions.Functions?.[0]?.FunctionName ?? '';
  assert.notEqual(functionName, '');
  return { issuer, roleArn, token, functionName };
}

/**
 * Applies a finding's fix as printed: it must be data with every value filled; each step's files
 * are written into a fresh directory under `root`, then its `aws …` argv runs with execFile (no
 * shell) against the sandbox. Returns the argv lines run.
 */
export async function applyFindingFix(finding: Finding, sb: Sandbox, root: string): Promise<string[][]> {
  const fix = finding.remedy;
  assert.ok(fix !== undefined, `no fix as data: ${JSON.stringify(finding)}`);
  assert.ok(isConcrete(fix), JSON.stringify(fix));
  const dir = join(root, `fix-${String(Date.now())}`);
  await mkdir(dir);
  const ran: string[][] = [];
  for (const step of fix.steps) {
    assert.equal(step.kind, 'aws-cli');
    assert.equal(step.argv[0], 'aws');
    for (const f of step.files ?? []) await writeFile(join(dir, f.name), f.content);
    await run('aws', step.argv.slice(1), {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...sb.env() },
      cwd: dir,
    });
    ran.push([...step.argv]);
  }
  return ran;
}
