import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJwks, renderDiscoveryDocument, renderJwks } from '../../../src/core/index.js';
import {
  evaluateWebIdentity,
  type HttpObservation,
  type IssuerView,
  type ObservedTls,
} from '../../../src/webidentity/index.js';
import {
  DISCOVERY_URL,
  FakeIssuer,
  HOST_PATH,
  ISSUER,
  JWKS_URL,
  assertFailure,
  assertGrant,
  cert,
  errors,
  healthyIssuer,
  input,
  mint,
  ok,
  provider,
  role,
  signingKey,
} from './support/fixtures.js';

async function withIssuer(
  issuer: IssuerView,
  extra: { thumbprints?: string[]; fetchBudgetMs?: number } = {},
) {
  const base = await input({
    issuer,
    iam: {
      providers: [provider(extra.thumbprints === undefined ? {} : { thumbprints: extra.thumbprints })],
      role: role(),
    },
  });
  return evaluateWebIdentity(
    extra.fetchBudgetMs === undefined ? base : { ...base, fetchBudgetMs: extra.fetchBudgetMs },
  );
}

function discoveryWithout(field: string): string {
  const { [field]: _dropped, ...rest } = JSON.parse(renderDiscoveryDocument(ISSUER)) as Record<
    string,
    unknown
  >;
  return JSON.stringify(rest);
}

describe('discovery (discovery.*)', () => {
  test('discovery then JWKS are fetched, in that order', async () => {
    const issuer = await healthyIssuer();
    assertGrant(await withIssuer(issuer));
    assert.deepEqual(issuer.fetched, [DISCOVERY_URL, JWKS_URL]);
  });

  test('unreachable (DNS), refused, timed out, or a view that throws', async () => {
    for (const error of ['dns', 'connect', 'timeout'] as const) {
      const issuer = (await healthyIssuer()).with(DISCOVERY_URL, {
        url: DISCOVERY_URL,
        ok: false,
        error,
        message: error,
        latencyMs: 1,
      });
      assertFailure(await withIssuer(issuer), errors.couldNotRetrieve('discovery.fetch'));
    }
    const throwing: IssuerView = { fetch: () => Promise.reject(new Error('socket hang up')) };
    assertFailure(await withIssuer(throwing), errors.couldNotRetrieve('discovery.fetch'));
  });

  test('a private bucket (HTTP 403) and a redirect are not 200', async () => {
    for (const status of [403, 404, 307]) {
      const issuer = (await healthyIssuer()).with(
        DISCOVERY_URL,
        ok(DISCOVERY_URL, '<Error>AccessDenied</Error>', { status }),
      );
      assertFailure(await withIssuer(issuer), errors.couldNotRetrieve('discovery.status'));
    }
  });

  test('not JSON, or a JSON list', async () => {
    for (const body of ['<html>', '[]']) {
      const issuer = (await healthyIssuer()).with(DISCOVERY_URL, ok(DISCOVERY_URL, body));
      assertFailure(await withIssuer(issuer), errors.couldNotRetrieve('discovery.json'));
    }
  });

  test('each required discovery field missing fails (the xenitab observation)', async () => {
    for (const field of [
      'issuer',
      'jwks_uri',
      'response_types_supported',
      'subject_types_supported',
      'id_token_signing_alg_values_supported',
    ]) {
      const issuer = (await healthyIssuer()).with(DISCOVERY_URL, ok(DISCOVERY_URL, discoveryWithout(field)));
      assertFailure(await withIssuer(issuer), errors.couldNotRetrieve('discovery.fields'));
    }
  });

  test('claims_supported and authorization_endpoint are optional', async () => {
    const issuer = (await healthyIssuer()).with(
      DISCOVERY_URL,
      ok(DISCOVERY_URL, discoveryWithout('claims_supported')),
    );
    assertGrant(await withIssuer(issuer));
  });

  test('a discovery issuer that differs from iss is reported, not enforced', async () => {
    const doc = renderDiscoveryDocument(ISSUER).replace(
      `"issuer": "${ISSUER}"`,
      '"issuer": "https://other.example.com"',
    );
    const result = await withIssuer((await healthyIssuer()).with(DISCOVERY_URL, ok(DISCOVERY_URL, doc)));
    assertGrant(result);
    assert.equal(result.steps.find((s) => s.rule === 'discovery.issuer-match')?.outcome, 'skip');
  });

  test('an issuer with a trailing slash is fetched without a double slash', async () => {
    const iss = `${ISSUER}/`;
    const key = await signingKey();
    const issuer = new FakeIssuer([
      [DISCOVERY_URL, ok(DISCOVERY_URL, renderDiscoveryDocument(ISSUER))],
      [JWKS_URL, ok(JWKS_URL, renderJwks(buildJwks([key.publicKey])))],
    ]);
    const base = await input({
      token: await mint({ issuer: iss }),
      issuer,
      iam: {
        providers: [provider({ url: `${HOST_PATH}/` })],
        role: role({
          assumeRolePolicyDocument: JSON.stringify({
            Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' },
          }),
        }),
      },
    });
    assertGrant(await evaluateWebIdentity(base));
    assert.equal(issuer.fetched[0], DISCOVERY_URL);
  });
});

