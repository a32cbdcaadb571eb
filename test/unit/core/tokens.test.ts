import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify, importJWK, decodeProtectedHeader } from 'jose';
import {
  buildJwks,
  formatDuration,
  inspectToken,
  mintServiceAccountToken,
  readPrivateKeyPem,
  StsctlError,
} from '../../../src/core/index.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = readPrivateKeyPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
const now = new Date('2026-11-23T10:00:00Z');
const epoch = Math.floor(now.getTime() / 1000);

describe('mint', () => {
  test('claims as kube-apiserver issues them, header kid, verifiable with the published JWKS', async () => {
    const jwt = await mintServiceAccountToken({
      issuer: 'https://c-oidc.s3.us-east-1.amazonaws.com',
      namespace: 'openshift-ingress-operator',
      serviceAccount: 'ingress-operator',
      now,
      privateKey: key.key,
      kid: key.publicKey.kid,
    });
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'RS256', kid: key.publicKey.kid });
    const jwk = buildJwks([key.publicKey]).keys[0]!;
    const { payload } = await jwtVerify(jwt, await importJWK(jwk, 'RS256'), { currentDate: now });
    assert.equal(payload.iss, 'https://c-oidc.s3.us-east-1.amazonaws.com');
    assert.equal(payload.sub, 'system:serviceaccount:openshift-ingress-operator:ingress-operator');
    assert.deepEqual(payload.aud, ['openshift']);
    assert.equal(payload.iat, epoch);
    assert.equal(payload.nbf, epoch);
    assert.equal(payload.exp, epoch + 3600);
    assert.equal(typeof payload.jti, 'string');
    const k8s = payload['kubernetes.io'] as {
      namespace: string;
      serviceaccount: { name: string; uid: string };
    };
    assert.equal(k8s.namespace, 'openshift-ingress-operator');
    assert.equal(k8s.serviceaccount.name, 'ingress-operator');
  });

  test('audiences and lifetime are configurable; bad lifetimes refused', async () => {
    const jwt = await mintServiceAccountToken({
      issuer: 'https://i',
      namespace: 'n',
      serviceAccount: 's',
      audiences: ['sts.amazonaws.com'],
      expirationSeconds: 600,
      now,
      privateKey: key.key,
      kid: key.publicKey.kid,
    });
    const t = inspectToken(jwt, now);
    assert.deepEqual(t.audiences, ['sts.amazonaws.com']);
    assert.equal(t.expiresInSeconds, 600);
    await assert.rejects(
      mintServiceAccountToken({
        issuer: 'https://i',
        namespace: 'n',
        serviceAccount: 's',
        expirationSeconds: 0,
        privateKey: key.key,
        kid: 'k',
      }),
      (e: unknown) => e instanceof StsctlError && e.code === 'TOKEN_INVALID_OPTION',
    );
  });
});

describe('inspect', () => {
  test('shows times in human form and whether the token expired', async () => {
    const jwt = await mintServiceAccountToken({
      issuer: 'https://i',
      namespace: 'n',
      serviceAccount: 's',
      now,
      privateKey: key.key,
      kid: 'k',
    });
    const fresh = inspectToken(`${jwt}\n`, now);
    assert.equal(fresh.expired, false);
    assert.deepEqual(fresh.serviceAccount, { namespace: 'n', name: 's' });
    assert.deepEqual(
      fresh.times.map((t) => [t.claim, t.relative]),
      [
        ['iat', 'now'],
        ['nbf', 'now'],
        ['exp', 'in 1h 0m'],
      ],
    );
    const later = inspectToken(jwt, new Date(now.getTime() + 3 * 3600 * 1000));
    assert.equal(later.expired, true);
    assert.equal(later.times.find((t) => t.claim === 'exp')?.relative, '2h 0m ago');
    assert.equal(later.times.find((t) => t.claim === 'exp')?.iso, '2026-11-23T11:00:00.000Z');
  });

  test('rejects what is not a JWT', () => {
    assert.throws(
      () => inspectToken('abc.def'),
      (e: unknown) => e instanceof StsctlError && e.code === 'TOKEN_MALFORMED',
    );
    assert.throws(
      () => inspectToken('a.b.c'),
      (e: unknown) => e instanceof StsctlError && e.code === 'TOKEN_MALFORMED',
    );
  });

  test('formatDuration', () => {
    assert.deepEqual(
      [formatDuration(42), formatDuration(303), formatDuration(7260), formatDuration(90000)],
      ['42s', '5m 3s', '2h 1m', '1d 1h'],
    );
  });
});
