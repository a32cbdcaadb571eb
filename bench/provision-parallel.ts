/**
 * Provisioning speed: `create-all` for the 7 real AWS CredentialsRequests on the sandbox, with a
 * fixed latency added to every AWS call at the gateway (real AWS calls take tens of milliseconds;
 * moto answers in one or two). Compares the run's wall time and critical path with a strictly
 * sequential run of the same calls (each call's measured duration, latency included, one after
 * another). Run: `npx tsx bench/provision-parallel.ts [--latency-ms 50]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingReporter } from '../src/commands/reporter.js';
import { provision } from '../src/commands/provision.js';
import { TraceRecorder } from '../src/aws/trace.js';
import { startSandbox } from '../src/sandbox/lifecycle.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const latencyMs = arg('--latency-ms', 50);
const credreqs = join(import.meta.dirname, '..', 'test', 'fixtures', 'credentials-requests', 'aws');
const tmp = mkdtempSync(join(tmpdir(), 'stsctl-bench-provision-'));
const sb = await startSandbox({ region: 'us-east-1' });
try {
  sb.gateway.setFaultInjector(() => ({ kind: 'delay', ms: latencyMs }));
  const rows: string[] = [];
  for (const hosting of ['public', 'cloudfront'] as const) {
    const name = `bench-${hosting}`;
    const trace = new TraceRecorder();
    const started = performance.now();
    const result = await provision(
      {
        scope: 'all',
        name,
        region: 'us-east-1',
        outputDir: join(tmp, name),
        credentialsRequestsDir: credreqs,
        hosting,
        enableTechPreview: false,
        roleNameMode: 'hash',
        forceKeys: false,
      },
      new RecordingReporter(),
      { clients: sb.clients('us-east-1', { maxAttempts: 8 }), fetcher: sb.issuerFetcher, trace },
    );
    const wall = performance.now() - started;
    const s = trace.summary();
    rows.push(
      `| ${hosting} | ${result.outcome.roleArns.size} | ${s.calls} | ${(wall / 1000).toFixed(2)} | ${(s.wallMs / 1000).toFixed(2)} | ${(s.criticalPathMs / 1000).toFixed(2)} (${s.criticalPathCalls} calls) | ${(s.sequentialMs / 1000).toFixed(2)} | ${((100 * s.wallMs) / s.sequentialMs).toFixed(0)}% |`,
    );
  }
  console.log(
    `machine: ${cpus().length} vCPU ${cpus()[0]?.model ?? ''}; node ${process.version}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; latency ${latencyMs} ms per AWS call`,
  );
  console.log(
    '| hosting | roles | AWS calls | run wall s (incl. key generation and files) | AWS wall s | critical path s | sequential s (same calls one after another) | AWS wall / sequential |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
} finally {
  await sb.stop();
  rmSync(tmp, { recursive: true, force: true });
}
