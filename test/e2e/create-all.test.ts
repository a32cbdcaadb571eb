import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { runStsctl } from '../helpers/cli.js';
import { CCOCTL_DERIVED, CREDREQS, TEST_PUBLIC_KEY } from '../helpers/repo.js';

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'stsctl-e2e-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

describe('stsctl create-all --dry-run on the real CredentialsRequests', () => {
  let out: string;
  let run: Awaited<ReturnType<typeof runStsctl>>;
  before(async () => {
    out = join(tmp, 'all', 'nested');
    run = await runStsctl([
      'create-all',
      '--dry-run',
      '--name',
      'test-infra-name',
      '--region',
      'us-west-2',
      '--credentials-requests-dir',
      join(CREDREQS, 'aws'),
      '--output-dir',
      out,
    ]);
  });

  test('exits 0 and writes keys, tls/, identity provider files, 7 roles + policies and 7 Secrets', () => {
    assert.equal(run.code, 0, run.stderr);
    const files = listFiles(out);
    for (const f of [
      'serviceaccount-signer.private',
      'serviceaccount-signer.public',
      'tls/bound-service-account-signing-key.key',
      '01-oidc-bucket.json',
      '02-openid-configuration',
      '03-keys.json',
      '04-iam-identity-provider.json',
      'manifests/cluster-authentication-02-config.yaml',
    ]) {
      assert.ok(files.includes(f), f);
    }
    assert.equal(files.filter((f) => /^05-\d-.*-role\.json$/.test(f)).length, 7);
    assert.equal(files.filter((f) => /^06-\d-.*-policy\.json$/.test(f)).length, 7);
    assert.equal(files.filter((f) => /^manifests\/.*-credentials\.yaml$/.test(f)).length, 7);
  });

  test('private key and its tls/ copy are 0600 and identical; manifests 0600', () => {
    assert.equal(mode(join(out, 'serviceaccount-signer.private')), '600');
    assert.equal(mode(join(out, 'tls/bound-service-account-signing-key.key')), '600');
    assert.equal(mode(join(out, 'manifests/cluster-authentication-02-config.yaml')), '600');
    assert.equal(
      readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8'),
      readFileSync(join(out, 'tls/bound-service-account-signing-key.key'), 'utf8'),
    );
  });

  test('warns once per skipped non-AWS document', () => {
    const warnings = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('warning: Skipping CredentialsRequest'));
    assert.equal(warnings.length, 18);
    assert.equal(new Set(warnings).size, 18);
  });

  test('the private key never reaches stdout or stderr', () => {
    const key = readFileSync(join(out, 'serviceaccount-signer.private'), 'utf8');
    const body = key.split('\n')[1]!;
    assert.ok(!run.stdout.includes(body) && !run.stderr.includes(body));
    assert.ok(!run.stdout.includes('PRIVATE KEY') && !run.stderr.includes('PRIVATE KEY'));
  });

  test('a second run reuses the key pair and changes nothing', async () => {
    const before = readFileSync(join(out, '03-keys.json'), 'utf8');
    const again = await runStsctl([
      'create-all',
      '--dry-run',
      '--name',
      'test-infra-name',
      '--region',
      'us-west-2',
      '--credentials-requests-dir',
      join(CREDREQS, 'aws'),
      '--output-dir',
      out,
      '--output',
      'json',
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /Using existing RSA keypair/);
    const result = JSON.parse(again.stdout) as {
      schemaVersion: number;
      files: { action: string }[];
      roles: unknown[];
    };
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.roles.length, 7);
    assert.ok(result.files.every((f) => f.action === 'unchanged'));
    assert.equal(readFileSync(join(out, '03-keys.json'), 'utf8'), before);
  });
});

