import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { buildJwks, renderJwks } from '../../../src/core/index.js';
import {
  StepLog,
  evaluateWebIdentity,
  verifySignature,
  type DecodedToken,
} from '../../../src/webidentity/index.js';
import type { AwsBehaviour } from '../../../src/webidentity/behaviour.js';
import {
  ISSUER,
  JWKS_URL,
  NOW,
  NOW_SECONDS,
  SUBJECT,
  assertFailure,
  assertGrant,
  errors,
  healthyIssuer,
  input,
  mint,
  ok,
  otherKey,
  signingKey,
} from './support/fixtures.js';

/** Claims of a valid token, for hand-made tokens. */
function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: SUBJECT,
    aud: ['openshift'],
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 3600,
    ...extra,
  };
}

async function signed(
  payload: Record<string, unknown>,
  header: { alg: string; kid?: string } = { alg: 'RS256' },
): Promise<string> {
  const key = await signingKey();
  // Odd claim types (a string iat) on purpose: SignJWT serializes whatever it is given.
  return new SignJWT(payload).setProtectedHeader(header).sign(key.key);
}

async function evaluateToken(token: string, behaviour?: AwsBehaviour) {
  return evaluateWebIdentity(await input({ token, ...(behaviour === undefined ? {} : { behaviour }) }));
}

const MALFORMED =
  'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)';

describe('token decoding and alg (token.decode, token.alg)', () => {
  test('an opaque access token is not a JWT [unverified wording]', async () => {
    assertFailure(
      await evaluateToken('gho_16C7e42F292c6912E7710c838347Ae178B4a'),
      errors.invalidToken(MALFORMED, 'token.decode'),
    );
  });

  test('a payload that is not JSON, and a five-part JWE, are not JWTs', async () => {
    const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
    assertFailure(
      await evaluateToken(`${header}.${Buffer.from('not json').toString('base64url')}.c2ln`),
      errors.invalidToken(MALFORMED, 'token.decode'),
    );
    assertFailure(await evaluateToken('a.b.c.d.e'), errors.invalidToken(MALFORMED, 'token.decode'));
  });

  test('alg none is refused: "not a valid JWT" today (aws-sts-2026.md §6)', async () => {
    const token = new UnsecuredJWT(claims()).encode();
    assertFailure(await evaluateToken(token), errors.invalidToken(MALFORMED, 'token.alg'));
  });

  test('alg none is refused (2025-12 profile: the earlier wording)', async () => {
    const token = new UnsecuredJWT(claims()).encode();
    assertFailure(
      await evaluateToken(token, '2025-12'),
      errors.invalidToken('Unsupported signing algorithm in the ID Token: none', 'token.alg'),
    );
  });

  test('HS256 "signed" with the public key as the HMAC secret is refused (both profiles)', async () => {
    const key = await signingKey();
    const secret = new TextEncoder().encode(
      key.publicKey.key.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: key.publicKey.kid })
      .sign(secret);
    assertFailure(
      await evaluateToken(token, '2025-12'),
      errors.invalidToken('Unsupported signing algorithm in the ID Token: HS256', 'token.alg'),
    );
    assertFailure(await evaluateToken(token), errors.invalidToken(MALFORMED, 'token.alg'));
  });

  test('even a token whose decoded alg was forged as RS256 does not verify an HS256 signature', async () => {
    const key = await signingKey();
    const compact = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: key.publicKey.kid })
      .sign(new TextEncoder().encode('secret'));
    const forged: DecodedToken = {
      compact,
      header: { alg: 'RS256' },
      claims: claims(),
      alg: 'RS256',
      kid: key.publicKey.kid,
    };
    const result = await verifySignature(forged, buildJwks([key.publicKey]), new StepLog());
    assert.deepEqual(result.ok ? result : [result.rule, result.error.code], [
      'token.signature',
      'InvalidIdentityToken',
    ]);
  });

  test('RS512 with the same RSA key verifies (JWK without alg)', async () => {
    const key = await signingKey();
    const token = await mint({ alg: 'RS512' });
    const jwk = { ...buildJwks([key.publicKey]).keys[0]! };
    delete jwk.alg;
    const issuer = (await healthyIssuer()).with(JWKS_URL, ok(JWKS_URL, JSON.stringify({ keys: [jwk] })));
    assertGrant(await evaluateWebIdentity(await input({ token, issuer })));
  });

  test('a JWK that names RS256 does not verify an RS512 token', async () => {
    assertFailure(
      await evaluateToken(await mint({ alg: 'RS512' })),
      errors.invalidToken('The ID Token signature could not be verified', 'token.signature'),
    );
  });

  test('ES256 tokens verify against an EC P-256 JWK', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'ec-1', use: 'sig', alg: 'ES256' };
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
      .sign(privateKey);
    const issuer = (await healthyIssuer()).with(JWKS_URL, ok(JWKS_URL, JSON.stringify({ keys: [jwk] })));
    assertGrant(await evaluateWebIdentity(await input({ token, issuer })));
  });

  test('an RS256 token whose kid names an EC key cannot verify (key type must fit alg)', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const key = await signingKey();
    const jwk = { ...(await exportJWK(publicKey)), kid: key.publicKey.kid };
    const issuer = (await healthyIssuer()).with(JWKS_URL, ok(JWKS_URL, JSON.stringify({ keys: [jwk] })));
    assertFailure(
      await evaluateWebIdentity(await input({ issuer })),
      errors.invalidToken('The ID Token signature could not be verified', 'token.signature'),
    );
  });
});

