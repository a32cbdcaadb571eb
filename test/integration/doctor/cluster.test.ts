// This test makes certificates with @peculiar/x509 itself, which needs the Reflect polyfill first.
import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { stringify } from 'yaml';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import type { PrivateKeyInfo } from '../../../src/core/index.js';
import { gatherCluster, gatherManifestsDir } from '../../../src/doctor/gather.js';
import { createKubeClient } from '../../../src/doctor/kube/client.js';
import { loadKubeconfig } from '../../../src/doctor/kube/kubeconfig.js';
import { runDoctor } from '../../../src/doctor/run.js';
import type { DoctorReport } from '../../../src/doctor/report.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { AWS_CREDREQ_FILES, AWS_CREDREQS } from '../../helpers/provision.js';
import {
  fixtureCredentialsRequests,
  provisionCluster,
  startFakeKube,
  type FakeCluster,
  type FakeKube,
} from './fake-kube.js';
import { REGION, assume, mint, publicIssuer, rsaKey, sandboxObserver } from './support.js';

/**
 * Cluster mode against a local server answering Kubernetes API requests with real-shaped objects
 * (the 7 real AWS CredentialsRequests of the fixtures), and directory mode against exported
 * manifests and a must-gather layout. IAM and the issuer live in the sandbox.
 */

let sb: Sandbox;
let aws: AwsClients;
let observer: IdentityObserver;
let key: PrivateKeyInfo;
let kube: FakeKube;
let cluster: FakeCluster;
let dir: string;
let issuer: string;
const TOKEN = 'sha256~doctor-test-token';
const STATIC = 'openshift-image-registry/installer-cloud-credentials';
const NO_SECRET = 'openshift-cloud-network-config-controller/cloud-credentials';

async function clientCertificate(): Promise<{ certPem: string; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=system:admin, O=system:masters',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem'), keyPem };
}

function kubeconfig(server: string, caPem: string, user: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'test',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'admin', user }],
    contexts: [{ name: 'admin@test', context: { cluster: 'test', user: 'admin', namespace: 'default' } }],
    'current-context': 'admin@test',
  });
}

const ctx = (): Parameters<typeof runDoctor>[1] => ({
  issuer: sb.issuerFetcher,
  aws: observer,
  now: () => new Date(),
});

