import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { IdentityObserver } from '../../../src/aws/observe-identity.js';
import {
  buildJwks,
  mintServiceAccountToken,
  readPrivateKeyPem,
  renderDiscoveryDocument,
  renderJwks,
  renderPolicy,
  trustPolicy,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { runDoctor } from '../../../src/doctor/run.js';
import type { DoctorTarget } from '../../../src/doctor/target.js';
import type { HttpObservation, IssuerView } from '../../../src/webidentity/types.js';

/** runDoctor with a fake issuer and a fake AWS: no network, frozen clock. */

const NOW = new Date('2026-11-23T10:00:00Z');
const ISSUER = 'https://demo-oidc.s3.us-east-1.amazonaws.com';
const PROVIDER_ARN = 'arn:aws:iam::123456789012:oidc-provider/demo-oidc.s3.us-east-1.amazonaws.com';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/demo-role';

function key(): PrivateKeyInfo {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return readPrivateKeyPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
}

const signer = key();
const other = key();

function fakeIssuer(): IssuerView & { calls: string[] } {
  const tls = {
    chain: [
      {
        sha1: 'A'.repeat(40),
        subject: 'CN=*.s3.us-east-1.amazonaws.com',
        issuer: 'CN=CA',
        notBefore: '2026-01-01T00:00:00.000Z',
        notAfter: '2027-06-01T00:00:00.000Z',
      },
    ],
    trustedByCaLibrary: true,
  };
  const bodies: Record<string, string> = {
    [`${ISSUER}/.well-known/openid-configuration`]: renderDiscoveryDocument(ISSUER),
    [`${ISSUER}/keys.json`]: renderJwks(buildJwks([signer.publicKey])),
  };
  const calls: string[] = [];
  return {
    calls,
    fetch(url): Promise<HttpObservation> {
      calls.push(url);
      const body = bodies[url];
      return Promise.resolve(
        body === undefined
          ? { url, ok: true, status: 403, headers: {}, body: '', latencyMs: 5, tls }
          : {
              url,
              ok: true,
              status: 200,
              headers: { 'content-type': 'application/json' },
              body,
              latencyMs: 5,
              tls,
            },
      );
    },
  };
}

function fakeAws(): IdentityObserver {
  const policy = renderPolicy(trustPolicy(PROVIDER_ARN, ISSUER.slice(8), 'team', ['app']));
  const fail = (): Promise<never> => Promise.reject(new Error('not used'));
  return {
    listOidcProviders: () =>
      Promise.resolve([
        {
          arn: PROVIDER_ARN,
          url: ISSUER.slice(8),
          clientIds: ['openshift', 'sts.amazonaws.com'],
          thumbprints: [],
        },
      ]),
    getRole: (arn) =>
      Promise.resolve(
        arn === ROLE_ARN
          ? {
              arn,
              roleName: 'demo-role',
              roleId: 'AROADEMO',
              assumeRolePolicyDocument: policy,
              maxSessionDuration: 3600,
            }
          : undefined,
      ),
    getBucket: () =>
      Promise.resolve({
        exists: true,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: [
                'arn:aws:s3:::demo-oidc/.well-known/openid-configuration',
                'arn:aws:s3:::demo-oidc/keys.json',
              ],
            },
          ],
        }),
        publicAccessBlock: undefined,
        objectKeys: ['.well-known/openid-configuration', 'keys.json'],
        objectKeysTruncated: false,
      }),
    getAccountPublicAccessBlock: () => Promise.resolve(undefined),
    findDistribution: fail,
    assumeRoleWithWebIdentity: fail,
    destroy: () => undefined,
  };
}

function mint(k: PrivateKeyInfo, sa = 'app'): Promise<string> {
  return mintServiceAccountToken({
    issuer: ISSUER,
    namespace: 'team',
    serviceAccount: sa,
    now: new Date(NOW.getTime() - 60_000),
    privateKey: k.key,
    kid: k.publicKey.kid,
  });
}

function target(tokens: string[]): DoctorTarget {
  return {
    mode: 'token',
    components: tokens.map((t, i) => ({
      name: `c${i}`,
      serviceAccounts: [],
      roleArn: ROLE_ARN,
      tokens: [{ token: t }],
    })),
  };
}

test('healthy: credentials predicted, no findings of error severity', async () => {
  const report = await runDoctor(target([await mint(signer)]), {
    issuer: fakeIssuer(),
    aws: fakeAws(),
    now: () => NOW,
  });
  assert.equal(report.summary.healthy, true, JSON.stringify(report.components.map((c) => c.findings)));
  const v = report.components.find((c) => c.name === 'c0')?.verdicts[0];
  assert.equal(v?.ok, true);
});

test('each issuer URL is fetched once, however many components and checks read it', async () => {
  const issuer = fakeIssuer();
  await runDoctor(target([await mint(signer), await mint(signer), await mint(other)]), {
    issuer,
    aws: fakeAws(),
    now: () => NOW,
  });
  assert.deepEqual([...issuer.calls].sort(), [
    `${ISSUER}/.well-known/openid-configuration`,
    `${ISSUER}/keys.json`,
  ]);
});

test('without AWS: the verdict is could-not-check (not a failure), yet the kid is still checked', async () => {
  const ok = await runDoctor(target([await mint(signer)]), { issuer: fakeIssuer(), now: () => NOW });
  assert.equal(ok.summary.healthy, true);
  const component = ok.components.find((c) => c.name === 'c0');
  assert.equal(component?.checks.find((c) => c.id === 'sts.verdict')?.outcome.status, 'could-not-check');
  assert.ok(ok.summary.couldNotCheck >= 3);

  const bad = await runDoctor(target([await mint(other)]), { issuer: fakeIssuer(), now: () => NOW });
  const first = bad.components.find((c) => c.name === 'c0')?.findings[0];
  assert.equal(first?.code, 'TOKEN_KID_NOT_IN_JWKS');
  assert.equal(first.decisive, undefined, 'without IAM the model cannot give the verdict');
});

test("the decisive finding carries the model's exact error; the token itself is never in the report", async () => {
  const token = await mint(signer, 'intruder');
  const report = await runDoctor(target([token]), { issuer: fakeIssuer(), aws: fakeAws(), now: () => NOW });
  const first = report.components.find((c) => c.name === 'c0')?.findings[0];
  assert.equal(first?.code, 'TRUST_POLICY_DENIES');
  assert.deepEqual(first.predictedError, {
    code: 'AccessDenied',
    status: 403,
    message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  });
  assert.ok(!JSON.stringify(report).includes(token.split('.')[2]!));
});
