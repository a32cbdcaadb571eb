/**
 * Fleet issuer scaling: adding one cluster to a fleet (`--shared-issuer`) costs a constant number
 * of AWS calls — no distribution update and nothing listed in proportion to the fleet. Builds a
 * fleet of N clusters in the sandbox (each with one role, sharing one signing key so the build is
 * not dominated by RSA key generation), and at each checkpoint adds one cluster with the 7 real
 * AWS CredentialsRequests, recording its AWS calls (the `--trace` recorder) and wall time.
 * Run: `npx tsx bench/fleet-add.ts [--clusters 200] [--checkpoints 10,200]`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingReporter } from '../src/commands/reporter.js';
import { createKeyPair } from '../src/commands/create.js';
import { provision, type ProvisionOptions } from '../src/commands/provision.js';
import { TraceRecorder } from '../src/aws/trace.js';
import { startSandbox } from '../src/sandbox/lifecycle.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const clusters = Number(arg('--clusters', '200'));
const checkpoints = arg('--checkpoints', `10,${clusters}`)
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0 && n <= clusters)
  .sort((a, b) => a - b);
if (!Number.isInteger(clusters) || clusters < 1 || checkpoints.length === 0) {
  console.error('usage: npx tsx bench/fleet-add.ts [--clusters N] [--checkpoints a,b,…] (each ≤ N)');
  process.exit(2);
}

const FLEET = 'benchfleet';
const region = 'us-east-1';
const credreqs = join(import.meta.dirname, '..', 'test', 'fixtures', 'credentials-requests', 'aws');
const tmp = mkdtempSync(join(tmpdir(), 'stsctl-bench-fleet-'));
// The fleet's filler clusters each serve one CredentialsRequest: enough to be a real member
// (documents, provider, a role), cheap enough to build hundreds.
const oneRequest = join(tmp, 'one-request');
mkdirSync(oneRequest);
const first = readdirSync(credreqs).sort()[0] ?? '';
copyFileSync(join(credreqs, first), join(oneRequest, first));
const sb = await startSandbox({ region });
try {
  await createKeyPair({ outputDir: join(tmp, 'key') }, new RecordingReporter());
  const options = (name: string, requestsDir: string): ProvisionOptions => ({
    scope: 'all',
    name,
    region,
    outputDir: join(tmp, name),
    credentialsRequestsDir: requestsDir,
    publicKeyFile: join(tmp, 'key', 'serviceaccount-signer.public'),
    hosting: 'cloudfront',
    sharedIssuer: FLEET,
    enableTechPreview: false,
    roleNameMode: 'hash',
    forceKeys: false,
  });
  const deps = (trace?: TraceRecorder) => ({
    clients: sb.clients(region, { maxAttempts: 8 }),
    fetcher: sb.issuerFetcher,
    ...(trace === undefined ? {} : { trace }),
  });
  const rows: string[] = [];
  const buildStarted = performance.now();
  let size = 0;
  for (const target of checkpoints) {
    for (; size < target; size++)
      await provision(options(`c${size}`, oneRequest), new RecordingReporter(), deps());
    const trace = new TraceRecorder();
    const started = performance.now();
    const result = await provision(options(`added${size}`, credreqs), new RecordingReporter(), deps(trace));
    const wall = performance.now() - started;
    size += 1;
    const s = trace.summary();
    const cloudfrontWrites = trace.calls.filter(
      (c) => c.service === 'CloudFront' && !/^(Get|List)/.test(c.operation),
    );
    const byService = new Map<string, number>();
    for (const c of trace.calls) byService.set(c.service, (byService.get(c.service) ?? 0) + 1);
    rows.push(
      `| ${target} | ${result.outcome.roleArns.size} | ${s.calls} | ${[...byService].map(([k, v]) => `${k} ${v}`).join(', ')} | ${cloudfrontWrites.length} | ${(wall / 1000).toFixed(2)} | ${(s.criticalPathMs / 1000).toFixed(2)} |`,
    );
  }
  console.log(
    `machine: ${cpus().length} vCPU ${cpus()[0]?.model ?? ''}; node ${process.version}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; fleet built to ${size} clusters in ${((performance.now() - buildStarted) / 1000).toFixed(0)} s`,
  );
  console.log(
    '| fleet size before the add | roles of the added cluster | AWS calls | by service | CloudFront writes | run wall s | AWS critical path s |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
} finally {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
}
