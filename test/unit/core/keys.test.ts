import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  buildJwks,
  generateRsaKeyPair,
  jwkFromPublicKey,
  kidFromSpki,
  readPrivateKeyPem,
  readPublicKeyPem,
  renderJwks,
  StsctlError,
} from '../../../src/core/index.js';
import { CCOCTL_DERIVED, TEST_PUBLIC_KEY } from '../../helpers/repo.js';

const testKeyPem = readFileSync(TEST_PUBLIC_KEY, 'utf8');

describe('kid', () => {
  test('upstream ccoctl test key: kid is SHA-256 over DER SPKI (vTM0nbCme-…)', () => {
    assert.equal(readPublicKeyPem(testKeyPem).kid, 'vTM0nbCme-yk2IjmPYHm9h5pYmdR-9LztPbV76J2C6E');
  });

  test('is not the RFC 7638 thumbprint (kVtdT3zA…) that jose would compute', () => {
    assert.notEqual(readPublicKeyPem(testKeyPem).kid, 'kVtdT3zA9r0_FnO9VVB4xhXfUc4-uf53YFlyMsmhqlg');
  });

  test('matches the OpenShift documentation openssl pipeline (kid, n, e)', () => {
    // openssl rsa -pubin -outform DER | openssl dgst -sha256 -binary | base64url, no padding
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: testKeyPem });
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
    assert.equal(readPublicKeyPem(testKeyPem).kid, digest.toString('base64url'));
    const text = execFileSync('openssl', ['rsa', '-pubin', '-noout', '-modulus'], {
      input: testKeyPem,
    }).toString();
    const modulusHex = text.trim().replace(/^Modulus=/, '');
    const jwk = jwkFromPublicKey(readPublicKeyPem(testKeyPem));
    assert.equal(Buffer.from(jwk.n, 'base64url').toString('hex').toUpperCase(), modulusHex);
    assert.equal(jwk.e, 'AQAB');
  });

  test('kidFromSpki has no padding and is base64url', () => {
    const kid = kidFromSpki(Buffer.from('abc'));
    assert.match(kid, /^[A-Za-z0-9_-]{43}$/);
  });
});

describe('reading keys', () => {
  test('reads PKCS#1 and PKCS#8 private keys to the same public key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.equal(readPrivateKeyPem(pkcs1).publicKey.kid, readPrivateKeyPem(pkcs8).publicKey.kid);
  });

  test('reads PKCS#1 RSA PUBLIC KEY as well as SPKI', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    assert.equal(readPublicKeyPem(spki).kid, readPublicKeyPem(pkcs1).kid);
  });

  test('rejects an EC key with a clear error naming the file', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(
      () => readPublicKeyPem(pem, 'ec.pub'),
      (e: unknown) =>
        e instanceof StsctlError &&
        e.code === 'KEY_NOT_RSA' &&
        e.file === 'ec.pub' &&
        /not of type RSA/.test(e.message),
    );
  });

  test('rejects RSA keys shorter than 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(
      () => readPublicKeyPem(pem),
      (e: unknown) => e instanceof StsctlError && e.code === 'KEY_TOO_SHORT',
    );
  });

  test('rejects text that is not PEM', () => {
    assert.throws(
      () => readPublicKeyPem('hello'),
      (e: unknown) => e instanceof StsctlError && e.code === 'KEY_NOT_PEM',
    );
  });

  test('an unreadable private key error does not echo key material', () => {
    const bogus =
      '-----BEGIN RSA PRIVATE KEY-----\nQUJDREVGR0hJSktMTU5PUA==\n-----END RSA PRIVATE KEY-----\n';
    assert.throws(
      () => readPrivateKeyPem(bogus),
      (e: unknown) => e instanceof StsctlError && !e.message.includes('QUJDREVG'),
    );
  });
});

describe('generation', () => {
  test('generates RSA 4096, PKCS#1 private and SPKI public, which belong together', async () => {
    const pair = await generateRsaKeyPair();
    assert.match(pair.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(pair.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
    const priv = readPrivateKeyPem(pair.privateKeyPem);
    assert.equal(priv.publicKey.modulusBits, 4096);
    assert.equal(priv.publicKey.kid, readPublicKeyPem(pair.publicKeyPem).kid);
  });

  test('refuses to generate short keys', async () => {
    await assert.rejects(
      generateRsaKeyPair(1024),
      (e: unknown) => e instanceof StsctlError && e.code === 'KEY_TOO_SHORT',
    );
  });
});

describe('JWKS', () => {
  test("is byte-identical to ccoctl's 03-keys.json for the test key", () => {
    const expected = readFileSync(
      `${CCOCTL_DERIVED}/A-create-identity-provider-public-us-west-2/03-keys.json`,
      'utf8',
    );
    assert.equal(renderJwks(buildJwks([readPublicKeyPem(testKeyPem)])), expected);
  });

  test('keeps go-jose field order use, kty, kid, alg, n, e', () => {
    assert.deepEqual(Object.keys(jwkFromPublicKey(readPublicKeyPem(testKeyPem))), [
      'use',
      'kty',
      'kid',
      'alg',
      'n',
      'e',
    ]);
  });
});
