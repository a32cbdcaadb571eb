import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MODE_PRIVATE,
  roleArnOfRealSecret,
  secretManifest,
  StsctlAggregateError,
  StsctlError,
  type OutputFile,
} from '../../../src/core/index.js';
import { preflightOutputDirectory, writeOutputFiles } from '../../../src/files/output-writer.js';

/** The output writer against a real temporary directory: nothing escapes --output-dir, symlinks included. */

let tmp: string;
let n = 0;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-writer-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function fresh(): { out: string; outside: string } {
  n += 1;
  const out = join(tmp, `out-${n}`);
  const outside = join(tmp, `outside-${n}`);
  mkdirSync(outside);
  writeFileSync(join(outside, 'keep.txt'), 'untouched');
  return { out, outside };
}

/** Every file under `dir`, relative, with its content: to assert nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out[p.slice(dir.length + 1)] = readFileSync(p, 'utf8');
    }
  }
  return out;
}

const SECRET_PATH = 'manifests/ns-creds-credentials.yaml';
const REAL_SECRET = secretManifest({
  namespace: 'ns',
  name: 'creds',
  roleArn: 'arn:aws:iam::123456789012:role/c1-ns-creds',
});
const DRY_SECRET = secretManifest({ namespace: 'ns', name: 'creds', roleArn: '', dryRun: true });

const files: readonly OutputFile[] = [
  { path: 'serviceaccount-signer.private', content: 'KEY', mode: MODE_PRIVATE, secret: true },
  { path: 'tls/bound-service-account-signing-key.key', content: 'KEY', mode: MODE_PRIVATE, secret: true },
  { path: 'manifests/cluster-authentication-02-config.yaml', content: 'auth', mode: MODE_PRIVATE },
  { path: SECRET_PATH, content: DRY_SECRET, mode: MODE_PRIVATE },
];

function rejectsWith(codes: readonly string[]): (e: unknown) => boolean {
  return (e: unknown) => {
    const list = e instanceof StsctlAggregateError ? e.errors : e instanceof StsctlError ? [e] : [];
    assert.deepEqual(list.map((x) => x.code).sort(), [...codes].sort(), String(e));
    return true;
  };
}

describe('writeOutputFiles refuses to write outside the output directory', () => {
  test('a symlinked manifests/ pointing outside: refused, nothing written, the outside untouched', async () => {
    const { out, outside } = fresh();
    mkdirSync(out);
    symlinkSync(outside, join(out, 'manifests'));
    await assert.rejects(writeOutputFiles(out, files, { dryRun: true }), (e: unknown) => {
      assert.ok(e instanceof StsctlError && e.code === 'OUTPUT_PATH_ESCAPE');
      assert.equal(e.file, join(out, 'manifests'));
      assert.match(e.message, /symbolic link to .*outside-\d+, outside the output directory/);
      return true;
    });
    assert.deepEqual(snapshot(outside), { 'keep.txt': 'untouched' });
    assert.deepEqual(readdirSync(out), ['manifests']);
  });

  test('a symlinked tls/ and a symlinked file pointing outside are both reported', async () => {
    const { out, outside } = fresh();
    mkdirSync(join(out, 'manifests'), { recursive: true });
    symlinkSync(outside, join(out, 'tls'));
    symlinkSync(join(outside, 'keep.txt'), join(out, SECRET_PATH));
    await assert.rejects(
      writeOutputFiles(out, files),
      rejectsWith(['OUTPUT_PATH_ESCAPE', 'OUTPUT_PATH_ESCAPE']),
    );
    assert.deepEqual(snapshot(outside), { 'keep.txt': 'untouched' });
  });

  test('a symlink that stays inside the output directory is followed', async () => {
    const { out } = fresh();
    mkdirSync(join(out, 'real-manifests'), { recursive: true });
    symlinkSync(join(out, 'real-manifests'), join(out, 'manifests'));
    await writeOutputFiles(out, files);
    assert.equal(
      readFileSync(join(out, 'real-manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      'auth',
    );
  });

  test('the output directory itself may be a symlink (the user chose it)', async () => {
    const { out, outside } = fresh();
    symlinkSync(outside, out);
    await writeOutputFiles(out, files);
    assert.equal(
      readFileSync(join(outside, 'manifests', 'cluster-authentication-02-config.yaml'), 'utf8'),
      'auth',
    );
  });

  test('paths that are not plain relative paths are refused before anything is touched', async () => {
    const { out } = fresh();
    for (const path of ['../escape.yaml', '/tmp/abs.yaml', 'manifests/../../x', 'a\u0000b']) {
      await assert.rejects(
        writeOutputFiles(out, [{ path, content: 'x', mode: MODE_PRIVATE }]),
        rejectsWith(['OUTPUT_PATH_INVALID']),
      );
    }
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(join(tmp, 'escape.yaml')), false);
  });
});

describe('preflightOutputDirectory finds every problem at once, writing nothing', () => {
  test('a file where manifests/ must be, a directory where a file must be, a different private key', async () => {
    const { out } = fresh();
    mkdirSync(join(out, 'tls', 'bound-service-account-signing-key.key'), { recursive: true });
    writeFileSync(join(out, 'manifests'), 'a file');
    writeFileSync(join(out, 'serviceaccount-signer.private'), 'OTHER KEY');
    const before = snapshot(out);
    await assert.rejects(preflightOutputDirectory(out, files), (e: unknown) => {
      assert.ok(e instanceof StsctlAggregateError);
      assert.equal(e.code, 'OUTPUT_DIR_INVALID');
      assert.equal(e.kind, 'usage');
      const byCode = new Map(e.errors.map((x) => [x.code, x]));
      assert.deepEqual([...byCode.keys()].sort(), [
        'KEY_EXISTS_DIFFERENT',
        'OUTPUT_IS_DIRECTORY',
        'OUTPUT_NOT_A_DIRECTORY',
      ]);
      assert.equal(byCode.get('OUTPUT_NOT_A_DIRECTORY')?.file, join(out, 'manifests'));
      assert.match(
        e.describe(),
        /manifests is a file, but manifests\/cluster-authentication-02-config\.yaml must be written inside it/,
      );
      return true;
    });
    assert.deepEqual(snapshot(out), before);
  });

  test('only paths are needed: a real run checks its manifests before their content is known', async () => {
    const { out } = fresh();
    mkdirSync(out);
    writeFileSync(join(out, 'manifests'), 'a file');
    await assert.rejects(
      preflightOutputDirectory(out, [
        { path: 'manifests/cluster-authentication-02-config.yaml' },
        { path: SECRET_PATH },
      ]),
      rejectsWith(['OUTPUT_NOT_A_DIRECTORY']),
    );
  });

  test('an --output-dir below a file is refused', async () => {
    const { out } = fresh();
    writeFileSync(out, 'a file');
    await assert.rejects(preflightOutputDirectory(join(out, 'sub'), files), (e: unknown) => {
      assert.ok(e instanceof StsctlError && e.code === 'OUTPUT_NOT_A_DIRECTORY');
      assert.equal(e.file, out);
      return true;
    });
  });

  test(
    'an unwritable output directory',
    { skip: process.getuid?.() === 0 ? 'root writes anywhere' : false },
    async () => {
      const { out } = fresh();
      mkdirSync(out);
      chmodSync(out, 0o500);
      try {
        await assert.rejects(preflightOutputDirectory(out, files), rejectsWith(['OUTPUT_NOT_WRITABLE']));
      } finally {
        chmodSync(out, 0o700);
      }
    },
  );

  test('a clean or missing directory passes', async () => {
    const { out } = fresh();
    await preflightOutputDirectory(out, files);
    assert.equal(existsSync(out), false);
  });
});

describe("a dry run never replaces a real run's Secret", () => {
  test('refused with the file named; the real Secret is kept', async () => {
    const { out } = fresh();
    mkdirSync(join(out, 'manifests'), { recursive: true });
    writeFileSync(join(out, SECRET_PATH), REAL_SECRET);
    await assert.rejects(writeOutputFiles(out, files, { dryRun: true }), (e: unknown) => {
      assert.ok(e instanceof StsctlError && e.code === 'DRY_RUN_WOULD_REPLACE');
      assert.equal(e.kind, 'usage');
      assert.equal(e.file, join(out, SECRET_PATH));
      assert.match(e.message, /role_arn = arn:aws:iam::123456789012:role\/c1-ns-creds/);
      return true;
    });
    assert.equal(readFileSync(join(out, SECRET_PATH), 'utf8'), REAL_SECRET);
    assert.equal(existsSync(join(out, 'serviceaccount-signer.private')), false);
  });

  test("a previous dry run's placeholder Secret is replaced; a real run replaces a real Secret", async () => {
    const { out } = fresh();
    mkdirSync(join(out, 'manifests'), { recursive: true });
    writeFileSync(join(out, SECRET_PATH), DRY_SECRET.replace('creds', 'old'));
    const written = await writeOutputFiles(out, files, { dryRun: true });
    assert.equal(written.find((w) => w.path === SECRET_PATH)?.action, 'updated');
    const real = { path: SECRET_PATH, content: REAL_SECRET.replace('c1-', 'c2-'), mode: MODE_PRIVATE };
    writeFileSync(join(out, SECRET_PATH), REAL_SECRET);
    await writeOutputFiles(out, [real]);
    assert.equal(readFileSync(join(out, SECRET_PATH), 'utf8'), real.content);
  });

  test('the same content is not a replacement', async () => {
    const { out } = fresh();
    mkdirSync(join(out, 'manifests'), { recursive: true });
    writeFileSync(join(out, SECRET_PATH), REAL_SECRET);
    const [w] = await writeOutputFiles(
      out,
      [{ path: SECRET_PATH, content: REAL_SECRET, mode: MODE_PRIVATE }],
      {
        dryRun: true,
      },
    );
    assert.equal(w?.action, 'unchanged');
  });
});

describe('roleArnOfRealSecret', () => {
  test('a real Secret gives its role ARN, in any partition', () => {
    assert.equal(roleArnOfRealSecret(REAL_SECRET), 'arn:aws:iam::123456789012:role/c1-ns-creds');
    const cn = secretManifest({ namespace: 'n', name: 's', roleArn: 'arn:aws-cn:iam::123456789012:role/r' });
    assert.equal(roleArnOfRealSecret(cn), 'arn:aws-cn:iam::123456789012:role/r');
  });

  test('a dry-run Secret, an empty role_arn, another document or garbage give none', () => {
    assert.equal(roleArnOfRealSecret(DRY_SECRET), undefined);
    assert.equal(roleArnOfRealSecret(secretManifest({ namespace: 'n', name: 's', roleArn: '' })), undefined);
    assert.equal(
      roleArnOfRealSecret('kind: ConfigMap\nstringData:\n  credentials: "role_arn = arn:aws:iam::1:role/x"'),
      undefined,
    );
    assert.equal(roleArnOfRealSecret('::: not yaml'), undefined);
    assert.equal(roleArnOfRealSecret(''), undefined);
  });
});