describe('JWKS (jwks.*)', () => {
  test('jwks_uri must be an https URL', async () => {
    const doc = renderDiscoveryDocument(ISSUER).replace(JWKS_URL, JWKS_URL.replace('https:', 'http:'));
    assertFailure(
      await withIssuer((await healthyIssuer()).with(DISCOVERY_URL, ok(DISCOVERY_URL, doc))),
      errors.couldNotRetrieve('jwks.uri'),
    );
  });

  test('JWKS unreachable, not 200, not a key set', async () => {
    const base = await healthyIssuer();
    assertFailure(
      await withIssuer(
        base.with(JWKS_URL, {
          url: JWKS_URL,
          ok: false,
          error: 'connect',
          message: 'ECONNREFUSED',
          latencyMs: 1,
        }),
      ),
      errors.couldNotRetrieve('jwks.fetch'),
    );
    assertFailure(
      await withIssuer(base.with(JWKS_URL, ok(JWKS_URL, '', { status: 403 }))),
      errors.couldNotRetrieve('jwks.status'),
    );
    assertFailure(
      await withIssuer(base.with(JWKS_URL, ok(JWKS_URL, '{"keys": "none"}'))),
      errors.couldNotRetrieve('jwks.json'),
    );
    assertFailure(
      await withIssuer(base.with(JWKS_URL, ok(JWKS_URL, 'keys'))),
      errors.couldNotRetrieve('jwks.json'),
    );
  });

  test('more than 100 keys (the SPIRE report)', async () => {
    const key = await signingKey();
    const jwk = buildJwks([key.publicKey]).keys[0]!;
    const keys = [jwk, ...Array.from({ length: 100 }, (_, i) => ({ ...jwk, kid: `filler-${i}` }))];
    const issuer = (await healthyIssuer()).with(JWKS_URL, ok(JWKS_URL, JSON.stringify({ keys })));
    assertFailure(await withIssuer(issuer), errors.couldNotRetrieve('jwks.key-count'));
  });
});

describe('latency budget (discovery.budget, jwks.budget)', () => {
  test('over 5000 ms in total fails; exactly 5000 ms passes', async () => {
    const key = await signingKey();
    const jwks = renderJwks(buildJwks([key.publicKey]));
    const timed = (d: number, j: number) =>
      new FakeIssuer([
        [DISCOVERY_URL, ok(DISCOVERY_URL, renderDiscoveryDocument(ISSUER), { latencyMs: d })],
        [JWKS_URL, ok(JWKS_URL, jwks, { latencyMs: j })],
      ]);
    assertFailure(await withIssuer(timed(5001, 1)), errors.couldNotRetrieve('discovery.budget'));
    assertFailure(await withIssuer(timed(3000, 2001)), errors.couldNotRetrieve('jwks.budget'));
    assertGrant(await withIssuer(timed(3000, 2000)));
  });

  test('fetchBudgetMs overrides the default', async () => {
    const issuer = (await healthyIssuer()).with(
      DISCOVERY_URL,
      ok(DISCOVERY_URL, renderDiscoveryDocument(ISSUER), { latencyMs: 120 }),
    );
    assertFailure(
      await withIssuer(issuer, { fetchBudgetMs: 100 }),
      errors.couldNotRetrieve('discovery.budget'),
    );
  });
});

