#!/usr/bin/env node
// `npm run demo`: the main job, offline. Runs `stsctl create-all --dry-run` on the example
// CredentialsRequests and shows what it produced: the issuer documents, one role per component
// and the cluster manifests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');
const out = mkdtempSync(join(tmpdir(), 'stsctl-demo-'));
const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);

function stsctl(args) {
  console.log(bold(`\n$ stsctl ${args.join(' ')}`));
  const r = spawnSync(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  const warnings = (r.stderr ?? '').split('\n').filter((l) => l.startsWith('warning:'));
  if (warnings.length > 0) console.log(`(${warnings.length} warnings on stderr, e.g.: ${warnings[0]})`);
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(r.status ?? 1);
  }
}

function tree(dir) {
  const lines = [];
  const walk = (d) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else lines.push(`  ${(statSync(p).mode & 0o777).toString(8)}  ${relative(dir, p)}`);
    }
  };
  walk(dir);
  return lines.join('\n');
}

try {
  stsctl([
    'create-all',
    '--dry-run',
    '--name',
    'demo-cluster',
    '--region',
    'eu-west-1',
    '--credentials-requests-dir',
    join(root, 'examples', 'credentials-requests'),
    '--output-dir',
    out,
  ]);
  console.log(bold('\nFiles written (mode, path):'));
  console.log(tree(out));
  console.log(bold('\nDiscovery document (02-openid-configuration):'));
  console.log(readFileSync(join(out, '02-openid-configuration'), 'utf8'));
  const role = readdirSync(out).find((f) => /^05-\d+-.*ingress.*-role\.json$/.test(f));
  if (role !== undefined) {
    const doc = JSON.parse(readFileSync(join(out, role), 'utf8'));
    console.log(bold(`\nTrust policy of ${doc.RoleName}:`));
    console.log(JSON.stringify(JSON.parse(doc.AssumeRolePolicyDocument), null, 2));
  }
  console.log(bold('\nSecret for the ingress operator (dry run: role ARN still to fill in):'));
  console.log(
    readFileSync(
      join(out, 'manifests', 'openshift-ingress-operator-cloud-credentials-credentials.yaml'),
      'utf8',
    ),
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
