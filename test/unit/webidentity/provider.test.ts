import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateWebIdentity } from '../../../src/webidentity/index.js';
import {
  HOST_PATH,
  ISSUER,
  assertFailure,
  assertGrant,
  errors,
  input,
  mint,
  provider,
  role,
} from './support/fixtures.js';

const noProvider = (iss: string, rule = 'provider.lookup') =>
  errors.invalidToken(`No OpenIDConnect provider found in your account for ${iss}`, rule);
const GENERIC =
  'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.';
const OLD = { behaviour: '2025-12' } as const;

describe('provider lookup by iss, today: the generic 2026 answer (aws-sts-2026.md §1)', () => {
  test('no provider for the issuer: the generic message, the step still says what broke', async () => {
    const result = await evaluateWebIdentity(await input({ iam: { providers: [], role: role() } }));
    assertFailure(result, errors.invalidToken(GENERIC, 'provider.lookup'));
    assert.match(result.steps.at(-1)?.detail ?? '', /no provider URL equals/);
  });

  test('a trailing slash or an http:// iss get the same generic message', async () => {
    const slash = await evaluateWebIdentity(await input({ token: await mint({ issuer: `${ISSUER}/` }) }));
    assertFailure(slash, errors.invalidToken(GENERIC, 'provider.lookup'));
    const http = await evaluateWebIdentity(
      await input({ token: await mint({ issuer: ISSUER.replace('https://', 'http://') }) }),
    );
    assertFailure(http, errors.invalidToken(GENERIC, 'provider.issuer-https'));
  });
});

describe('provider lookup by iss, 2025-12 profile (provider.issuer-https, provider.lookup)', () => {
  test('no provider for the issuer in the account: iss echoed verbatim', async () => {
    const result = await evaluateWebIdentity(await input({ ...OLD, iam: { providers: [], role: role() } }));
    assertFailure(result, noProvider(ISSUER));
  });

  test('a trailing slash in iss is significant, and echoed', async () => {
    const token = await mint({ issuer: `${ISSUER}/` });
    assertFailure(await evaluateWebIdentity(await input({ ...OLD, token })), noProvider(`${ISSUER}/`));
  });

  test('case is significant', async () => {
    const upper = ISSUER.replace('demo-oidc', 'Demo-OIDC');
    const result = await evaluateWebIdentity(await input({ ...OLD, token: await mint({ issuer: upper }) }));
    assertFailure(result, noProvider(upper));
    assert.match(result.steps.at(-1)?.detail ?? '', /differs only in case or a trailing slash/);
  });

  test('an http:// issuer never matches (provider.issuer-https)', async () => {
    const http = ISSUER.replace('https://', 'http://');
    const result = await evaluateWebIdentity(
      await input({
        ...OLD,
        token: await mint({ issuer: http }),
        iam: { providers: [provider({ url: HOST_PATH })], role: role() },
      }),
    );
    assertFailure(result, noProvider(http, 'provider.issuer-https'));
  });

  test('the provider is found among several, and a view that kept the scheme still matches', async () => {
    const others = [
      provider({ arn: 'arn:aws:iam::123456789012:oidc-provider/x.example.com', url: 'x.example.com' }),
    ];
    assertGrant(
      await evaluateWebIdentity(await input({ iam: { providers: [...others, provider()], role: role() } })),
    );
    assertGrant(
      await evaluateWebIdentity(
        await input({ iam: { providers: [provider({ url: ISSUER })], role: role() } }),
      ),
    );
  });
});

describe('audience (audience.client-id)', () => {
  const incorrect = errors.invalidToken('Incorrect token audience', 'audience.client-id');

  test('aud not in the ClientIDList (the sts.amazon.com typo)', async () => {
    const token = await mint({ audiences: ['sts.amazon.com'] });
    assertFailure(await evaluateWebIdentity(await input({ token })), incorrect);
  });

  test('a string aud and any element of a list aud can match', async () => {
    const grant = assertGrant(
      await evaluateWebIdentity(
        await input({ token: await mint({ audiences: ['a', 'b', 'sts.amazonaws.com'] }) }),
      ),
    );
    assert.equal(grant.audience, 'sts.amazonaws.com');
    const single = await mint({ extraClaims: { aud: 'openshift' } });
    assert.equal(
      assertGrant(await evaluateWebIdentity(await input({ token: single }))).audience,
      'openshift',
    );
  });

  test('azp, when present, is the audience checked (Azure AD v2 observation)', async () => {
    const withForeignAzp = await mint({ audiences: ['openshift'], extraClaims: { azp: 'app-1' } });
    assertFailure(await evaluateWebIdentity(await input({ token: withForeignAzp })), incorrect);
    const iam = { providers: [provider({ clientIds: ['app-1'] })], role: role() };
    const grant = assertGrant(await evaluateWebIdentity(await input({ token: withForeignAzp, iam })));
    assert.equal(grant.audience, 'app-1');
  });

  test('client IDs compare exactly (case-sensitive)', async () => {
    const token = await mint({ audiences: ['OpenShift'] });
    assertFailure(await evaluateWebIdentity(await input({ token })), incorrect);
  });
});
