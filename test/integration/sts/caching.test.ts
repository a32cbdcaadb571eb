import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildJwks,
  generateRsaKeyPair,
  readPrivateKeyPem,
  renderJwks,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';
import { NAMESPACE, SERVICE_ACCOUNT, startStsFixture, type StsFixture } from './support/fixture.js';
import { inner, postForm } from './support/xml.js';

// Caches of IAM and of the issuer: warm requests touch neither, a change shows after
// invalidateCaches() or the TTL, and a rotated signing key is picked up at once.

const TTL_MS = 1500;
const TRUSTED = `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`;
const VERIFICATION_KEY_MESSAGE =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

let f: StsFixture;
let secondKey: PrivateKeyInfo;

before(async () => {
  const [fixture, pair] = await Promise.all([
    startStsFixture({ cacheTtlMs: TTL_MS, issuerCacheTtlMs: TTL_MS, issuerRefreshCooldownMs: 0 }),
    generateRsaKeyPair(2048),
  ]);
  f = fixture;
  secondKey = readPrivateKeyPem(pair.privateKeyPem);
});

after(async () => {
  await f.close();
});

async function assume(
  token: string,
): Promise<{ status: number; code: string | undefined; message: string | undefined }> {
  const res = await postForm(f.sts.url, {
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: f.roleArn,
    RoleSessionName: 'cache-test',
    WebIdentityToken: token,
  });
  return { status: res.status, code: inner(res.body, 'Code'), message: inner(res.body, 'Message') };
}

test('warm requests read neither IAM nor the issuer again', async () => {
  f.sts.invalidateCaches();
  assert.equal((await assume(await f.mint())).status, 200);
  const warm = f.sts.stats;
  const started = Date.now();
  for (let i = 0; i < 20; i++) assert.equal((await assume(await f.mint())).status, 200);
  const elapsed = Date.now() - started;
  const after = f.sts.stats;
  // Within one TTL nothing is read again. On a loaded machine the 20 requests can outlast the TTL:
  // then each cache may refresh at most once per TTL that passed (IAM: the role and the providers;
  // the issuer: discovery and JWKS), never once per request.
  const refreshes = Math.floor(elapsed / TTL_MS);
  assert.ok(
    after.iamCalls - warm.iamCalls <= 2 * refreshes,
    `${after.iamCalls - warm.iamCalls} IAM reads in ${elapsed} ms (TTL ${TTL_MS} ms)`,
  );
  assert.ok(
    after.issuerFetches - warm.issuerFetches <= 2 * refreshes,
    `${after.issuerFetches - warm.issuerFetches} issuer fetches in ${elapsed} ms (TTL ${TTL_MS} ms)`,
  );
});

test('a trust-policy change in IAM shows after invalidateCaches(), and after the TTL', async () => {
  const token = await f.mint();
  f.sts.invalidateCaches();
  assert.equal((await assume(token)).status, 200);
  await f.setTrustedSubject('system:serviceaccount:other:other');
  // Still the cached role (like IAM's eventual consistency, aws-sts-oidc.md §5.2)…
  assert.equal((await assume(token)).status, 200);
  f.sts.invalidateCaches();
  // …until the caches are dropped: now the new trust policy refuses this subject.
  assert.deepEqual(await assume(token), {
    status: 403,
    code: 'AccessDenied',
    message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  });
  await f.setTrustedSubject(TRUSTED);
  assert.equal((await assume(token)).status, 403, 'the refusal reflects the cached role');
  await sleep(TTL_MS + 100);
  assert.equal((await assume(token)).status, 200, 'after the TTL the restored policy applies');
});

test('a key removed from the JWKS stops working after invalidateCaches(), and after the TTL', async () => {
  const token = await f.mint();
  const originalJwks = renderJwks(buildJwks([f.signingKey.publicKey]));
  const otherJwks = renderJwks(buildJwks([secondKey.publicKey]));
  try {
    f.sts.invalidateCaches();
    assert.equal((await assume(token)).status, 200);
    f.issuer.setDocument('/keys.json', otherJwks);
    assert.equal((await assume(token)).status, 200, 'the cached JWKS still holds the key');
    f.sts.invalidateCaches();
    assert.deepEqual(await assume(token), {
      status: 400,
      code: 'InvalidIdentityToken',
      message: VERIFICATION_KEY_MESSAGE,
    });
    // Back to the original key set: seen after the TTL without any invalidation.
    f.issuer.setDocument('/keys.json', originalJwks);
    await sleep(TTL_MS + 100);
    assert.equal((await assume(token)).status, 200);
  } finally {
    f.issuer.setDocument('/keys.json', originalJwks);
  }
});

test('a token signed with a newly published key is accepted at once (JWKS refetched on failure)', async () => {
  const originalJwks = renderJwks(buildJwks([f.signingKey.publicKey]));
  try {
    f.sts.invalidateCaches();
    assert.equal((await assume(await f.mint())).status, 200);
    const rotated = await f.mint({ privateKey: secondKey.key, kid: secondKey.publicKey.kid });
    f.issuer.setDocument('/keys.json', renderJwks(buildJwks([f.signingKey.publicKey, secondKey.publicKey])));
    const retries = f.sts.stats.issuerRefreshRetries;
    assert.equal((await assume(rotated)).status, 200);
    assert.equal(f.sts.stats.issuerRefreshRetries, retries + 1);
  } finally {
    f.issuer.setDocument('/keys.json', originalJwks);
  }
});

test('after invalidateCaches() the issuer is fetched again, once', async () => {
  const discovery = '/.well-known/openid-configuration';
  const token = await f.mint();
  const hits = f.issuer.hits.get(discovery) ?? 0;
  f.sts.invalidateCaches();
  assert.equal((await assume(token)).status, 200);
  assert.equal(f.issuer.hits.get(discovery), hits + 1, 'one fetch after invalidation');
});
