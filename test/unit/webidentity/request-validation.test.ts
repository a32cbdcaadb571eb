import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateWebIdentity,
  type AssumeRoleWithWebIdentityRequest,
} from '../../../src/webidentity/index.js';
import type { AwsBehaviour } from '../../../src/webidentity/behaviour.js';
import { ROLE_ARN, assertFailure, errors, input } from './support/fixtures.js';

/** Evaluates the default valid input with some request members replaced (undefined removes one). */
async function withRequest(
  changes: Partial<Record<keyof AssumeRoleWithWebIdentityRequest, unknown>>,
  behaviour: AwsBehaviour = '2026-11',
) {
  const base = { ...(await input()), behaviour };
  const request: Record<string, unknown> = { ...base.request };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) Reflect.deleteProperty(request, k);
    else request[k] = v;
  }
  return evaluateWebIdentity({ ...base, request });
}

const ONE = '1 validation error detected: ';

describe('request validation (aws-sts-oidc.md §1.2, §2)', () => {
  test('RoleSessionName pattern: the exact observed message (request.session-name)', async () => {
    assertFailure(
      await withRequest({ RoleSessionName: 'dependabot[bot]' }),
      errors.validation(
        `${ONE}Value 'dependabot[bot]' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        'request.session-name',
      ),
    );
  });

  test('RoleSessionName longer than 64', async () => {
    const name = 'a'.repeat(65);
    assertFailure(
      await withRequest({ RoleSessionName: name }),
      errors.validation(
        `${ONE}Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
        'request.session-name',
      ),
    );
  });

  test('RoleSessionName of 2 and 64 characters and every allowed symbol pass', async () => {
    for (const name of ['ab', 'a'.repeat(64), 'A_z0+=,.@-']) {
      const result = await withRequest({ RoleSessionName: name });
      assert.equal(result.ok, true, `${name}: ${result.ok ? '' : result.error.message}`);
    }
  });

  test('several violations are counted and joined with "; " in member order (2025-12 profile: length first)', async () => {
    const name = `${'b'.repeat(64)} x`;
    assertFailure(
      await withRequest({ RoleSessionName: name, DurationSeconds: '600' }, '2025-12'),
      errors.validation(
        `3 validation errors detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
          `Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; ` +
          "Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        'request.session-name',
      ),
    );
  });

  test('missing required members: "Member must not be null"', async () => {
    assertFailure(
      await withRequest({ RoleArn: undefined, WebIdentityToken: undefined }),
      errors.validation(
        "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
          "Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null",
        'request.role-arn',
      ),
    );
  });

  test('DurationSeconds above 43200 (request.duration)', async () => {
    assertFailure(
      await withRequest({ DurationSeconds: '43201' }),
      errors.validation(
        `${ONE}Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`,
        'request.duration',
      ),
    );
  });

  test('DurationSeconds that is not an integer (2025-12 profile) [unverified wording]', async () => {
    assertFailure(
      await withRequest({ DurationSeconds: '1h' }, '2025-12'),
      errors.validation(
        `${ONE}Value '1h' at 'durationSeconds' failed to satisfy constraint: Member must be an integer`,
        'request.duration',
      ),
    );
  });

  test('token shorter than 4 or longer than 20000; the sensitive value is not echoed (request.token-length)', async () => {
    assertFailure(
      await withRequest({ WebIdentityToken: 'abc' }),
      errors.validation(
        `${ONE}Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4`,
        'request.token-length',
      ),
    );
    assertFailure(
      await withRequest({ WebIdentityToken: 'a'.repeat(20001) }),
      errors.validation(
        `${ONE}Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000`,
        'request.token-length',
      ),
    );
  });

  test('RoleArn shorter than 20 characters (request.role-arn)', async () => {
    assertFailure(
      await withRequest({ RoleArn: 'arn:aws:iam::1:r' }),
      errors.validation(
        `${ONE}Value 'arn:aws:iam::1:r' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
        'request.role-arn',
      ),
    );
  });

  test('a role ARN with an extra ":" is "Request ARN is invalid" (request.role-arn-format)', async () => {
    const bad = ROLE_ARN.replace(':role/', ':role:/');
    assertFailure(
      await withRequest({ RoleArn: bad }),
      errors.validation('Request ARN is invalid', 'request.role-arn-format'),
    );
    assertFailure(
      await withRequest({ RoleArn: 'arn:aws:iam::123456789012:user/alice' }),
      errors.validation('Request ARN is invalid', 'request.role-arn-format'),
    );
  });

  test('Policy longer than 2048 characters (request.policy)', async () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [], pad: 'x'.repeat(2048) });
    assertFailure(
      await withRequest({ Policy: doc }),
      errors.validation(
        `${ONE}Value '${doc}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`,
        'request.policy',
      ),
    );
  });

  test('more than 10 PolicyArns (request.policy-arns)', async () => {
    const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
    const result = await withRequest({ PolicyArns: arns });
    assertFailure(
      result,
      errors.validation(
        `${ONE}Value '[${arns.join(', ')}]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10`,
        'request.policy-arns',
      ),
    );
  });
});