describe('stsctl create-identity-provider --dry-run matches ccoctl (fixtures A, B, C)', () => {
  for (const [folder, args] of [
    ['A-create-identity-provider-public-us-west-2', ['--region', 'us-west-2']],
    ['C-create-identity-provider-public-us-east-1', ['--region', 'us-east-1']],
    ['B-create-identity-provider-private-us-west-2', ['--region', 'us-west-2', '--create-private-s3-bucket']],
  ] as const) {
    test(folder, async () => {
      const out = join(tmp, folder);
      const r = await runStsctl([
        'aws',
        'create-identity-provider',
        '--dry-run',
        '--name',
        'test-infra-name',
        ...args,
        '--public-key-file',
        TEST_PUBLIC_KEY,
        '--output-dir',
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const expected = listFiles(join(CCOCTL_DERIVED, folder));
      assert.deepEqual(listFiles(out), expected);
      for (const f of expected) {
        if (f === '08-cloudfront-distribution.json') continue; // adds the owned tag on purpose (unit-tested)
        assert.equal(
          readFileSync(join(out, f), 'utf8'),
          readFileSync(join(CCOCTL_DERIVED, folder, f), 'utf8'),
          f,
        );
      }
    });
  }
});

describe('bad input: clear error, exit 2, nothing written', () => {
  async function expectNothingWritten(args: string[], pattern: RegExp): Promise<void> {
    const out = join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await runStsctl([...args, '--output-dir', out]);
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(existsSync(out), false, 'output directory must not be created');
  }

  test('malformed YAML names the file, document and line', async () => {
    const dir = join(tmp, 'malformed');
    mkdirSync(dir);
    cpSync(
      join(CREDREQS, 'aws', '0000_50_cluster-ingress-operator_00-ingress-credentials-request.yaml'),
      join(dir, 'a.yaml'),
    );
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: [oops\n');
    await expectNothingWritten(
      ['create-all', '--dry-run', '--name', 'c1', '--region', 'us-east-1', '--credentials-requests-dir', dir],
      /b\.yaml, document 0: malformed YAML at line \d+/,
    );
  });

  test('missing serviceAccountNames names the field', async () => {
    await expectNothingWritten(
      [
        'create-all',
        '--dry-run',
        '--name',
        'c1',
        '--region',
        'us-east-1',
        '--credentials-requests-dir',
        join(CREDREQS, 'aws-historical', 'cluster-image-registry-operator@f183062f7d65'),
      ],
      /document 0, spec\.serviceAccountNames: is required/,
    );
  });

  test('invalid --name', async () => {
    await expectNothingWritten(
      [
        'create-all',
        '--dry-run',
        '--name',
        'Bad_Name',
        '--region',
        'us-east-1',
        '--credentials-requests-dir',
        join(CREDREQS, 'aws'),
      ],
      /--name "Bad_Name" must be a lowercase DNS label/,
    );
  });

  test('an EC public key', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const keyFile = join(tmp, 'ec.pub');
    writeFileSync(keyFile, pem);
    await expectNothingWritten(
      [
        'create-all',
        '--dry-run',
        '--name',
        'c1',
        '--region',
        'us-east-1',
        '--credentials-requests-dir',
        join(CREDREQS, 'aws'),
        '--public-key-file',
        keyFile,
      ],
      /ec\.pub: public key is not of type RSA/,
    );
  });

  test('missing required flags (cobra-style message), exit 2', async () => {
    const r = await runStsctl(['create-all', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /required option '--name <name>' not specified/);
  });
});

test('a 50-character --name gives 7 unique role names of at most 64 characters', async () => {
  const out = join(tmp, 'long');
  const name = 'a'.repeat(50);
  const r = await runStsctl([
    'create-all',
    '--dry-run',
    '--name',
    name,
    '--region',
    'us-east-1',
    '--credentials-requests-dir',
    join(CREDREQS, 'aws'),
    '--public-key-file',
    TEST_PUBLIC_KEY,
    '--output-dir',
    out,
    '--output',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const roles = (JSON.parse(r.stdout) as { roles: { roleName: string }[] }).roles.map((x) => x.roleName);
  assert.equal(roles.length, 7);
  assert.equal(new Set(roles).size, 7);
  assert.ok(roles.every((n) => n.length <= 64));
});

test('ccoctl role-name mode with a 50-character --name refuses the collision and writes nothing', async () => {
  const out = join(tmp, 'collide');
  const r = await runStsctl([
    'create-all',
    '--dry-run',
    '--name',
    'a'.repeat(50),
    '--region',
    'us-east-1',
    '--credentials-requests-dir',
    join(CREDREQS, 'aws'),
    '--public-key-file',
    TEST_PUBLIC_KEY,
    '--output-dir',
    out,
    '--role-name-mode',
    'ccoctl',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /role names collide/);
  assert.equal(existsSync(out), false);
});

test('an existing different private key is never overwritten', async () => {
  const out = join(tmp, 'keys');
  assert.equal((await runStsctl(['create-key-pair', '--output-dir', out])).code, 0);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  writeFileSync(join(out, 'tls', 'bound-service-account-signing-key.key'), other);
  const r = await runStsctl(['create-key-pair', '--output-dir', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refusing to overwrite/);
  assert.equal(readFileSync(join(out, 'tls', 'bound-service-account-signing-key.key'), 'utf8'), other);
});

describe('create-all: no input escapes --output-dir', () => {
  /** Every file under `dir` with its content (symlinks as their targets): to assert nothing changed. */
  function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (!existsSync(dir)) return out;
    for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      const p = join(e.parentPath, e.name);
      const key = relative(dir, p);
      if (e.isSymbolicLink()) out[key] = `-> ${readlinkSync(p)}`;
      else if (e.isFile()) out[key] = readFileSync(p, 'utf8');
      else if (e.isDirectory()) out[key] = '(dir)';
    }
    return out;
  }

  function credentialsRequest(f: {
    name?: string;
    secretName?: string;
    secretNamespace?: string;
    serviceAccount?: string;
  }): string {
    return JSON.stringify({
      apiVersion: 'cloudcredential.openshift.io/v1',
      kind: 'CredentialsRequest',
      metadata: { name: f.name ?? 'openshift-ingress', namespace: 'openshift-cloud-credential-operator' },
      spec: {
        secretRef: {
          name: f.secretName ?? 'cloud-credentials',
          namespace: f.secretNamespace ?? 'openshift-ingress-operator',
        },
        serviceAccountNames: [f.serviceAccount ?? 'ingress-operator'],
        providerSpec: {
          apiVersion: 'cloudcredential.openshift.io/v1',
          kind: 'AWSProviderSpec',
          statementEntries: [{ effect: 'Allow', action: ['route53:ListHostedZones'], resource: '*' }],
        },
      },
    });
  }

  const dryRun = (credReqs: string, out: string): string[] => [
    'create-all',
    '--dry-run',
    '--name',
    'c1',
    '--region',
    'us-east-1',
    '--credentials-requests-dir',
    credReqs,
    '--public-key-file',
    TEST_PUBLIC_KEY,
    '--output-dir',
    out,
  ];

  test('path-forming fields (../, absolute, a/b, NUL, very long, uppercase, look-alike): exit 2, each named, nothing written anywhere', async () => {
    const base = join(tmp, 'escape');
    const crs = join(base, 'crs');
    mkdirSync(crs, { recursive: true });
    const cases: readonly (readonly [string, Parameters<typeof credentialsRequest>[0]])[] = [
      ['spec.secretRef.name', { secretName: '../../../../tmp/x' }],
      ['spec.secretRef.namespace', { secretNamespace: '/etc' }],
      ['spec.serviceAccountNames[0]', { serviceAccount: 'a/b' }],
      ['spec.secretRef.name', { secretName: 'a\u0000b' }],
      ['spec.secretRef.name', { secretName: 'x'.repeat(254) }],
      ['spec.secretRef.namespace', { secretNamespace: 'Openshift-Ingress' }],
      ['metadata.name', { name: 'openshift-іngress' /* Cyrillic і */ }],
    ];
    // One file, one document per case: every problem is reported in one run.
    writeFileSync(join(crs, 'evil.yaml'), cases.map(([, f]) => `---\n${credentialsRequest(f)}\n`).join(''));
    const out = join(base, 'out');
    const before = snapshot(base);
    const r = await runStsctl(dryRun(crs, out));
    assert.equal(r.code, 2, r.stderr);
    cases.forEach(([field], i) => {
      assert.ok(
        r.stderr.includes(`evil.yaml, document ${i}, ${field}: `),
        `document ${i} ${field} not named:\n${r.stderr}`,
      );
    });
    assert.match(r.stderr, /must be no more than 253 characters \(it has 254\)/);
    assert.match(r.stderr, /"openshift-іngress" .*it holds the non-ASCII character U\+0456/);
    assert.ok(!r.stderr.includes('\u0000'), 'a raw NUL on stderr');
    assert.deepEqual(snapshot(base), before, 'nothing written, inside or outside the output directory');
    assert.equal(existsSync(join(base, 'tmp')), false);
  });

  test('a symlinked manifests/ pointing outside: exit 2 naming it, nothing written, the outside untouched', async () => {
    const base = join(tmp, 'symlinked');
    const out = join(base, 'out');
    const outside = join(base, 'outside');
    mkdirSync(out, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'untouched');
    symlinkSync(outside, join(out, 'manifests'));
    const before = snapshot(base);
    const r = await runStsctl(dryRun(join(CREDREQS, 'aws'), out));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /out\/manifests is a symbolic link to .*outside, outside the output directory/);
    assert.deepEqual(snapshot(base), before);
  });

  test('a file where manifests/ must be: exit 2 naming it, nothing written', async () => {
    const out = join(tmp, 'file-in-the-way');
    mkdirSync(out);
    writeFileSync(join(out, 'manifests'), 'not a directory');
    const r = await runStsctl(dryRun(join(CREDREQS, 'aws'), out));
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /file-in-the-way\/manifests is a file, but manifests\/.* must be written inside it/,
    );
    assert.deepEqual(readdirSync(out), ['manifests']);
  });

  test("--dry-run into a real run's output directory: exit 2 naming the real Secret, which is kept", async () => {
    const out = join(tmp, 'real-run');
    mkdirSync(join(out, 'manifests'), { recursive: true });
    const secretFile = join(
      out,
      'manifests',
      'openshift-ingress-operator-cloud-credentials-credentials.yaml',
    );
    const real = [
      'apiVersion: v1',
      'stringData:',
      '  credentials: |-',
      '    [default]',
      '    sts_regional_endpoints = regional',
      '    role_arn = arn:aws:iam::123456789012:role/c1-openshift-ingress-operator-cloud-credentials',
      '    web_identity_token_file = /var/run/secrets/openshift/serviceaccount/token',
      'kind: Secret',
      'metadata:',
      '  name: cloud-credentials',
      '  namespace: openshift-ingress-operator',
      'type: Opaque',
    ].join('\n');
    writeFileSync(secretFile, real);
    const r = await runStsctl(dryRun(join(CREDREQS, 'aws'), out));
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /openshift-ingress-operator-cloud-credentials-credentials\.yaml is a Secret of a real run/,
    );
    assert.equal(readFileSync(secretFile, 'utf8'), real);
    assert.deepEqual(readdirSync(out), ['manifests']);
    assert.deepEqual(readdirSync(join(out, 'manifests')), [
      'openshift-ingress-operator-cloud-credentials-credentials.yaml',
    ]);
  });
});
