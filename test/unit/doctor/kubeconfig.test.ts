import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKubeconfig } from '../../../src/doctor/kube/kubeconfig.js';

const config = (user: string): string => `apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: c
  cluster:
    server: https://api.example:6443/
    certificate-authority: ca.crt
contexts:
- name: admin
  context: {cluster: c, user: u}
users:
- name: u
  user:
${user}
`;

const files: Record<string, string> = { '/k/ca.crt': 'CA PEM', '/k/tls.crt': 'CERT', '/k/tls.key': 'KEY' };
const readText = (p: string): Promise<string> => {
  const v = files[p];
  return v === undefined ? Promise.reject(new Error(`ENOENT ${p}`)) : Promise.resolve(v);
};

test('bearer token and a CA file relative to the kubeconfig', async () => {
  const c = await parseKubeconfig(config('    token: sha256~abc'), '/k/config', { readText });
  assert.deepEqual(c, {
    server: 'https://api.example:6443',
    contextName: 'admin',
    caPem: 'CA PEM',
    insecureSkipTlsVerify: false,
    token: 'sha256~abc',
  });
});

test('client certificate files', async () => {
  const c = await parseKubeconfig(
    config('    client-certificate: tls.crt\n    client-key: tls.key'),
    '/k/config',
    { readText },
  );
  assert.equal(c.clientCertPem, 'CERT');
  assert.equal(c.clientKeyPem, 'KEY');
});

test('errors name the field, the way kubernetes-client does', async () => {
  await assert.rejects(
    parseKubeconfig(config('    token: x'), '/k/config', { readText, context: 'nope' }),
    (e: Error & { path?: string }) => e.path === 'contexts' && /no entry named "nope"/.test(e.message),
  );
  await assert.rejects(
    parseKubeconfig(config('    exec: {command: oc}'), '/k/config', { readText }),
    (e: Error & { path?: string }) =>
      e.path === 'users[0].user.exec.apiVersion' &&
      /is missing \(client\.authentication\.k8s\.io\/v1/.test(e.message),
  );
  await assert.rejects(
    parseKubeconfig(config('    auth-provider: {name: gcp}'), '/k/config', { readText }),
    (e: Error & { path?: string }) =>
      e.path === 'users[0].user.auth-provider' && /"gcp" auth-provider is not supported/.test(e.message),
  );
  await assert.rejects(
    parseKubeconfig('clusters: []\n', '/k/config', { readText }),
    (e: Error & { describe(): string }) =>
      e.describe() === '/k/config, current-context: is missing (or pass --context)',
  );
});

const execUser = (mode = 'IfAvailable'): string => `    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/login
      args: [get-token, --cluster, c]
      env: [{name: LOGIN_PROFILE, value: prod}]
      interactiveMode: ${mode}
      provideClusterInfo: true`;

const credential = (status: Record<string, string>, apiVersion = 'client.authentication.k8s.io/v1'): string =>
  JSON.stringify({ apiVersion, kind: 'ExecCredential', status });

test('exec plugin: run as kubectl runs it, its token used', async () => {
  const seen: { command: string; args: readonly string[]; env: NodeJS.ProcessEnv; cwd: string }[] = [];
  const c = await parseKubeconfig(config(execUser()), '/k/config', {
    readText,
    env: { PATH: '/usr/bin', HOME: '/home/u' },
    runExec: (inv) => {
      seen.push(inv);
      return Promise.resolve({ code: 0, stdout: credential({ token: 'from-plugin' }), stderr: '' });
    },
  });
  assert.equal(c.token, 'from-plugin');
  assert.equal(seen.length, 1);
  const inv = seen[0];
  assert.ok(inv !== undefined);
  assert.equal(inv.command, '/k/./bin/login'); // a path with a separator is relative to the kubeconfig
  assert.deepEqual(inv.args, ['get-token', '--cluster', 'c']);
  assert.equal(inv.cwd, '/k');
  assert.equal(inv.env['LOGIN_PROFILE'], 'prod');
  assert.equal(inv.env['HOME'], '/home/u');
  assert.deepEqual(JSON.parse(inv.env['KUBERNETES_EXEC_INFO'] ?? ''), {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      cluster: {
        server: 'https://api.example:6443/', // as written in the kubeconfig, as kubectl passes it
        'certificate-authority-data': Buffer.from('CA PEM').toString('base64'),
        'insecure-skip-tls-verify': false,
      },
    },
  });
});

test('exec plugin: a client certificate answer; a token in the kubeconfig wins over the plugin', async () => {
  const c = await parseKubeconfig(config(execUser()), '/k/config', {
    readText,
    runExec: () =>
      Promise.resolve({
        code: 0,
        stdout: credential({ clientCertificateData: 'CERT', clientKeyData: 'KEY' }),
        stderr: '',
      }),
  });
  assert.equal(c.clientCertPem, 'CERT');
  assert.equal(c.clientKeyPem, 'KEY');
  let ran = false;
  const t = await parseKubeconfig(config(`    token: static\n${execUser()}`), '/k/config', {
    readText,
    runExec: () => {
      ran = true;
      return Promise.resolve({ code: 1, stdout: '', stderr: '' });
    },
  });
  assert.equal(t.token, 'static');
  assert.equal(ran, false);
});

test('exec plugin failures say what went wrong, name the field, and never echo a credential', async () => {
  const run = (
    r: { code: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException },
    mode?: string,
  ) => parseKubeconfig(config(execUser(mode)), '/k/config', { readText, runExec: () => Promise.resolve(r) });
  const rejects = (p: Promise<unknown>, re: RegExp): Promise<void> =>
    assert.rejects(p, (e: Error & { path?: string; code?: string }) => {
      assert.equal(e.path, 'users[0].user.exec');
      assert.equal(e.code, 'KUBECONFIG_EXEC_FAILED');
      assert.match(e.message, re);
      assert.doesNotMatch(e.message, /secret-token/);
      return true;
    });
  await rejects(
    run({
      code: null,
      stdout: '',
      stderr: '',
      error: Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' }),
    }),
    /credential plugin "\.\/bin\/login" was not found/,
  );
  await rejects(
    run({ code: 1, stdout: '', stderr: 'line 1\nerror: the login expired, run login again\n' }),
    /exited with code 1: line 1 \| error: the login expired, run login again$/,
  );
  await rejects(
    run({ code: 0, stdout: 'Token: abc', stderr: '' }),
    /did not print an ExecCredential \(not JSON\)/,
  );
  await rejects(
    run({
      code: 0,
      stdout: credential({ token: 'secret-token' }, 'client.authentication.k8s.io/v1beta1'),
      stderr: '',
    }),
    /answered apiVersion "client\.authentication\.k8s\.io\/v1beta1", not the requested client\.authentication\.k8s\.io\/v1$/,
  );
  await rejects(
    run({ code: 0, stdout: credential({}), stderr: '' }),
    /neither status\.token nor a client certificate/,
  );
  await rejects(
    run({ code: 0, stdout: credential({ clientCertificateData: 'CERT' }), stderr: '' }),
    /client certificate without its key/,
  );
  await rejects(
    run({ code: 0, stdout: credential({ token: 't' }), stderr: '' }, 'Always'),
    /needs an interactive terminal/,
  );
});

test('the legacy oidc auth-provider: its stored id-token is used', async () => {
  const c = await parseKubeconfig(
    config(
      '    auth-provider:\n      name: oidc\n      config: {id-token: eyJ.id.token, idp-issuer-url: https://sso.example}',
    ),
    '/k/config',
    { readText },
  );
  assert.equal(c.token, 'eyJ.id.token');
});
