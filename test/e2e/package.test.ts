import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TEST_PUBLIC_KEY } from '../helpers/repo.js';

/**
 * The package as others get it: `npm pack`, installed into a fresh project, every documented entry
 * point imported, and every TypeScript example of docs/library.md compiled against it.
 */

const exec = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackageJson {
  readonly name: string;
  readonly exports: Record<string, unknown>;
}
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
/** Every entry the package exports (`stsctl`, `stsctl/core`, …), but its package.json. */
const ENTRIES = Object.keys(pkg.exports)
  .filter((k) => k !== './package.json')
  .map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`));

let project: string;

before(async () => {
  project = mkdtempSync(join(tmpdir(), 'stsctl-consumer-'));
  const packDir = join(project, 'pack');
  mkdirSync(packDir);
  await exec(NPM, ['pack', '--silent', '--pack-destination', packDir], { cwd: REPO_ROOT });
  const [tarball] = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  assert.ok(tarball !== undefined, 'npm pack made a tarball');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: {} }),
  );
  await exec(
    NPM,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', join(packDir, tarball)],
    { cwd: project, maxBuffer: 16 * 1024 * 1024 },
  );
});

after(() => rmSync(project, { recursive: true, force: true }));

test('the package documents every entry it exports', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'library.md'), 'utf8');
  for (const entry of ENTRIES) assert.ok(doc.includes(`\`${entry}\``), `docs/library.md names ${entry}`);
});

test('every entry point imports from the installed package, with its documented names', async () => {
  const script = `
    const expect = {
      'stsctl': ['createAll', 'kidFromSpki', 'RecordingReporter', 'StsctlError'],
      'stsctl/core': ['readPublicKeyPem', 'buildJwks', 'renderDiscoveryDocument', 'readCredentialsRequests'],
      'stsctl/webidentity': ['evaluateWebIdentity', 'evaluateTrustPolicy', 'RULES'],
      'stsctl/sts': ['startStsServer'],
      'stsctl/sandbox': ['startSandbox', 'startMoto', 'startEdge'],
      'stsctl/doctor': ['runDoctor', 'renderText', 'createIssuerFetcher', 'FINDINGS'],
      'stsctl/provision': ['provision', 'previewPlan', 'deleteResources'],
      'stsctl/cli': ['runCli'],
    };
    const out = {};
    for (const entry of ${JSON.stringify(ENTRIES)}) {
      const m = await import(entry);
      out[entry] = (expect[entry] ?? []).filter((name) => !(name in m));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
  const missing = JSON.parse(stdout) as Record<string, string[]>;
  assert.deepEqual(Object.keys(missing).sort(), [...ENTRIES].sort());
  for (const [entry, names] of Object.entries(missing)) assert.deepEqual(names, [], `${entry} exports them`);
});

test('no entry installs a global on import (the sandbox loads its certificate library on first use)', async () => {
  const script = `
    for (const entry of ${JSON.stringify(ENTRIES)}) await import(entry);
    process.stdout.write(JSON.stringify({ getMetadata: typeof Reflect.getMetadata, defineMetadata: typeof Reflect.defineMetadata }));
  `;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
  assert.deepEqual(JSON.parse(stdout), { getMetadata: 'undefined', defineMetadata: 'undefined' });
});

test('the root entry computes a kid and loads neither the CLI nor the AWS SDK', async () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { readPublicKeyPem } from 'stsctl';
    const key = readPublicKeyPem(readFileSync(${JSON.stringify(TEST_PUBLIC_KEY)}, 'utf8'));
    const loaded = Object.keys((await import('node:module')).createRequire(import.meta.url).cache);
    process.stdout.write(JSON.stringify({ kid: key.kid, Reflect: typeof Reflect.getMetadata, loaded }));
  `;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
  const result = JSON.parse(stdout) as { kid: string; Reflect: string; loaded: string[] };
  // The ccoctl test key's kid (test/fixtures/ccoctl-aws-derived/README.md).
  assert.equal(result.kid, 'vTM0nbCme-yk2IjmPYHm9h5pYmdR-9LztPbV76J2C6E');
  assert.equal(result.Reflect, 'undefined', 'no reflect-metadata polyfill installed on import');
  assert.deepEqual(
    result.loaded.filter((p) => /@aws-sdk|@smithy|commander|[/\\]dist[/\\]cli[/\\]/.test(p)),
    [],
  );
});

test("docs/library.md's examples compile against the installed package", async () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'library.md'), 'utf8');
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  assert.ok(blocks.length >= 6, `found ${blocks.length} examples`);
  const dir = join(project, 'examples');
  mkdirSync(dir, { recursive: true });
  blocks.forEach((code, i) => writeFileSync(join(dir, `example-${i + 1}.ts`), `${code}\nexport {};\n`));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
      },
      include: ['examples'],
    }),
  );
  try {
    await exec(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    assert.fail(`tsc failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
});
