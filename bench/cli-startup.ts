/**
 * CLI and library start-up: wall time of short processes, beside a bare `node -e ''` started the
 * same way. Each command runs `--runs` times (after 3 warm-up runs, so the file cache is warm), in
 * an interleaved order so a burst of other work on the machine touches every command alike.
 *
 *   npm run build && npx tsx bench/cli-startup.ts [--runs 30]
 *
 * Prints machine info and min / median / p90 per command, and each median as a multiple of bare
 * Node's; recorded in docs/PERFORMANCE.md ("CLI start-up"). Goal: `--version` within 1.5x.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO_ROOT } from '../test/helpers/repo.js';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 30;
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--runs must be a positive integer\n');
  process.exit(2);
}

const commands: [string, string[]][] = [
  ["node -e ''", ['-e', '']],
  ['stsctl --version', [CLI, '--version']],
  ['stsctl --help', [CLI, '--help']],
  ['stsctl create-all --help', [CLI, 'create-all', '--help']],
  ['stsctl doctor --help', [CLI, 'doctor', '--help']],
  [
    "import 'stsctl' (root entry)",
    ['--input-type=module', '-e', `await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'index.js'))})`],
  ],
  [
    "import 'stsctl/provision'",
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'commands', 'index.js'))})`,
    ],
  ],
];

function once(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const times = new Map<string, number[]>(commands.map(([name]) => [name, []]));
for (let w = 0; w < 3; w++) for (const [, args] of commands) once(args);
for (let r = 0; r < runs; r++) {
  for (const [name, args] of commands) times.get(name)?.push(once(args));
}

const q = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `${new Date().toISOString()}  node ${process.version}  ${cpus().length} x ${cpu}  load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`${runs} runs each (after 3 warm-up runs), wall time of the whole process, ms`);
const bare = q(
  [...(times.get("node -e ''") ?? [])].sort((a, b) => a - b),
  0.5,
);
console.log('| command | min | median | p90 | median / bare node |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name] of commands) {
  const s = [...(times.get(name) ?? [])].sort((a, b) => a - b);
  console.log(
    `| \`${name}\` | ${q(s, 0).toFixed(0)} | ${q(s, 0.5).toFixed(0)} | ${q(s, 0.9).toFixed(0)} | ${(q(s, 0.5) / bare).toFixed(2)}x |`,
  );
}
