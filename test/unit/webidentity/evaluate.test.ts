import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildJwks,
  generateRsaKeyPair,
  mintServiceAccountToken,
  readPrivateKeyPem,
  renderDiscoveryDocument,
  renderJwks,
} from '../../../src/core/index.js';
import { evaluateWebIdentity } from '../../../src/webidentity/index.js';
import {
  ACCOUNT,
  DISCOVERY_URL,
  FakeIssuer,
  HOST_PATH,
  ISSUER,
  JWKS_URL,
  NAMESPACE,
  NOW,
  NOW_SECONDS,
  PROVIDER_ARN,
  ROLE_ARN,
  ROLE_ID,
  ROLE_NAME,
  SERVICE_ACCOUNT,
  SUBJECT,
  assertFailure,
  assertGrant,
  errors,
  input,
  mint,
  ok,
  policy,
  provider,
  role,
} from './support/fixtures.js';

describe('evaluateWebIdentity: success', () => {
  test('a ccoctl-style setup grants the role, with every rule recorded in AWS order', async () => {
    const grant = assertGrant(await evaluateWebIdentity(await input()));
    assert.deepEqual(grant, {
      roleArn: ROLE_ARN,
      roleId: ROLE_ID,
      roleSessionName: 'image-registry',
      assumedRoleArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/image-registry`,
      assumedRoleId: `${ROLE_ID}:image-registry`,
      durationSeconds: 3600,
      provider: PROVIDER_ARN,
      audience: 'openshift',
      subjectFromWebIdentityToken: SUBJECT,
    });
  });

  test('steps follow the documented order and all pass', async () => {
    const result = await evaluateWebIdentity(await input());
    const rules = result.steps.map((s) => s.rule);
    const order = [
      'request.role-arn',
      'request.role-arn-format',
      'token.decode',
      'token.alg',
      'token.claim-aud',
      'provider.lookup',
      'audience.client-id',
      'discovery.fetch',
      'discovery.tls',
      'discovery.fields',
      'jwks.fetch',
      'jwks.budget',
      'jwks.kid',
      'token.signature',
      'token.expiry',
      'trust.role-exists',
      'trust.policy',
      'request.duration-max',
      'grant',
    ];
    const positions = order.map((r) => rules.indexOf(r));
    assert.ok(
      positions.every((p) => p >= 0),
      `missing rules: ${order.filter((_, i) => positions[i] === -1).join(', ')}`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    const notPassed = result.steps.filter((s) => s.outcome !== 'pass' && s.outcome !== 'skip');
    assert.deepEqual(notPassed, []);
  });

  test('the role path is not part of the assumed-role ARN; the partition comes from the role ARN', async () => {
    const cnRole = `arn:aws-cn:iam::${ACCOUNT}:role/team/x/${ROLE_NAME}`;
    const grant = assertGrant(
      await evaluateWebIdentity(
        await input({
          request: { RoleArn: cnRole, RoleSessionName: 'abc', WebIdentityToken: await mint() },
          iam: {
            providers: [provider({ arn: `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/${HOST_PATH}` })],
            role: role({
              arn: cnRole,
              assumeRolePolicyDocument: policy({
                Effect: 'Allow',
                Principal: { Federated: `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/${HOST_PATH}` },
                Action: 'sts:AssumeRoleWithWebIdentity',
              }),
            }),
          },
        }),
      ),
    );
    assert.equal(grant.assumedRoleArn, `arn:aws-cn:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/abc`);
  });

  test('DurationSeconds is granted as asked when within MaxSessionDuration', async () => {
    const base = await input({ iam: { providers: [provider()], role: role({ maxSessionDuration: 43200 }) } });
    const grant = assertGrant(
      await evaluateWebIdentity({ ...base, request: { ...base.request, DurationSeconds: '43200' } }),
    );
    assert.equal(grant.durationSeconds, 43200);
  });

  test('a 4096-bit key (what stsctl and ccoctl generate) verifies with RS256', async () => {
    const key = readPrivateKeyPem((await generateRsaKeyPair(4096)).privateKeyPem);
    const token = await mintServiceAccountToken({
      issuer: ISSUER,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      now: NOW,
      privateKey: key.key,
      kid: key.publicKey.kid,
    });
    const issuer = new FakeIssuer([
      [DISCOVERY_URL, ok(DISCOVERY_URL, renderDiscoveryDocument(ISSUER))],
      [JWKS_URL, ok(JWKS_URL, renderJwks(buildJwks([key.publicKey])))],
    ]);
    assert.equal(key.publicKey.modulusBits, 4096);
    assertGrant(await evaluateWebIdentity(await input({ token, issuer })));
  });
});

describe('evaluateWebIdentity: order of checks', () => {
  test('request validation comes before anything about the token', async () => {
    const result = await evaluateWebIdentity(
      await input({ request: { RoleArn: ROLE_ARN, RoleSessionName: 'x', WebIdentityToken: 'not a jwt' } }),
    );
    assertFailure(
      result,
      errors.validation(
        "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
        'request.session-name',
      ),
    );
  });

  test('an unknown issuer is answered before the issuer is fetched or the expiry looked at', async () => {
    const expired = await mint({ issuer: 'https://elsewhere.example.com', now: new Date(0) });
    const issuer = new FakeIssuer([]);
    const base = await input({ token: expired, issuer });
    const result = await evaluateWebIdentity({ ...base, behaviour: '2025-12' });
    assertFailure(
      result,
      errors.invalidToken(
        'No OpenIDConnect provider found in your account for https://elsewhere.example.com',
        'provider.lookup',
      ),
    );
    assert.deepEqual(issuer.fetched, []);
    // Today's profile: the same rule decides, with the generic 2026 text (aws-sts-2026.md §1).
    const today = await evaluateWebIdentity(base);
    assertFailure(
      today,
      errors.invalidToken(
        'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.',
        'provider.lookup',
      ),
    );
    assert.deepEqual(issuer.fetched, []);
  });

  test('an unreachable issuer is answered before the signature or the trust policy', async () => {
    const base = await input({
      issuer: new FakeIssuer([]),
      iam: { providers: [provider()], role: undefined },
    });
    assertFailure(await evaluateWebIdentity(base), errors.couldNotRetrieve('discovery.fetch'));
  });

  test('an expired token is answered before the trust policy', async () => {
    const token = await mint({ now: new Date((NOW_SECONDS - 7200) * 1000) });
    const base = await input({ token, iam: { providers: [provider()], role: undefined } });
    const result = await evaluateWebIdentity(base);
    assert.equal(result.ok ? '' : result.error.code, 'ExpiredTokenException');
  });

  test('MaxSessionDuration is checked only once the caller is authorized', async () => {
    const base = await input({
      iam: {
        providers: [provider()],
        role: role({
          assumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }),
        }),
      },
    });
    const result = await evaluateWebIdentity({
      ...base,
      request: { ...base.request, DurationSeconds: '7200' },
    });
    assertFailure(result, errors.accessDenied('trust.policy'));
  });
});

describe('evaluateWebIdentity: authorization', () => {
  test('a missing role is AccessDenied with the same message (trust.role-exists)', async () => {
    const result = await evaluateWebIdentity(
      await input({ iam: { providers: [provider()], role: undefined } }),
    );
    assertFailure(result, errors.accessDenied('trust.role-exists'));
  });

  test('a trust policy for another service account is AccessDenied (trust.policy)', async () => {
    const token = await mint({ serviceAccount: 'someone-else' });
    assertFailure(await evaluateWebIdentity(await input({ token })), errors.accessDenied('trust.policy'));
  });

  test('DurationSeconds over MaxSessionDuration (request.duration-max)', async () => {
    const base = await input();
    const result = await evaluateWebIdentity({
      ...base,
      request: { ...base.request, DurationSeconds: '3601' },
    });
    assertFailure(
      result,
      errors.validation(
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        'request.duration-max',
      ),
    );
  });

  const tags = {
    'https://aws.amazon.com/tags': { principal_tags: { team: ['storage'] }, transitive_tag_keys: ['team'] },
  };

  test('session tags in the token need sts:TagSession (trust.tag-session)', async () => {
    const token = await mint({ extraClaims: tags });
    assertFailure(
      await evaluateWebIdentity(await input({ token })),
      errors.accessDenied('trust.tag-session'),
    );
  });

  test('with sts:TagSession allowed, tags reach the grant and aws:RequestTag conditions', async () => {
    const token = await mint({ extraClaims: tags });
    const trust = policy({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER_ARN },
      Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:RequestTag/team': 'storage', [`${HOST_PATH}:sub`]: SUBJECT } },
    });
    const grant = assertGrant(
      await evaluateWebIdentity(
        await input({
          token,
          iam: { providers: [provider()], role: role({ assumeRolePolicyDocument: trust }) },
        }),
      ),
    );
    assert.deepEqual(grant.sessionTags, { team: 'storage' });
  });

  test('a source identity needs sts:SetSourceIdentity (trust.source-identity)', async () => {
    const token = await mint({ extraClaims: { 'https://aws.amazon.com/source_identity': 'alice' } });
    assertFailure(
      await evaluateWebIdentity(await input({ token })),
      errors.accessDenied('trust.source-identity'),
    );
    const trust = policy({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER_ARN },
      Action: ['sts:AssumeRoleWithWebIdentity', 'sts:SetSourceIdentity'],
    });
    const grant = assertGrant(
      await evaluateWebIdentity(
        await input({
          token,
          iam: { providers: [provider()], role: role({ assumeRolePolicyDocument: trust }) },
        }),
      ),
    );
    assert.equal(grant.sourceIdentity, 'alice');
  });

  test('sts:RoleSessionName is a condition key', async () => {
    const trust = policy({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER_ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'sts:rolesessionname': 'image-*' } },
    });
    const iam = { providers: [provider()], role: role({ assumeRolePolicyDocument: trust }) };
    assertGrant(await evaluateWebIdentity(await input({ iam })));
    const base = await input({ iam });
    const result = await evaluateWebIdentity({
      ...base,
      request: { ...base.request, RoleSessionName: 'other' },
    });
    assertFailure(result, errors.accessDenied('trust.policy'));
  });

  test('the :aud condition sees the effective audience', async () => {
    const trust = policy({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER_ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${HOST_PATH}:aud`]: 'sts.amazonaws.com' } },
    });
    const iam = { providers: [provider()], role: role({ assumeRolePolicyDocument: trust }) };
    const token = await mint({ audiences: ['other', 'sts.amazonaws.com'] });
    const grant = assertGrant(await evaluateWebIdentity(await input({ token, iam })));
    assert.equal(grant.audience, 'sts.amazonaws.com');
    assertFailure(await evaluateWebIdentity(await input({ iam })), errors.accessDenied('trust.policy'));
  });

  test('an explicit Deny wins over the Allow', async () => {
    const trust = policy(
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
      },
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:*',
        Condition: {
          StringLike: { [`${HOST_PATH}:sub`]: 'system:serviceaccount:openshift-image-registry:*' },
        },
      },
    );
    const result = await evaluateWebIdentity(
      await input({ iam: { providers: [provider()], role: role({ assumeRolePolicyDocument: trust }) } }),
    );
    assertFailure(result, errors.accessDenied('trust.policy'));
    assert.match(result.steps.at(-1)?.detail ?? '', /explicitly denied by statement 1/);
  });
});
