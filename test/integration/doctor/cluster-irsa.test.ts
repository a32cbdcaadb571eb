import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { decodeJwt } from 'jose';
import { stringify } from 'yaml';
import type { AwsClients } from '../../../src/aws/clients.js';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import { ensureRole } from '../../../src/aws/operations.js';
import {
  buildJwks,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  trustPolicy,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { gatherCluster } from '../../../src/doctor/gather.js';
import { createKubeClient } from '../../../src/doctor/kube/client.js';
import { loadKubeconfig } from '../../../src/doctor/kube/kubeconfig.js';
import type { DoctorReport } from '../../../src/doctor/report.js';
import { runDoctor } from '../../../src/doctor/run.js';
import type { DoctorTarget } from '../../../src/doctor/target.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/lifecycle.js';
import { startFakeKube, type FakeCluster, type FakeKube } from './fake-kube.js';
import { PERMISSIONS, REGION, assume, expectHealthy, rsaKey, sandboxObserver } from './support.js';

/**
 * IRSA in cluster mode: a Kubernetes API without OpenShift (as EKS or a self-managed cluster
 * answers) whose ServiceAccounts carry the pod identity webhook's annotations. The issuers are
 * static sites of the sandbox edge: an EKS-style issuer with a path on the sandbox CA, and a
 * self-hosted issuer on the private CA (STS falls back to the provider's thumbprints). Every
 * finding's predicted answer is compared with what the validating STS answers for the same token.
 */

const TOKEN = 'eks-doctor-test-token';
const EKS_HOST = 'oidc.eks.us-west-2.amazonaws.com';
const EKS_ID = '5C5E7A4D1F0B8E2A9C3D6F1E2B4A7C90';
const EKS_ISSUER = `https://${EKS_HOST}/id/${EKS_ID}`;
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::210987654321:role/irsa-elsewhere';

let sb: Sandbox;
let aws: AwsClients;
let observer: IdentityObserver;
let dir: string;
const kubes: FakeKube[] = [];

function serviceAccount(ns: string, name: string, annotations: Record<string, string>): unknown {
  return { metadata: { name, namespace: ns, uid: `uid-${name}`, annotations } };
}

async function kubeconfigFor(kube: FakeKube, name: string): Promise<string> {
  const file = join(dir, `kubeconfig-${name}`);
  await writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'eks',
          cluster: {
            server: kube.url,
            'certificate-authority-data': Buffer.from(sb.cas.sandbox.rootPem).toString('base64'),
          },
        },
      ],
      users: [{ name: 'admin', user: { token: TOKEN } }],
      contexts: [{ name: 'admin@eks', context: { cluster: 'eks', user: 'admin' } }],
      'current-context': 'admin@eks',
    }),
  );
  return file;
}

