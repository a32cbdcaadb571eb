import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  iamRolesLayout,
  outputPathProblem,
  readCredentialsRequests,
  StsctlAggregateError,
  isStsctlError,
  StsctlError,
  type CredentialsRequest,
} from '../../../src/core/index.js';
import { dns1123LabelProblems, dns1123SubdomainProblems } from '../../../src/core/kubernetes-names.js';

/**
 * Every CredentialsRequest field that becomes a path, a file name, a role name or a trust-policy
 * value is validated as Kubernetes validates it (k8s.io/apimachinery IsDNS1123Label /
 * IsDNS1123Subdomain), so none can climb out of --output-dir.
 */

interface Fields {
  name?: string;
  namespace?: string;
  secretName?: string;
  secretNamespace?: string;
  serviceAccounts?: string[];
}

function credentialsRequest(f: Fields): string {
  return stringify({
    apiVersion: 'cloudcredential.openshift.io/v1',
    kind: 'CredentialsRequest',
    metadata: {
      name: f.name ?? 'openshift-ingress',
      namespace: f.namespace ?? 'openshift-cloud-credential-operator',
    },
    spec: {
      secretRef: {
        name: f.secretName ?? 'cloud-credentials',
        namespace: f.secretNamespace ?? 'openshift-ingress-operator',
      },
      serviceAccountNames: f.serviceAccounts ?? ['ingress-operator'],
      providerSpec: {
        apiVersion: 'cloudcredential.openshift.io/v1',
        kind: 'AWSProviderSpec',
        statementEntries: [{ effect: 'Allow', action: ['route53:ListHostedZones'], resource: '*' }],
      },
    },
  });
}

function read(f: Fields): readonly CredentialsRequest[] {
  return readCredentialsRequests([
    { name: 'crs/evil.yaml', content: `---\n{}\n---\n${credentialsRequest(f)}` },
  ]).requests;
}

function problemsOf(f: Fields): StsctlError[] {
  try {
    read(f);
  } catch (e) {
    if (e instanceof StsctlAggregateError) return [...e.errors];
    if (isStsctlError(e)) return [e];
    throw e;
  }
  return [];
}

const BAD_VALUES: readonly (readonly [string, string])[] = [
  ['parent directory', '../../../../tmp/x'],
  ['a lone ..', '..'],
  ['absolute path', '/etc/cron.d/x'],
  ['a/b', 'a/b'],
  ['NUL', 'a\u0000b'],
  ['uppercase', 'Cloud-Credentials'],
  ['Cyrillic look-alike "а"', 'cloud-credentiаls'],
  ['fullwidth solidus', 'a／b'],
  ['leading dash', '-x'],
  ['empty label between dots', 'a..b'],
  ['backslash', 'a\\b'],
  ['escape sequence', 'x\u001b[2Jy'],
];

const FIELDS: readonly (readonly [string, (v: string) => Fields, 'label' | 'subdomain'])[] = [
  ['spec.secretRef.name', (v) => ({ secretName: v }), 'subdomain'],
  ['spec.secretRef.namespace', (v) => ({ secretNamespace: v }), 'label'],
  ['spec.serviceAccountNames[1]', (v) => ({ serviceAccounts: ['ok', v] }), 'subdomain'],
  ['metadata.name', (v) => ({ name: v }), 'subdomain'],
  ['metadata.namespace', (v) => ({ namespace: v }), 'label'],
];

describe('path-forming CredentialsRequest fields are refused unless Kubernetes would accept them', () => {
  for (const [field, make, rule] of FIELDS) {
    for (const [what, value] of BAD_VALUES) {
      test(`${field}: ${what}`, () => {
        const problems = problemsOf(make(value));
        assert.equal(problems.length, 1, problems.map((p) => p.describe()).join('\n'));
        const p = problems[0]!;
        assert.equal(p.code, 'CREDREQ_INVALID');
        assert.equal(p.file, 'crs/evil.yaml');
        assert.equal(p.document, 1);
        assert.equal(p.path, field);
        assert.match(p.message, new RegExp(`DNS-1123 ${rule}`));
        // The value is shown, but never raw control characters.
        // eslint-disable-next-line no-control-regex -- looking for control characters
        assert.doesNotMatch(p.describe(), /[\u0000-\u001f]/);
      });
    }
    const max = rule === 'label' ? 63 : 253;
    test(`${field}: ${max} characters pass, ${max + 1} do not`, () => {
      assert.deepEqual(
        problemsOf(make('a'.repeat(max))).filter((p) => p.path === field),
        [],
      );
      const p = problemsOf(make('a'.repeat(max + 1)))[0];
      assert.equal(p?.path, field);
      assert.match(p.message, new RegExp(`must be no more than ${max} characters \\(it has ${max + 1}\\)`));
    });
  }

  test('every bad field of one document is reported at once', () => {
    const problems = problemsOf({ secretName: '../x', secretNamespace: 'A', serviceAccounts: ['a/b'] });
    assert.deepEqual(problems.map((p) => p.path).sort(), [
      'spec.secretRef.name',
      'spec.secretRef.namespace',
      'spec.serviceAccountNames[0]',
    ]);
  });

  test('an empty service account name is refused (it would trust no token)', () => {
    const p = problemsOf({ serviceAccounts: [''] })[0];
    assert.equal(p?.path, 'spec.serviceAccountNames[0]');
    assert.match(p.message, /must not be empty/);
  });

  test('a look-alike letter is named by its code point', () => {
    const p = problemsOf({ secretName: 'cloud-credentiаls' })[0];
    assert.match(p?.message ?? '', /it holds the non-ASCII character U\+0430/);
  });

  test('dotted service account and Secret names (valid subdomains) are accepted', () => {
    const [r] = read({ secretName: 'aws.creds', serviceAccounts: ['sa.v1'] });
    assert.equal(r?.secretRef.name, 'aws.creds');
  });
});

