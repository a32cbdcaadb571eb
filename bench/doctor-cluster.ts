/**
 * `stsctl doctor` on a full cluster: the 7 real AWS CredentialsRequests of the fixtures, diagnosed
 * through the Kubernetes API (a local server answering real-shaped objects and TokenRequests),
 * with IAM, S3 and the issuer in the sandbox, and 50 ms injected latency on every request: every
 * AWS API call (gateway `delay` fault), every issuer fetch (a delaying wrapper around the sandbox's
 * issuer fetcher) and every Kubernetes request. Target: under 2 s end to end.
 *
 *   npx tsx bench/doctor-cluster.ts [--runs 5] [--latency 50]
 *
 * Prints machine info and per-run figures; recorded in docs/PERFORMANCE.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { gatherCluster } from '../src/doctor/gather.js';
import { createKubeClient } from '../src/doctor/kube/client.js';
import { loadKubeconfig } from '../src/doctor/kube/kubeconfig.js';
import { runDoctor } from '../src/doctor/run.js';
import { startSandbox } from '../src/sandbox/lifecycle.js';
import type { IssuerView } from '../src/webidentity/types.js';
import { CREDREQS } from '../test/helpers/repo.js';
import {
  fixtureCredentialsRequests,
  provisionCluster,
  startFakeKube,
} from '../test/integration/doctor/fake-kube.js';
import { publicIssuer, rsaKey, sandboxObserver } from '../test/integration/doctor/support.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

const RUNS = flag('runs', 5);
const LATENCY = flag('latency', 50);

const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
console.log(
  `machine: ${availableParallelism()} vCPU, ${cpu}, node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`date: ${new Date().toISOString()}; latency injected per request: ${LATENCY} ms; runs: ${RUNS}`);

const sb = await startSandbox({ region: 'us-east-1' });
const dir = await mkdtemp(join(tmpdir(), 'stsctl-bench-doctor-'));
try {
  const key = rsaKey();
  const aws = sb.clients();
  const issuer = (await publicIssuer(aws, key, 'bench')).url;
  const requests = await fixtureCredentialsRequests(
    join(CREDREQS, 'aws'),
    readdirSync(join(CREDREQS, 'aws')).filter((f) => f.endsWith('.yaml')),
  );
  const cluster = await provisionCluster(aws, { name: 'bench', issuer, signer: key, requests });
  const leaf = await sb.cas.sandbox.issueLeaf({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const kube = await startFakeKube(cluster, { keyPem: leaf.keyPem, certPem: leaf.chainPem, token: 'bench' });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    stringify({
      clusters: [
        {
          name: 'c',
          cluster: {
            server: kube.url,
            'certificate-authority-data': Buffer.from(sb.cas.sandbox.rootPem).toString('base64'),
          },
        },
      ],
      users: [{ name: 'u', user: { token: 'bench' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );

  // 50 ms on every request: AWS APIs (gateway), Kubernetes, and the issuer fetches.
  let awsCalls = 0;
  let issuerFetches = 0;
  sb.gateway.setFaultInjector(() => {
    awsCalls++;
    return LATENCY > 0 ? { kind: 'delay', ms: LATENCY } : undefined;
  });
  cluster.delayMs = LATENCY;
  const slowIssuer: IssuerView = {
    async fetch(url) {
      issuerFetches++;
      if (LATENCY > 0) await sleep(LATENCY);
      return sb.issuerFetcher.fetch(url);
    },
  };

  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const observer = sandboxObserver(sb);
    awsCalls = 0;
    issuerFetches = 0;
    const kubeBefore = kube.requests.length;
    const started = performance.now();
    const target = await gatherCluster(createKubeClient(await loadKubeconfig(kubeconfig)));
    const report = await runDoctor(target, { issuer: slowIssuer, aws: observer, now: () => new Date() });
    const ms = performance.now() - started;
    observer.destroy();
    times.push(ms);
    const components = report.components.filter((c) => c.kind === 'component');
    const verdicts = components.flatMap((c) => c.verdicts);
    console.log(
      `run ${run + 1}: ${ms.toFixed(0)} ms — ${components.length} components, ${verdicts.length} tokens judged (${verdicts.filter((v) => v.ok).length} granted), ` +
        `${report.summary.errors} errors; requests: kube ${kube.requests.length - kubeBefore}, AWS ${awsCalls}, issuer ${issuerFetches}`,
    );
    if (components.length !== 7 || report.summary.errors !== 0)
      throw new Error('unexpected report: the cluster should be healthy');
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(
    `min ${sorted[0]?.toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (target < 2000 ms)`,
  );
  await kube.stop();
} finally {
  await sb.stop();
  await rm(dir, { recursive: true, force: true });
}
