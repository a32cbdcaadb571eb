import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, awsErrors } from '../../../src/webidentity/index.js';
import { REPO_ROOT } from '../../helpers/repo.js';

describe('error catalogue: AWS text byte for byte (aws-sts-oidc.md §2)', () => {
  test('"Couldn\'t retrieve verification key…" has two spaces after the comma', () => {
    const e = awsErrors.couldNotRetrieveKey();
    assert.deepEqual(e, {
      code: 'InvalidIdentityToken',
      status: 400,
      type: 'Sender',
      message:
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    });
    assert.ok(e.message.includes(',  please'));
  });

  test('observed messages', () => {
    assert.equal(
      awsErrors.noProvider('https://auth.mozilla.auth0.com/').message,
      'No OpenIDConnect provider found in your account for https://auth.mozilla.auth0.com/',
    );
    assert.equal(
      awsErrors.tokenExpired(1731098245, 1731095240).message,
      'Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240',
    );
    assert.deepEqual(
      [awsErrors.tokenExpired(1, 0).code, awsErrors.tokenExpired(1, 0).status],
      ['ExpiredTokenException', 400],
    );
    assert.deepEqual(awsErrors.accessDenied(), {
      code: 'AccessDenied',
      status: 403,
      type: 'Sender',
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    });
    assert.equal(awsErrors.missingClaim('aud').message, 'Missing a required claim: aud');
    assert.equal(awsErrors.incorrectAudience().message, 'Incorrect token audience');
    assert.equal(
      awsErrors.thumbprintMismatch().message,
      "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    );
    assert.equal(
      awsErrors.regionDisabled('01234567890').message,
      'STS is not activated in this region for account:01234567890. Your account administrator can activate STS in this region using the IAM Console.',
    );
    assert.deepEqual(
      [awsErrors.regionDisabled('1').code, awsErrors.regionDisabled('1').status],
      ['RegionDisabledException', 403],
    );
    assert.equal(awsErrors.validation(['a', 'b']).message, '2 validation errors detected: a; b');
  });
});

describe('docs/webidentity.md', () => {
  test('lists every rule id of the registry', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'webidentity.md'), 'utf8');
    const missing = Object.keys(RULES).filter((id) => !doc.includes(`| \`${id}\` |`));
    assert.deepEqual(missing, []);
  });
});
