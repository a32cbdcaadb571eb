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
} from '../../../src/core/index.js';
import { renderText } from '../../../src/doctor/render/text.js';
import { runDoctor } from '../../../src/doctor/run.js';
import type { HttpObservation, IssuerView } from '../../../src/webidentity/types.js';

/**
 * `doctor --output text` on a token whose claims carry terminal escapes: the text must hold none of
 * them raw (they would recolour, clear or retitle the user's terminal, plant hyperlinks, overwrite
 * lines or reorder text), yet show each one, so the user sees something is there.
 */

const NOW = new Date('2026-11-23T10:00:00Z');
const ISSUER = 'https://demo-oidc.s3.us-east-1.amazonaws.com';
const PROVIDER_ARN = 'arn:aws:iam::123456789012:oidc-provider/demo-oidc.s3.us-east-1.amazonaws.com';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/demo-role';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = readPrivateKeyPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());

const ESC_CSI = '\x1b[2J\x1b[31m';
const OSC8 = '\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07';
const BEL = '\x07';
const CR = '\rOK ';
const BIDI = '\u202Eevil\u202C\u2066x\u2069';
const C1 = '\u009b1m';
const HOSTILE = `${ESC_CSI}${OSC8}${BEL}${CR}${BIDI}${C1}`;

function issuerView(): IssuerView {
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
  return {
    fetch(url): Promise<HttpObservation> {
      const body = bodies[url];
      return Promise.resolve({
        url,
        ok: true,
        status: body === undefined ? 404 : 200,
        headers: { 'content-type': 'application/json' },
        body: body ?? '',
        latencyMs: 5,
        tls,
      });
    },
  };
}

function aws(): IdentityObserver {
  const policy = renderPolicy(trustPolicy(PROVIDER_ARN, ISSUER.slice(8), 'team', ['app']));
  const unused = (): Promise<never> => Promise.reject(new Error('not used'));
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
    getBucket: unused,
    getAccountPublicAccessBlock: () => Promise.resolve(undefined),
    findDistribution: unused,
    assumeRoleWithWebIdentity: unused,
    destroy: () => undefined,
  };
}

test('token claims with ESC sequences, OSC 8 hyperlinks, BEL, CR, C1 and bidi overrides never reach the text raw', async () => {
  const tokens = await Promise.all([
    // A subject the trust policy does not name: the finding quotes it.
    mintServiceAccountToken({
      issuer: ISSUER,
      namespace: 'team',
      serviceAccount: 'app',
      now: new Date(NOW.getTime() - 60_000),
      privateKey: signer.key,
      kid: signer.publicKey.kid,
      extraClaims: { sub: `system:serviceaccount:team:${HOSTILE}`, aud: [`openshift${HOSTILE}`] },
    }),
    // An issuer no provider matches: the finding quotes the iss claim.
    mintServiceAccountToken({
      issuer: `https://evil.example/${HOSTILE}`,
      namespace: 'team',
      serviceAccount: `app`,
      now: new Date(NOW.getTime() - 60_000),
      privateKey: signer.key,
      kid: signer.publicKey.kid,
    }),
  ]);
  const report = await runDoctor(
    {
      mode: 'token',
      components: tokens.map((token, i) => ({
        name: `c${i}${HOSTILE}`,
        serviceAccounts: [],
        roleArn: ROLE_ARN,
        tokens: [{ token }],
      })),
    },
    { issuer: issuerView(), aws: aws(), now: () => NOW },
  );
  // The report (data) keeps the values as they are; only the text rendering changes them.
  assert.ok(JSON.stringify(report).includes('\\u001b]8;;https://evil.example/'));
  const text = renderText(report);

  for (const [what, raw] of [
    ['ESC', '\x1b'],
    ['BEL', '\x07'],
    ['CR', '\r'],
    ['C1 CSI', '\u009b'],
    ['RLO', '\u202e'],
    ['PDF', '\u202c'],
    ['LRI', '\u2066'],
    ['PDI', '\u2069'],
  ] as const) {
    assert.ok(!text.includes(raw), `raw ${what} in the text output`);
  }
  // No control character at all, except our own line breaks.
  // eslint-disable-next-line no-control-regex -- looking for control characters
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
  // Shown, not dropped: the escapes are visible where the values were.
  assert.ok(text.includes('c0\\u001b[2J\\u001b[31m\\u001b]8;;https://evil.example/\\u0007click'));
  assert.ok(text.includes('\\u000dOK \\u202eevil\\u202c\\u2066x\\u2069\\u009b1m'));
  const quotingClaims = text.split('\n').filter((l) => l.includes('evil.example/') && !/^(✗|!|✓)/.test(l));
  assert.ok(quotingClaims.length > 0, `no line quotes a hostile claim:\n${text}`);
});