async function startCluster(cluster: FakeCluster, name: string): Promise<DoctorTarget> {
  const leaf = await sb.cas.sandbox.issueLeaf({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const kube = await startFakeKube(cluster, { keyPem: leaf.keyPem, certPem: leaf.chainPem, token: TOKEN });
  kubes.push(kube);
  return gatherCluster(createKubeClient(await loadKubeconfig(await kubeconfigFor(kube, name))));
}

function publishIssuer(host: string, prefix: string, key: PrivateKeyInfo, ca: 'sandbox' | 'private'): void {
  const url = `https://${host}${prefix}`;
  const json = { 'content-type': 'application/json' };
  sb.edge.setStaticSite({
    host,
    ca,
    routes: {
      [`${prefix}/.well-known/openid-configuration`]: { body: renderDiscoveryDocument(url), headers: json },
      [`${prefix}/keys.json`]: { body: renderJwks(buildJwks([key.publicKey])), headers: json },
    },
  });
}

const doctor = (target: DoctorTarget): Promise<DoctorReport> =>
  runDoctor(target, { issuer: sb.issuerFetcher, aws: observer, now: () => new Date() });

function tokenOf(target: DoctorTarget, name: string): string {
  const token = target.components.find((c) => c.name === name)?.tokens[0]?.token;
  assert.ok(token !== undefined, `no token for ${name}`);
  return token;
}

function group(report: DoctorReport, name: string): DoctorReport['components'][number] {
  const g = report.components.find((c) => c.name === name);
  assert.ok(g !== undefined, `no group ${name}: ${report.components.map((c) => c.name).join(', ')}`);
  return g;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stsctl-doctor-irsa-'));
  sb = await startSandbox({ region: REGION });
  aws = sb.clients();
  observer = sandboxObserver(sb);
});

after(async () => {
  for (const k of kubes) await k.stop();
  observer.destroy();
  await sb.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('EKS-style issuer with a path (sandbox CA)', () => {
  let target: DoctorTarget;
  let report: DoctorReport;
  let goodRole: string;

  before(async () => {
    const key = rsaKey();
    publishIssuer(EKS_HOST, `/id/${EKS_ID}`, key, 'sandbox');
    // What eksctl registers: the webhook's default audience only.
    const provider = await aws.iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: EKS_ISSUER, ClientIDList: ['sts.amazonaws.com'] }),
    );
    const providerArn = provider.OpenIDConnectProviderArn ?? '';
    const hostPath = `${EKS_HOST}/id/${EKS_ID}`;
    const role = (name: string, ns: string, sa: string): Promise<{ arn: string }> =>
      ensureRole(aws, {
        roleName: name,
        description: 'irsa test',
        trustPolicy: renderPolicy(trustPolicy(providerArn, hostPath, ns, [sa])),
        permissionsPolicy: PERMISSIONS,
        tags: [],
      });
    goodRole = (await role('irsa-app', 'team', 'app')).arn;
    const audRole = (await role('irsa-aud', 'team', 'custom-aud')).arn;
    target = await startCluster(
      {
        authentication: undefined,
        cloudCredential: undefined,
        credentialsRequests: [],
        secrets: new Map(),
        serviceAccounts: new Set(['kube-system/default', 'team/plain']),
        serviceAccountObjects: [
          serviceAccount('team', 'app', { 'eks.amazonaws.com/role-arn': goodRole }),
          serviceAccount('team', 'bad-arn', { 'eks.amazonaws.com/role-arn': 'irsa-app' }),
          serviceAccount('team', 'long-arn', {
            'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:user/not-a-role',
          }),
          serviceAccount('team', 'elsewhere', { 'eks.amazonaws.com/role-arn': OTHER_ACCOUNT_ROLE }),
          serviceAccount('team', 'custom-aud', {
            'eks.amazonaws.com/role-arn': audRole,
            'eks.amazonaws.com/audience': 'openshift',
            'eks.amazonaws.com/token-expiration': '3600',
          }),
        ],
        signer: key,
        issuer: EKS_ISSUER,
        openshift: false,
        discovery: true,
      },
      'eks',
    );
    report = await doctor(target);
  });

  test('reads annotated service accounts in every namespace; the issuer from the API server', () => {
    assert.equal(target.issuer, EKS_ISSUER);
    const facts = target.cluster;
    assert.ok(facts !== undefined);
    assert.deepEqual(
      [facts.openshift, facts.apiserverIssuer, facts.readProblems, facts.irsaServiceAccounts],
      [false, EKS_ISSUER, [], 5],
    );
    assert.deepEqual(target.components.map((c) => c.name).sort(), [
      'team/app',
      'team/bad-arn',
      'team/custom-aud',
      'team/elsewhere',
      'team/long-arn',
    ]);
    // Each token carries the audience the webhook would project.
    assert.deepEqual(decodeJwt(tokenOf(target, 'team/app')).aud, ['sts.amazonaws.com']);
    assert.deepEqual(decodeJwt(tokenOf(target, 'team/custom-aud')).aud, ['openshift']);
    const irsa = target.components.find((c) => c.name === 'team/custom-aud')?.irsa;
    assert.equal(irsa?.tokenExpirationSeconds, 3600);
    // No OpenShift check on a cluster without OpenShift.
    const cluster = group(report, 'cluster');
    assert.deepEqual(
      cluster.checks.map((c) => [c.id, c.outcome.status]),
      [
        ['cluster.issuer', 'pass'],
        ['cluster.irsa', 'pass'],
      ],
    );
  });

  test('a correctly annotated service account is healthy, and STS grants its token', async () => {
    const g = group(report, 'team/app');
    assert.deepEqual(
      g.findings.filter((f) => f.severity === 'error'),
      [],
    );
    assert.equal(g.verdicts[0]?.ok, true);
    const check = g.checks.find((c) => c.id === 'irsa.annotations');
    assert.match(
      check?.outcome.status === 'pass' ? check.outcome.detail : `not passed: ${JSON.stringify(check)}`,
      /AWS_WEB_IDENTITY_TOKEN_FILE=\/var\/run\/secrets\/eks\.amazonaws\.com\/serviceaccount\/token, audience sts\.amazonaws\.com, token lifetime 86400s/,
    );
    const sts = await assume(sb, goodRole, tokenOf(target, 'team/app'));
    assert.equal(sts.status, 200, sts.body);
  });

  test('an annotation that is not a role ARN: the exact ValidationError STS answers', async () => {
    const f = group(report, 'team/bad-arn').findings.find((x) => x.code === 'IRSA_ROLE_ARN_INVALID');
    assert.ok(f !== undefined);
    assert.match(f.detail, /eks\.amazonaws\.com\/role-arn: irsa-app: not an IAM role ARN/);
    const sts = await assume(sb, 'irsa-app', tokenOf(target, 'team/bad-arn'));
    assert.deepEqual(f.predictedError, { code: sts.code, status: sts.status, message: sts.message });
    // An ARN of another kind: `Request ARN is invalid`.
    const user = 'arn:aws:iam::123456789012:user/not-a-role';
    const g = group(report, 'team/long-arn').findings.find((x) => x.code === 'IRSA_ROLE_ARN_INVALID');
    const answer = await assume(sb, user, tokenOf(target, 'team/long-arn'));
    assert.equal(answer.message, 'Request ARN is invalid');
    assert.deepEqual(g?.predictedError, {
      code: answer.code,
      status: answer.status,
      message: answer.message,
    });
  });

  test('a role in another account than the provider: the provider-not-found answer', async () => {
    const f = group(report, 'team/elsewhere').findings.find((x) => x.code === 'IRSA_ROLE_ACCOUNT_MISMATCH');
    assert.ok(f !== undefined, JSON.stringify(group(report, 'team/elsewhere').findings));
    assert.match(f.detail, /account 210987654321/);
    const sts = await assume(sb, OTHER_ACCOUNT_ROLE, tokenOf(target, 'team/elsewhere'));
    assert.deepEqual(f.predictedError, { code: sts.code, status: sts.status, message: sts.message });
  });

  test("an audience annotation the provider does not list: names the webhook's and the provider's", async () => {
    const g = group(report, 'team/custom-aud');
    const f = g.findings.find((x) => x.code === 'IRSA_AUDIENCE_NOT_CLIENT_ID');
    assert.ok(f !== undefined);
    assert.match(f.detail, /audience is openshift, the eks\.amazonaws\.com\/audience annotation/);
    assert.match(f.detail, /lists client IDs sts\.amazonaws\.com/);
    const role = target.components.find((c) => c.name === 'team/custom-aud')?.roleArn ?? '';
    const sts = await assume(sb, role, tokenOf(target, 'team/custom-aud'));
    assert.deepEqual(f.predictedError, { code: sts.code, status: sts.status, message: sts.message });
    const verdict = g.verdicts[0];
    assert.ok(verdict !== undefined && !verdict.ok);
    assert.deepEqual(verdict.error, f.predictedError);
  });
});

