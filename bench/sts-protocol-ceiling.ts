/**
 * The validating STS's own cost, without the model: the server with a constant-answer evaluator,
 * so what is measured is HTTP, Query parsing, credential minting and XML only. Tells how much of
 * a validated request (bench/sts-throughput.ts) is the server and how much the web-identity model.
 *
 *   npx tsx bench/sts-protocol-ceiling.ts [--requests 30000] [--concurrency 16]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startStsServer, type WebIdentityEvaluator } from '../src/sts/index.js';
import type { LoadResult } from './support/load-client.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const REQUESTS = flag('requests', 30_000);
const CONCURRENCY = flag('concurrency', 16);
const clientScript = fileURLToPath(new URL('./support/load-client.ts', import.meta.url));

const constantGrant: WebIdentityEvaluator = () =>
  Promise.resolve({
    ok: true,
    steps: [],
    grant: {
      roleArn: 'arn:aws:iam::123456789012:role/bench',
      roleId: 'AROAEXAMPLEEXAMPLE01',
      roleSessionName: 'bench',
      assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/bench/bench',
      assumedRoleId: 'AROAEXAMPLEEXAMPLE01:bench',
      durationSeconds: 3600,
      provider: 'arn:aws:iam::123456789012:oidc-provider/bench-oidc.s3.us-east-1.amazonaws.com',
      audience: 'openshift',
      subjectFromWebIdentityToken: 'system:serviceaccount:bench:bench',
    },
  });

const sts = await startStsServer({
  region: 'us-east-1',
  // Never called: an unparseable RoleArn makes the IAM view empty without a read.
  iam: { endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } },
  issuer: { fetch: () => Promise.reject(new Error('not used')) },
  evaluate: constantGrant,
});
try {
  // A token-sized parameter, so parsing costs what it costs with a real RSA-4096 token.
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: 'not-an-arn',
    RoleSessionName: 'bench',
    WebIdentityToken: 'x'.repeat(1400),
  }).toString();
  const child = spawn(process.execPath, ['--import', 'tsx', clientScript], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const cpuBefore = process.cpuUsage();
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.stdin.end(
    JSON.stringify({ url: sts.url, concurrency: CONCURRENCY, requests: REQUESTS, bodies: [body] }),
  );
  await exited;
  const cpu = process.cpuUsage(cpuBefore);
  const result = JSON.parse(Buffer.concat(out).toString('utf8')) as LoadResult;
  const rps = (result.requests * 1000) / result.durationMs;
  console.log(`node ${process.version}; requests ${REQUESTS}, concurrency ${CONCURRENCY}`);
  console.log(`statuses ${JSON.stringify(result.statusCounts)}`);
  console.log(
    `protocol layer: ${rps.toFixed(0)} req/s, ${((cpu.user + cpu.system) / REQUESTS).toFixed(1)} µs CPU per request`,
  );
  console.log(`load generator: ${((result.clientCpuMs * 1000) / REQUESTS).toFixed(1)} µs CPU per request`);
} finally {
  await sts.close();
}
