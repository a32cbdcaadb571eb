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
    /exec or auth-provider plugin/,
  );
  await assert.rejects(
    parseKubeconfig('clusters: []\n', '/k/config', { readText }),
    (e: Error & { describe(): string }) =>
      e.describe() === '/k/config, current-context: is missing (or pass --context)',
  );
});