describe('TLS and thumbprints (discovery.tls, jwks.tls)', () => {
  const LEAF = cert('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'CN=issuer.internal');
  const INTERMEDIATE = cert('BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', 'CN=Private Intermediate');
  const ROOT = cert('CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC', 'CN=Private Root');
  const PRIVATE: ObservedTls = {
    chain: [LEAF, INTERMEDIATE, ROOT],
    trustedByCaLibrary: false,
    verifyError: 'self-signed certificate in certificate chain',
  };

  async function privateIssuer(jwksTls: ObservedTls = PRIVATE, discoveryTls: ObservedTls = PRIVATE) {
    const key = await signingKey();
    return new FakeIssuer([
      [DISCOVERY_URL, ok(DISCOVERY_URL, renderDiscoveryDocument(ISSUER), { tls: discoveryTls })],
      [JWKS_URL, ok(JWKS_URL, renderJwks(buildJwks([key.publicKey])), { tls: jwksTls })],
    ]);
  }

  test('a private CA with no matching thumbprint fails with the thumbprint message', async () => {
    assertFailure(await withIssuer(await privateIssuer()), errors.thumbprint('discovery.tls'));
  });

  test('a thumbprint of the intermediate or the root matches, in any case', async () => {
    assertGrant(await withIssuer(await privateIssuer(), { thumbprints: [INTERMEDIATE.sha1.toLowerCase()] }));
    assertGrant(await withIssuer(await privateIssuer(), { thumbprints: ['0'.repeat(40), ROOT.sha1] }));
  });

  test("the leaf's thumbprint does not pin a longer chain", async () => {
    assertFailure(
      await withIssuer(await privateIssuer(), { thumbprints: [LEAF.sha1] }),
      errors.thumbprint('discovery.tls'),
    );
  });

  test('a lone self-signed certificate is pinned by its own thumbprint (it is the last one sent)', async () => {
    const alone: ObservedTls = {
      chain: [LEAF],
      trustedByCaLibrary: false,
      verifyError: 'self-signed certificate',
    };
    assertGrant(await withIssuer(await privateIssuer(alone, alone), { thumbprints: [LEAF.sha1] }));
  });

  test('a chain trusted by the CA library ignores thumbprints entirely', async () => {
    assertGrant(await withIssuer(await healthyIssuer(), { thumbprints: ['0'.repeat(40)] }));
  });

  test('the JWKS host is checked on its own (jwks.tls)', async () => {
    const trusted: ObservedTls = { chain: [LEAF, INTERMEDIATE], trustedByCaLibrary: true };
    assertFailure(await withIssuer(await privateIssuer(PRIVATE, trusted)), errors.thumbprint('jwks.tls'));
  });

  test('a handshake that failed on an unpinned chain is the thumbprint error; with no chain seen it is "Couldn\'t retrieve"', async () => {
    const failed = (tls?: ObservedTls): HttpObservation => ({
      url: DISCOVERY_URL,
      ok: false,
      error: 'tls',
      message: 'unable to verify the first certificate',
      latencyMs: 5,
      ...(tls === undefined ? {} : { tls }),
    });
    const base = await healthyIssuer();
    assertFailure(
      await withIssuer(base.with(DISCOVERY_URL, failed(PRIVATE))),
      errors.thumbprint('discovery.tls'),
    );
    assertFailure(
      await withIssuer(base.with(DISCOVERY_URL, failed())),
      errors.couldNotRetrieve('discovery.fetch'),
    );
  });
});