describe('request validation as AWS answers today (aws-sts-2026.md §5)', () => {
  const ARN_PATTERN =
    '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+';

  test('on one member the pattern violation comes before the length one', async () => {
    const name = `${'b'.repeat(64)} x`;
    assertFailure(
      await withRequest({ RoleSessionName: name, DurationSeconds: '600' }),
      errors.validation(
        `3 validation errors detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; ` +
          `Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
          "Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        'request.session-name',
      ),
    );
  });

  test('an empty RoleArn: pattern, then length (the observed two-error answer)', async () => {
    assertFailure(
      await withRequest({ RoleArn: '' }),
      errors.validation(
        `2 validation errors detected: Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN_PATTERN}; ` +
          "Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
        'request.role-arn',
      ),
    );
  });

  test('lengths count code points; characters outside the BMP fail the ARN pattern', async () => {
    // 19 emoji are 38 UTF-16 units but 19 code points: too short today, long enough before.
    const emoji = '\u{1F600}'.repeat(19);
    const today = await withRequest({ RoleArn: emoji });
    assertFailure(
      today,
      errors.validation(
        `2 validation errors detected: Value '${emoji}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN_PATTERN}; ` +
          `Value '${emoji}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
        'request.role-arn',
      ),
    );
    // The 2025-12 profile counted UTF-16 units and let supplementary characters through the pattern.
    assertFailure(
      await withRequest({ RoleArn: emoji }, '2025-12'),
      errors.validation('Request ARN is invalid', 'request.role-arn-format'),
    );
  });

  test('DurationSeconds that is not an integer is MalformedInput; "" is "missing value for decimal type"', async () => {
    const empty = await withRequest({ DurationSeconds: '' });
    assert.equal(empty.ok, false);
    assert.deepEqual(
      [empty.error.code, empty.error.status, empty.error.message, empty.rule],
      ['MalformedInput', 400, 'missing value for decimal type', 'request.duration'],
    );
    const text = await withRequest({ DurationSeconds: '1h' });
    assert.equal(text.ok, false);
    assert.deepEqual([text.error.code, text.error.status], ['MalformedInput', 400]);
  });

  test('+900 and 0900 are accepted as 900; +600 is a value violation echoing 600', async () => {
    for (const value of ['+900', '0900']) {
      const result = await withRequest({ DurationSeconds: value });
      assert.equal(result.ok, true, value);
      assert.equal(result.grant.durationSeconds, 900);
    }
    assertFailure(
      await withRequest({ DurationSeconds: '+600' }),
      errors.validation(
        `${ONE}Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
        'request.duration',
      ),
    );
  });

  test('an ARN that is not a role: "Request ARN is invalid"; not an ARN at all: "<value> is invalid"', async () => {
    assertFailure(
      await withRequest({ RoleArn: 'arn:aws:iam::123456789012:user/alice' }),
      errors.validation('Request ARN is invalid', 'request.role-arn-format'),
    );
    const notArn = 'this-is-not-an-arn-at-all';
    assertFailure(
      await withRequest({ RoleArn: notArn }),
      errors.validation(`${notArn} is invalid`, 'request.role-arn-format'),
    );
    // The 2025-12 profile answered the same for both.
    assertFailure(
      await withRequest({ RoleArn: notArn }, '2025-12'),
      errors.validation('Request ARN is invalid', 'request.role-arn-format'),
    );
  });
});
