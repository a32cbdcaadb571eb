import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { verifySignature } from '../../../src/webidentity/signature.js';
import { decodeToken } from '../../../src/webidentity/token.js';
import { StepLog } from '../../../src/webidentity/steps.js';
import { buildJwks, readPublicKeyPem, type Jwk } from '../../../src/core/index.js';

// The imported-key memo must not let a JWK that jose refuses for verification (key_ops without
// "verify") borrow a key imported earlier from the same material.
test('a JWK restricted to signing never verifies, even after the same material verified once', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const info = readPublicKeyPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const jwt = await new SignJWT({ sub: 'x' })
    .setProtectedHeader({ alg: 'RS256', kid: info.kid })
    .sign(privateKey);
  const token = decodeToken(jwt, new StepLog());
  assert.ok(token.ok);
  const good = buildJwks([info]);
  assert.equal((await verifySignature(token.value, good, new StepLog())).ok, true);
  const signOnly = { keys: good.keys.map((k): Jwk => ({ ...k, key_ops: ['sign'] })) };
  assert.equal((await verifySignature(token.value, signOnly, new StepLog())).ok, false);
});
