/**
 * Throughput and latency of `AssumeRoleWithWebIdentity`: the validating STS (every request fully
 * validated by the web-identity model: RSA-4096 signature, issuer, audience, trust policy) against
 * moto's own STS (which validates nothing, aws-sts-oidc.md §10), same requests, same run.
 *
 *   npx tsx bench/sts-throughput.ts [--requests 20000] [--concurrency 16] [--tokens 64]
 *
 * Starts moto_server and a local HTTPS issuer, creates the OIDC provider and role in moto, mints
 * RSA-4096 tokens, warms both targets, measures, prints a table with machine info, and stops
 * everything it started. Figures are recorded in docs/PERFORMANCE.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startStsFixture } from '../test/integration/sts/support/fixture.js';
import type { LoadResult } from './support/load-client.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const REQUESTS = flag('requests', 20000);
const CONCURRENCY = flag('concurrency', 16);
const TOKENS = flag('tokens', 64);
const WARMUP = Math.min(400, REQUESTS);

const clientScript = fileURLToPath(new URL('./support/load-client.ts', import.meta.url));

/** Runs the load generator in its own process (its own core) and returns its measurements. */
function load(url: string, requests: number, bodies: readonly string[]): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', clientScript], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`load client exited with ${code}`));
        return;
      }
      resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as LoadResult);
    });
    child.stdin.end(JSON.stringify({ url, concurrency: CONCURRENCY, requests, bodies }));
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/**
 * CPU time of this process's main thread (the event loop) and of all its other threads (the libuv
 * pool that runs crypto jobs, V8's GC helpers), in µs, from /proc/self/task (Linux); undefined
 * elsewhere. The main thread is the server's serial bottleneck, so its share is reported apart.
 */
function threadCpuUs(): { readonly main: number; readonly others: number } | undefined {
  try {
    const ticksPerSecond = 100; // USER_HZ; Linux reports clock ticks of 10 ms in /proc
    let main = 0;
    let others = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      if (Number(tid) === process.pid) main += ticks;
      else others += ticks;
    }
    return { main: (main * 1e6) / ticksPerSecond, others: (others * 1e6) / ticksPerSecond };
  } catch {
    return undefined;
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function motoVersion(): string {
  try {
    return execFileSync('python3', ['-c', 'import moto; print(moto.__version__)'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

interface Row {
  readonly target: string;
  readonly result: LoadResult;
}

function rps(r: LoadResult): number {
  return (r.requests * 1000) / r.durationMs;
}

function printTable(rows: readonly Row[]): void {
  const header = ['target', 'requests', 'conc', 'statuses', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms'];
  const lines = rows.map((r) => [
    r.target,
    String(r.result.requests),
    String(CONCURRENCY),
    Object.entries(r.result.statusCounts)
      .map(([s, n]) => `${s}×${n}`)
      .join(' '),
    rps(r.result).toFixed(0),
    percentile(r.result.latenciesMs, 50).toFixed(2),
    percentile(r.result.latenciesMs, 95).toFixed(2),
    percentile(r.result.latenciesMs, 99).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  console.log(fmt(header));
  console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |');
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<void> {
  console.log(`machine: ${availableParallelism()} CPUs, ${cpuModel()}`);
  console.log(`node ${process.version}, moto ${motoVersion()}, ${new Date().toISOString()}`);
  console.log(
    `load average before start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`requests ${REQUESTS}, concurrency ${CONCURRENCY}, distinct RSA-4096 tokens ${TOKENS}`);
  const fixture = await startStsFixture({ cacheTtlMs: 60_000 });
  try {
    const tokens = await Promise.all(
      Array.from({ length: TOKENS }, () => fixture.mint({ expirationSeconds: 3600 })),
    );
    const bodies = tokens.map((token, i) =>
      new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: fixture.roleArn,
        RoleSessionName: `bench-${i}`,
        WebIdentityToken: token,
      }).toString(),
    );
    // Sanity: the validating STS refuses what moto would accept.
    const forged = bodies[0]!.replace(/WebIdentityToken=[^&]+/, (m) => m.slice(0, -8) + 'AAAAAAAA');
    const refused = await load(fixture.sts.url, 1, [forged]);
    const refusedWithTamperedSignature = refused.statusCounts['400'] === 1;

    const rows: Row[] = [];
    await load(fixture.sts.url, WARMUP, bodies);
    // CPU of this process (server + its crypto thread pool) per request: a figure that stays
    // meaningful on a machine shared with other work, unlike req/s.
    const cpuBefore = process.cpuUsage();
    const threadsBefore = threadCpuUs();
    rows.push({
      target: 'validating STS (stsctl)',
      result: await load(fixture.sts.url, REQUESTS, bodies),
    });
    const cpu = process.cpuUsage(cpuBefore);
    const threadsAfter = threadCpuUs();
    const serverCpuUsPerRequest = (cpu.user + cpu.system) / REQUESTS;
    await load(fixture.moto.endpoint, WARMUP, bodies);
    rows.push({
      target: 'moto STS (no validation)',
      result: await load(fixture.moto.endpoint, REQUESTS, bodies),
    });
    console.log('');
    printTable(rows);
    const [ours, moto] = rows;
    if (ours !== undefined && moto !== undefined) {
      console.log(`\nthroughput ratio validating/moto: ${(rps(ours.result) / rps(moto.result)).toFixed(1)}x`);
    }
    console.log(
      `validating STS CPU per request (server process, all threads): ${(serverCpuUsPerRequest / 1000).toFixed(3)} ms`,
    );
    if (threadsBefore !== undefined && threadsAfter !== undefined) {
      const perRequest = (us: number): string => (us / REQUESTS / 1000).toFixed(3);
      console.log(
        `  of which main thread ${perRequest(threadsAfter.main - threadsBefore.main)} ms, ` +
          `other threads (libuv pool, GC) ${perRequest(threadsAfter.others - threadsBefore.others)} ms ` +
          '(/proc, 10 ms ticks)',
      );
    }
    if (ours !== undefined && moto !== undefined) {
      // The load generator shares the 2 cores with the server: its CPU is CPU the server lacks.
      console.log(
        `load generator CPU per request: ${(ours.result.clientCpuMs / ours.result.requests).toFixed(3)} ms ` +
          `against the validating STS, ${(moto.result.clientCpuMs / moto.result.requests).toFixed(3)} ms against moto`,
      );
    }
    console.log(
      `load average after the run: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `tampered signature refused by validating STS: ${refusedWithTamperedSignature ? 'yes' : 'NO'}`,
    );
    const stats = fixture.sts.stats;
    console.log(
      `server stats: ok=${stats.assumeRoleWithWebIdentity.ok} failed=${stats.assumeRoleWithWebIdentity.failed} ` +
        `iamCalls=${stats.iamCalls} issuerFetches=${stats.issuerFetches}`,
    );
  } finally {
    await fixture.close();
  }
}

await main();