describe('claims before the provider lookup (token.claim-*)', () => {
  test('no aud: "Missing a required claim: aud" — even for a legacy token whose iss matches no provider', async () => {
    const legacy = await signed(
      { iss: 'kubernetes/serviceaccount', sub: SUBJECT, 'kubernetes.io/serviceaccount/namespace': 'ns' },
      { alg: 'RS256', kid: '' },
    );
    assertFailure(
      await evaluateToken(legacy),
      errors.invalidToken('Missing a required claim: aud', 'token.claim-aud'),
    );
  });

  test('an empty aud list counts as missing', async () => {
    assertFailure(
      await evaluateToken(await mint({ audiences: [] })),
      errors.invalidToken('Missing a required claim: aud', 'token.claim-aud'),
    );
  });

  test('no sub [unverified wording]', async () => {
    const key = await signingKey();
    const token = await signed({ ...claims(), sub: undefined }, { alg: 'RS256', kid: key.publicKey.kid });
    assertFailure(
      await evaluateToken(token),
      errors.invalidToken('Missing a required claim: sub', 'token.claim-sub'),
    );
  });
});

describe('keys and signature (jwks.kid, token.signature)', () => {
  test('a kid absent from the JWKS is "Couldn\'t retrieve verification key…"', async () => {
    assertFailure(
      await evaluateToken(await mint({ kid: 'rotated-away' })),
      errors.couldNotRetrieve('jwks.kid'),
    );
  });

  test('a token without kid matches a key published with kid "" (the self-hosted guide\'s copy)', async () => {
    const key = await signingKey();
    const token = await signed(claims());
    const jwk = buildJwks([key.publicKey]).keys[0]!;
    const twice = JSON.stringify({ keys: [jwk, { ...jwk, kid: '' }] });
    const issuer = (await healthyIssuer()).with(JWKS_URL, ok(JWKS_URL, twice));
    assertGrant(await evaluateWebIdentity(await input({ token, issuer })));
    assertFailure(await evaluateToken(token), errors.couldNotRetrieve('jwks.kid'));
  });

  test('signed by another key under our kid [unverified wording]', async () => {
    const mine = await signingKey();
    const theirs = await otherKey();
    const token = await mint({ privateKey: theirs.key, kid: mine.publicKey.kid });
    assertFailure(
      await evaluateToken(token),
      errors.invalidToken('The ID Token signature could not be verified', 'token.signature'),
    );
  });

  test('a payload changed after signing', async () => {
    const [h, , s] = (await mint()).split('.');
    const payload = Buffer.from(
      JSON.stringify(claims({ sub: 'system:serviceaccount:kube-system:admin' })),
    ).toString('base64url');
    assertFailure(
      await evaluateToken(`${h}.${payload}.${s}`),
      errors.invalidToken('The ID Token signature could not be verified', 'token.signature'),
    );
  });

  test('a JWKS listing both the old and the rotated key verifies tokens of each', async () => {
    const a = await signingKey();
    const b = await otherKey();
    const issuer = (await healthyIssuer()).with(
      JWKS_URL,
      ok(JWKS_URL, renderJwks(buildJwks([a.publicKey, b.publicKey]))),
    );
    const token = await mint({ privateKey: b.key, kid: b.publicKey.kid });
    assertGrant(await evaluateWebIdentity(await input({ token, issuer })));
  });
});

describe('time claims (token.timestamps, token.claim-exp, token.expiry)', () => {
  test('expired beyond the 5-minute leeway: ExpiredTokenException with Unix seconds', async () => {
    const token = await mint({ now: new Date((NOW_SECONDS - 3600 - 301) * 1000) });
    assertFailure(await evaluateToken(token), {
      code: 'ExpiredTokenException',
      status: 400,
      message: `Token expired: current date/time ${NOW_SECONDS} must be before the expiration date/time ${NOW_SECONDS - 301}`,
      rule: 'token.expiry',
    });
  });

  test('expired exactly 300 s ago is still accepted (now == exp + 300)', async () => {
    const token = await mint({ now: new Date((NOW_SECONDS - 3600 - 300) * 1000) });
    assertGrant(await evaluateToken(token));
  });

  test('the frozen clock decides, not the wall clock', async () => {
    const token = await mint();
    const later = new Date(NOW.getTime() + 2 * 3600 * 1000);
    const result = await evaluateWebIdentity({ ...(await input({ token })), now: later });
    assert.equal(result.ok ? '' : result.error.code, 'ExpiredTokenException');
  });

  test('no exp [unverified wording]', async () => {
    const key = await signingKey();
    const token = await signed({ ...claims(), exp: undefined }, { alg: 'RS256', kid: key.publicKey.kid });
    assertFailure(
      await evaluateToken(token),
      errors.invalidToken('Missing a required claim: exp', 'token.claim-exp'),
    );
  });

  test('a fractional exp or a string iat is refused [unverified wording]', async () => {
    const key = await signingKey();
    const header = { alg: 'RS256', kid: key.publicKey.kid };
    assertFailure(
      await evaluateToken(await signed(claims({ exp: NOW_SECONDS + 3600.5 }), header)),
      errors.invalidToken(
        'Invalid value for the exp claim: timestamps must be formatted as either an integer or a long integer',
        'token.timestamps',
      ),
    );
    assertFailure(
      await evaluateToken(await signed(claims({ iat: String(NOW_SECONDS) }), header)),
      errors.invalidToken(
        'Invalid value for the iat claim: timestamps must be formatted as either an integer or a long integer',
        'token.timestamps',
      ),
    );
  });
});