describe('a valid name that makes too long a file name is refused with its field', () => {
  test('a 253-character Secret name: manifests/<ns>-<name>-credentials.yaml would exceed 255 bytes', () => {
    const requests = read({ secretName: 's'.repeat(253) });
    assert.throws(
      () =>
        iamRolesLayout({
          name: 'c1',
          requests,
          providerArn: undefined,
          issuerHostPath: undefined,
          partition: 'aws',
          dryRun: false,
        }),
      (e: unknown) =>
        e instanceof StsctlError &&
        e.code === 'OUTPUT_PATH_INVALID' &&
        e.file === 'crs/evil.yaml' &&
        e.document === 1 &&
        e.path === 'spec.secretRef.name' &&
        /at most 255/.test(e.message),
    );
  });

  test('dry-run request files carry the full role name: a long --name and Secret name are refused there too', () => {
    // 63 + 1 + 200 + "-credentials.yaml" fits; "05-0-<name>-<ns>-<secret>-role.json" does not.
    const requests = read({ secretName: 's'.repeat(200), secretNamespace: 'n'.repeat(20) });
    const base = {
      name: 'c'.repeat(40),
      requests,
      providerArn: undefined,
      issuerHostPath: undefined,
      partition: 'aws',
    } as const;
    assert.doesNotThrow(() => iamRolesLayout({ ...base, dryRun: false }));
    assert.throws(
      () => iamRolesLayout({ ...base, dryRun: true }),
      (e: unknown) =>
        e instanceof StsctlAggregateError && e.errors.every((x) => x.path === 'spec.secretRef.name'),
    );
  });
});

describe('property: whatever the names, an accepted request only yields plain paths under the output directory', () => {
  // Strings biased towards the characters that matter: separators, dots, NUL, case, look-alikes.
  const nasty = fc.string({
    unit: fc.constantFrom('a', 'z', '0', '-', '.', '/', '\\', '\u0000', 'A', 'а', '／', '%', ' ', '\u202e'),
    maxLength: 70,
  });
  test('secretRef name and namespace', () => {
    fc.assert(
      fc.property(nasty, nasty, (secretName, secretNamespace) => {
        const valid =
          dns1123SubdomainProblems(secretName).length === 0 &&
          dns1123LabelProblems(secretNamespace).length === 0;
        let requests: readonly CredentialsRequest[];
        try {
          requests = read({ secretName, secretNamespace });
        } catch (e) {
          assert.ok(e instanceof StsctlError);
          assert.equal(valid, false, 'a valid pair must not be refused');
          return;
        }
        assert.equal(valid, true, `accepted ${JSON.stringify([secretName, secretNamespace])}`);
        const layout = iamRolesLayout({
          name: 'c1',
          requests,
          providerArn: undefined,
          issuerHostPath: undefined,
          partition: 'aws',
          dryRun: true,
        });
        for (const f of layout.files) {
          assert.equal(outputPathProblem(f.path), undefined, f.path);
          assert.match(f.path, /^(manifests\/)?[a-z0-9][a-z0-9.-]*\.(yaml|json)$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('outputPathProblem', () => {
  const cases: readonly (readonly [string, RegExp | undefined])[] = [
    ['manifests/a-b-credentials.yaml', undefined],
    ['tls/bound-service-account-signing-key.key', undefined],
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['manifests/../../x', /"\.\." segment/],
    ['./x', /"\." segment/],
    ['a//b', /empty segment/],
    ['a\\b', /backslash/],
    ['a\u0000b', /control character/],
    [`manifests/${'x'.repeat(256)}`, /256 bytes; file systems allow at most 255/],
    ['é'.repeat(128), /256 bytes/],
  ];
  for (const [path, expected] of cases) {
    test(JSON.stringify(path.length > 40 ? `${path.slice(0, 40)}…` : path), () => {
      const problem = outputPathProblem(path);
      if (expected === undefined) assert.equal(problem, undefined);
      else assert.match(problem ?? '(none)', expected);
    });
  }
});