let clientCert: { certPem: string; keyPem: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsctl-doctor-cluster-'));
  key = rsaKey();
  sb = await startSandbox({ region: REGION });
  aws = sb.clients();
  observer = sandboxObserver(sb);
  const published = await publicIssuer(aws, key, 'cluster');
  issuer = published.url;
  const requests = await fixtureCredentialsRequests(
    AWS_CREDREQS,
    AWS_CREDREQ_FILES.filter((f) => f.endsWith('.yaml')),
  );
  assert.equal(requests.length, 7);
  cluster = await provisionCluster(aws, {
    name: 'cluster',
    issuer,
    signer: key,
    requests,
    withoutSecret: [NO_SECRET],
    staticKeys: [STATIC],
  });
  const leaf = await sb.cas.sandbox.issueLeaf({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  clientCert = await clientCertificate();
  kube = await startFakeKube(cluster, {
    keyPem: leaf.keyPem,
    certPem: leaf.chainPem,
    token: TOKEN,
    clientCaPem: clientCert.certPem,
  });
});

after(async () => {
  await kube.stop();
  observer.destroy();
  await sb.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cluster mode (Kubernetes API)', () => {
  let report: DoctorReport;

  test('bearer token: reads the CRs, Secrets and one token per service account', async () => {
    const file = join(dir, 'kubeconfig-token');
    await writeFile(file, kubeconfig(kube.url, sb.cas.sandbox.rootPem, { token: TOKEN }));
    const target = await gatherCluster(createKubeClient(await loadKubeconfig(file)));
    assert.equal(target.issuer, issuer);
    assert.equal(target.components.length, 7);
    assert.ok(
      kube.requests.some((r) =>
        r.startsWith('POST /api/v1/namespaces/openshift-image-registry/serviceaccounts/registry/token'),
      ),
    );
    report = await runDoctor(target, ctx());
    const components = report.components.filter((c) => c.kind === 'component');
    assert.equal(components.length, 7);
  });

  test('healthy components get credentials, exactly as the validating STS answers', async () => {
    const healthy = report.components.filter(
      (c) => c.kind === 'component' && c.name !== STATIC && c.name !== NO_SECRET,
    );
    assert.equal(healthy.length, 5);
    for (const c of healthy) {
      assert.deepEqual(
        c.findings.filter((f) => f.severity === 'error'),
        [],
        c.name,
      );
      assert.ok(c.verdicts.length >= 1 && c.verdicts.every((v) => v.ok), c.name);
      const [ns] = c.name.split('/');
      const sa = c.serviceAccounts[0]!;
      const sts = await assume(
        sb,
        c.roleArn!,
        await mint(key, issuer, { namespace: ns!, serviceAccount: sa }),
      );
      assert.equal(sts.status, 200, `${c.name}: ${sts.body}`);
    }
    assert.equal(report.components.find((c) => c.name === 'cluster')?.findings.length, 0);
  });

  test('a Secret holding static keys, and a CredentialsRequest with no Secret, come first', () => {
    assert.equal(report.components.find((c) => c.name === STATIC)?.findings[0]?.code, 'SECRET_STATIC_KEYS');
    const missing = report.components.find((c) => c.name === NO_SECRET);
    assert.equal(missing?.findings[0]?.code, 'SECRET_MISSING');
    assert.match(
      missing.findings[0].fix[1] ?? '',
      /oc apply -f out\/manifests\/openshift-cloud-network-config-controller-cloud-credentials-credentials\.yaml/,
    );
    // Broken components are listed before healthy ones, after the cluster and issuer groups.
    assert.deepEqual(
      report.components
        .slice(0, 4)
        .map((c) => c.name)
        .sort(),
      ['cluster', issuer, NO_SECRET, STATIC].sort(),
    );
    assert.equal(report.summary.healthy, false);
    assert.equal(report.summary.errors, 2);
  });

  test('no token or signature ever appears in the report', () => {
    const text = JSON.stringify(report);
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\./);
    assert.doesNotMatch(text, /not-a-real-secret-value|AKIAEXAMPLEEXAMPLE00/);
  });

  test('client-certificate authentication works too; a wrong token is refused', async () => {
    const file = join(dir, 'kubeconfig-cert');
    await writeFile(
      file,
      kubeconfig(kube.url, sb.cas.sandbox.rootPem, {
        'client-certificate-data': Buffer.from(clientCert.certPem).toString('base64'),
        'client-key-data': Buffer.from(clientCert.keyPem).toString('base64'),
      }),
    );
    const target = await gatherCluster(createKubeClient(await loadKubeconfig(file)));
    assert.equal(target.components.length, 7);
    const bad = join(dir, 'kubeconfig-bad');
    await writeFile(bad, kubeconfig(kube.url, sb.cas.sandbox.rootPem, { token: 'wrong' }));
    await assert.rejects(
      gatherCluster(createKubeClient(await loadKubeconfig(bad))),
      /KUBE_READ_FAILED|cannot list CredentialsRequests: HTTP 401/,
    );
  });
});

describe('cluster mode with a kubeconfig credential plugin (exec)', () => {
  test('the plugin runs as kubectl runs it and its token reads the cluster', async () => {
    // A plugin like `aws eks get-token` or an OIDC login helper: reads the request kubectl sends,
    // prints an ExecCredential. Written next to the kubeconfig and named by a relative path.
    const pluginDir = join(dir, 'bin');
    await mkdir(pluginDir, { recursive: true });
    const plugin = join(pluginDir, 'get-token');
    const seenFile = join(dir, 'plugin-saw.json');
    await writeFile(
      plugin,
      `#!${process.execPath}
const fs = require('node:fs');
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
fs.writeFileSync(${JSON.stringify(seenFile)}, JSON.stringify({ info, args: process.argv.slice(2), profile: process.env.LOGIN_PROFILE }));
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1beta1',
  kind: 'ExecCredential',
  status: { token: process.env.LOGIN_TOKEN, expirationTimestamp: new Date(Date.now() + 600000).toISOString() },
}));
`,
    );
    await chmod(plugin, 0o755);
    const file = join(dir, 'kubeconfig-exec');
    await writeFile(
      file,
      kubeconfig(kube.url, sb.cas.sandbox.rootPem, {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: './bin/get-token',
          args: ['--cluster', 'test'],
          env: [
            { name: 'LOGIN_PROFILE', value: 'ops' },
            { name: 'LOGIN_TOKEN', value: TOKEN },
          ],
          provideClusterInfo: true,
        },
      }),
    );
    const target = await gatherCluster(createKubeClient(await loadKubeconfig(file)));
    assert.equal(target.components.length, 7);
    const saw = JSON.parse(await readFile(seenFile, 'utf8')) as {
      info: { kind: string; spec: { interactive: boolean; cluster?: { server: string } } };
      args: string[];
      profile: string;
    };
    assert.equal(saw.info.kind, 'ExecCredential');
    assert.equal(saw.info.spec.interactive, false);
    assert.equal(saw.info.spec.cluster?.server, kube.url);
    assert.deepEqual(saw.args, ['--cluster', 'test']);
    assert.equal(saw.profile, 'ops');
  });
});