describe('self-hosted issuer on the private CA (thumbprints enforced)', () => {
  test('a wrong thumbprint fails as STS does; the pinned intermediate makes it healthy', async () => {
    const key = rsaKey();
    const host = 'oidc.irsa-private.example';
    const issuer = `https://${host}`;
    publishIssuer(host, '', key, 'private');
    const provider = await aws.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: issuer,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['0'.repeat(40)],
      }),
    );
    const role = await ensureRole(aws, {
      roleName: 'irsa-private',
      description: 'irsa test',
      trustPolicy: renderPolicy(trustPolicy(provider.OpenIDConnectProviderArn ?? '', host, 'web', ['api'])),
      permissionsPolicy: PERMISSIONS,
      tags: [],
    });
    // Without the discovery endpoint the issuer comes from the tokens' iss.
    const target = await startCluster(
      {
        authentication: undefined,
        cloudCredential: undefined,
        credentialsRequests: [],
        secrets: new Map(),
        serviceAccounts: new Set(),
        serviceAccountObjects: [serviceAccount('web', 'api', { 'eks.amazonaws.com/role-arn': role.arn })],
        signer: key,
        issuer,
        openshift: false,
      },
      'private',
    );
    assert.equal(target.issuer, issuer);
    const broken = await doctor(target);
    const g = group(broken, 'web/api');
    const first = g.findings[0];
    assert.equal(first?.code, 'THUMBPRINT_MISMATCH', JSON.stringify(g.findings.map((f) => f.code)));
    const sts = await assume(sb, role.arn, tokenOf(target, 'web/api'));
    assert.deepEqual(first.predictedError, { code: sts.code, status: sts.status, message: sts.message });
    assert.ok(first.fix.join('\n').includes(sb.cas.private.intermediateSha1));

    await aws.iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: provider.OpenIDConnectProviderArn,
        ThumbprintList: [sb.cas.private.intermediateSha1],
      }),
    );
    const healthy = await doctor(target);
    expectHealthy(healthy, await assume(sb, role.arn, tokenOf(target, 'web/api')));
  });
});