describe('directory mode (exported manifests, must-gather)', () => {
  test('oc get -o yaml output: Secrets read, trust policies evaluated per service account', async () => {
    const out = join(dir, 'export');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'authentication.yaml'), stringify(cluster.authentication));
    await writeFile(join(out, 'cloudcredential.yaml'), stringify(cluster.cloudCredential));
    await writeFile(
      join(out, 'credentialsrequests.yaml'),
      stringify({ apiVersion: 'v1', kind: 'List', items: cluster.credentialsRequests }),
    );
    await writeFile(
      join(out, 'secrets.yaml'),
      [...cluster.secrets.values()].map((s) => `---\n${stringify(s)}`).join(''),
    );
    const report = await runDoctor(await gatherManifestsDir(out), ctx());
    const components = report.components.filter((c) => c.kind === 'component');
    assert.equal(components.length, 7);
    assert.equal(report.components.find((c) => c.name === NO_SECRET)?.findings[0]?.code, 'SECRET_MISSING');
    assert.equal(report.components.find((c) => c.name === STATIC)?.findings[0]?.code, 'SECRET_STATIC_KEYS');
    const ingress = report.components.find((c) => c.name === 'openshift-ingress-operator/cloud-credentials');
    assert.equal(ingress?.checks.find((c) => c.id === 'role.trust')?.outcome.status, 'pass');
  });

  test('must-gather: no Secrets is could-not-check, and log lines are counted', async () => {
    const mg = join(dir, 'must-gather', 'quay-io-openshift-must-gather-sha256-0');
    const crDir = join(
      mg,
      'namespaces',
      'openshift-cloud-credential-operator',
      'cloudcredential.openshift.io',
      'credentialsrequests',
    );
    await mkdir(crDir, { recursive: true });
    for (const cr of cluster.credentialsRequests) {
      const name = (cr as { metadata: { name: string } }).metadata.name;
      await writeFile(join(crDir, `${name}.yaml`), stringify(cr));
    }
    const authDir = join(mg, 'cluster-scoped-resources', 'config.openshift.io');
    await mkdir(authDir, { recursive: true });
    await writeFile(
      join(authDir, 'authentications.yaml'),
      stringify({ apiVersion: 'v1', kind: 'List', items: [cluster.authentication] }),
    );
    const logDir = join(
      mg,
      'namespaces',
      'openshift-image-registry',
      'pods',
      'cluster-image-registry-operator-7c9',
      'operator',
      'operator',
      'logs',
    );
    await mkdir(logDir, { recursive: true });
    await writeFile(
      join(logDir, 'current.log'),
      [
        '2026-11-23T10:00:00Z I starting',
        '2026-11-23T10:00:01Z E WebIdentityErr: failed to retrieve credentials',
        "caused by: InvalidIdentityToken: Couldn't retrieve verification key from your identity provider",
        '2026-11-23T10:00:02Z E AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
      ].join('\n'),
    );
    const report = await runDoctor(await gatherManifestsDir(join(dir, 'must-gather')), ctx());
    const clusterGroup = report.components.find((c) => c.name === 'cluster');
    const logs = clusterGroup?.findings.find((f) => f.code === 'OPERATOR_LOG_ERRORS');
    assert.match(logs?.detail ?? '', /InvalidIdentityToken 1, AccessDenied 1, WebIdentityErr 1/);
    const registry = report.components.find((c) => c.name === STATIC);
    assert.equal(
      registry?.checks.find((c) => c.id === 'component.secret')?.outcome.status,
      'could-not-check',
    );
    assert.equal(report.components.filter((c) => c.kind === 'component').length, 7);
  });
});
