import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainStsError, renderStsErrorExplanation } from '../../../src/doctor/explain.js';
import { codeForRule } from '../../../src/doctor/findings/rule-map.js';
import {
  AWS_BEHAVIOURS,
  RULES,
  awsErrors,
  constraintViolations,
  profileErrors,
  sharedIdpRefusal,
  type AwsError,
  type AwsErrorName,
  type RuleId,
} from '../../../src/webidentity/index.js';

const GENERIC =
  'The web identity token provided could not be validated. See the AssumeRoleWithWebIdentity documentation for requirements.';
const NO_PROVIDER = 'No OpenIDConnect provider found in your account for https://oidc.example.com/';
const CNR =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/** One case: the text a user pastes, and what must be read from it. */
interface Case {
  readonly name: string;
  readonly text: string;
  readonly wrapper: string;
  readonly awsCode: string;
  readonly kind: string;
  readonly first: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly values?: Record<string, string>;
}

const CASES: readonly Case[] = [
  {
    name: 'Go SDK v1 WebIdentityErr, 2026 generic message',
    text: `WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: ${GENERIC}\n\tstatus code: 400, request id: 1c2a3b4d-0000-4e5f-8a9b-abcdefabcdef`,
    wrapper: 'go-sdk-v1',
    awsCode: 'InvalidIdentityToken',
    kind: 'generic-2026',
    first: 'PROVIDER_MISSING',
    status: 400,
    requestId: '1c2a3b4d-0000-4e5f-8a9b-abcdefabcdef',
  },
  {
    name: 'Go SDK v2 operation error, old provider message with iss',
    text: `operation error STS: AssumeRoleWithWebIdentity, exceeded maximum number of attempts, 3, https response error StatusCode: 400, RequestID: 5d6e7f80-aaaa-bbbb-cccc-0123456789ab, InvalidIdentityToken: ${NO_PROVIDER}`,
    wrapper: 'go-sdk-v2',
    awsCode: 'InvalidIdentityToken',
    kind: 'no-provider',
    first: 'PROVIDER_MISSING',
    status: 400,
    requestId: '5d6e7f80-aaaa-bbbb-cccc-0123456789ab',
    values: { iss: 'https://oidc.example.com/' },
  },
  {
    name: 'JS SDK v3 class name',
    text: `InvalidIdentityTokenException: ${CNR}\n    at de_InvalidIdentityTokenExceptionRes (node_modules/@aws-sdk/client-sts/dist-cjs/index.js:1:1)`,
    wrapper: 'js-sdk',
    awsCode: 'InvalidIdentityToken',
    kind: 'could-not-retrieve-key',
    first: 'TOKEN_KID_NOT_IN_JWKS',
  },
  {
    name: 'JS SDK plain code',
    text: 'InvalidIdentityToken: Incorrect token audience',
    wrapper: 'js-sdk',
    awsCode: 'InvalidIdentityToken',
    kind: 'incorrect-audience',
    first: 'AUDIENCE_NOT_ALLOWED',
  },
  {
    name: 'boto3',
    text: 'botocore.errorfactory.InvalidIdentityTokenException: An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Missing a required claim: sub',
    wrapper: 'boto3',
    awsCode: 'InvalidIdentityToken',
    kind: 'missing-claim',
    first: 'TOKEN_MISSING_CLAIM',
    values: { claim: 'sub' },
  },
  {
    name: 'aws CLI',
    text: '\nAn error occurred (ExpiredTokenException) when calling the AssumeRoleWithWebIdentity operation: Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240\n',
    wrapper: 'boto3',
    awsCode: 'ExpiredTokenException',
    kind: 'token-expired',
    first: 'TOKEN_EXPIRED',
    values: { now: '1731098245', exp: '1731095240' },
  },
  {
    name: 'aws CLI, the 2021 expired form without the space',
    text: 'An error occurred (ExpiredTokenException) when calling the AssumeRoleWithWebIdentity operation: Token expired: current date/time 1624482635 must be before the expiration date/time1624482335',
    wrapper: 'boto3',
    awsCode: 'ExpiredTokenException',
    kind: 'token-expired-2021',
    first: 'TOKEN_EXPIRED',
    values: { now: '1624482635', exp: '1624482335' },
  },
  {
    name: 'raw Query XML, token too old',
    text: '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredTokenException</Code><Message>Token too old: 153938</Message></Error><RequestId>abc-123</RequestId></ErrorResponse>',
    wrapper: 'query-xml',
    awsCode: 'ExpiredTokenException',
    kind: 'token-too-old',
    first: 'TOKEN_OLD',
    requestId: 'abc-123',
    values: { age: '153938' },
  },
  {
    name: 'raw Query XML with an escaped apostrophe',
    text: `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>OpenIDConnect provider&apos;s HTTPS certificate doesn&apos;t match configured thumbprint</Message></Error></ErrorResponse>`,
    wrapper: 'query-xml',
    awsCode: 'InvalidIdentityToken',
    kind: 'thumbprint',
    first: 'THUMBPRINT_MISMATCH',
  },
  {
    name: 'JSON (Accept: application/json)',
    text: `{"Error":{"Code":"AccessDenied","Message":"Not authorized to perform sts:AssumeRoleWithWebIdentity","Type":"Sender"},"RequestId":"r-1"}`,
    wrapper: 'query-json',
    awsCode: 'AccessDenied',
    kind: 'access-denied',
    first: 'TRUST_POLICY_DENIES',
    requestId: 'r-1',
  },
  {
    name: 'Java SDK v1',
    text: 'com.amazonaws.services.securitytoken.model.InvalidIdentityTokenException: The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token) (Service: AWSSecurityTokenService; Status Code: 400; Error Code: InvalidIdentityToken; Request ID: 42; Proxy: null)',
    wrapper: 'java-sdk',
    awsCode: 'InvalidIdentityToken',
    kind: 'not-a-valid-jwt',
    first: 'TOKEN_MALFORMED',
    status: 400,
    requestId: '42',
  },
  {
    name: 'a bare message pasted from a log',
    text: `level=error msg="${GENERIC}"`,
    wrapper: 'plain',
    awsCode: 'InvalidIdentityToken',
    kind: 'generic-2026',
    first: 'PROVIDER_MISSING',
  },
  {
    name: 'region disabled',
    text: 'An error occurred (RegionDisabledException) when calling the AssumeRoleWithWebIdentity operation: STS is not activated in this region for account:123456789012. Your account administrator can activate STS in this region using the IAM Console.',
    wrapper: 'boto3',
    awsCode: 'RegionDisabledException',
    kind: 'region-disabled',
    first: '',
    values: { account: '123456789012' },
  },
];

describe('explainStsError: one case per message and wrapper', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const e = explainStsError(c.text);
      assert.equal(e.recognised, true);
      assert.equal(e.wrapper, c.wrapper);
      assert.equal(e.awsCode, c.awsCode);
      assert.equal(e.kind, c.kind);
      assert.equal(e.candidates[0]?.code ?? '', c.first);
      if (c.status !== undefined) assert.equal(e.status, c.status);
      if (c.requestId !== undefined) assert.equal(e.requestId, c.requestId);
      assert.deepEqual(e.values, c.values ?? {});
    });
  }

  test('the generic 2026 message lists the provider causes, then an unconfirmed audience mismatch', () => {
    const e = explainStsError(`InvalidIdentityToken: ${GENERIC}`);
    const codes = e.candidates.map((c) => c.code);
    assert.deepEqual(codes.slice(0, 3), [
      'PROVIDER_MISSING',
      'ISSUER_MISMATCH',
      'PROVIDER_URL_CASE_OR_SLASH',
    ]);
    assert.deepEqual(e.candidates.at(-1), {
      code: 'AUDIENCE_NOT_ALLOWED',
      title: "The token's audience is not a client ID of the IAM provider",
      likelihood: 'unconfirmed',
    });
    assert.ok(e.checks.some((c) => c.id === 'provider'));
    assert.deepEqual(e.profiles, ['2026-11']);
  });

  test('"Missing a required claim: aud" has its own finding', () => {
    const e = explainStsError('InvalidIdentityToken: Missing a required claim: aud');
    assert.deepEqual(
      e.candidates.map((c) => c.code),
      ['TOKEN_MISSING_AUD'],
    );
  });

  test('text with no STS error is not recognised, and says so', () => {
    const e = explainStsError('connection refused');
    assert.equal(e.recognised, false);
    assert.deepEqual(e.candidates, []);
    assert.match(renderStsErrorExplanation(e), /No AWS STS error found/);
  });

  test('the text renderer names code, era, candidates and checks', () => {
    const out = renderStsErrorExplanation(explainStsError(CASES[0]?.text ?? ''));
    assert.match(
      out,
      /^InvalidIdentityToken \(400\): The web identity token provided could not be validated/,
    );
    assert.match(out, /era: AWS since about June–July 2026 \[profiles 2026-11\]/);
    assert.match(out, /request id 1c2a3b4d-0000-4e5f-8a9b-abcdefabcdef/);
    assert.match(out, /\n {2}PROVIDER_MISSING +likely +No IAM OIDC provider for the issuer in the account\n/);
    assert.match(out, /Doctor checks that decide:\n {2}provider /);
  });

  test('the IAM shared-IdP refusal is explained as a trust policy without a sub condition', () => {
    const error = sharedIdpRefusal('token.actions.githubusercontent.com', [
      'token.actions.githubusercontent.com:sub',
    ]);
    const e = explainStsError(
      `An error occurred (${error.code}) when calling the CreateRole operation: ${error.message}`,
    );
    assert.equal(e.kind, 'shared-idp-refused');
    assert.equal(e.candidates[0]?.code, 'TRUST_POLICY_NO_SUB_CONDITION');
  });
});

/** Sample errors of every catalogue builder, with arguments fitting the rule that answers them. */
const SAMPLES: Readonly<Record<AwsErrorName, (rule: RuleId) => readonly AwsError[]>> = {
  couldNotRetrieveKey: () => [awsErrors.couldNotRetrieveKey()],
  noProvider: () => [awsErrors.noProvider('https://oidc.example.com')],
  tokenNotValidated: () => [awsErrors.tokenNotValidated()],
  thumbprintMismatch: () => [awsErrors.thumbprintMismatch()],
  incorrectAudience: () => [awsErrors.incorrectAudience()],
  missingClaim: (rule) => [awsErrors.missingClaim(rule.replace(/^token\.claim-/, ''))],
  tokenExpired: () => [awsErrors.tokenExpired(1731098245, 1731095240)],
  accessDenied: () => [awsErrors.accessDenied()],
  validation: () => [
    awsErrors.validation([constraintViolations.pattern('roleSessionName', 'a b', '[\\w+=,.@-]*')]),
    awsErrors.validation([
      constraintViolations.notNull('roleArn'),
      constraintViolations.minLength('webIdentityToken', undefined, 4),
    ]),
  ],
  durationExceedsMax: () => [awsErrors.durationExceedsMax()],
  invalidRoleArn: () => [awsErrors.invalidRoleArn()],
  invalidArnValue: () => [awsErrors.invalidArnValue('not-an-arn')],
  malformedDuration: () => [awsErrors.malformedDuration(''), awsErrors.malformedDuration('1h')],
  regionDisabled: () => [awsErrors.regionDisabled('123456789012')],
  malformedToken: () => [awsErrors.malformedToken()],
  unsupportedAlgorithm: () => [awsErrors.unsupportedAlgorithm('HS256')],
  invalidSignature: () => [awsErrors.invalidSignature()],
  invalidTimestamp: () => [awsErrors.invalidTimestamp('exp')],
};

describe('every message the model can produce is recognised', () => {
  for (const [rule, info] of Object.entries(RULES) as [RuleId, (typeof RULES)[RuleId]][]) {
    for (const name of info.answers) {
      test(`${rule}: ${name}`, () => {
        for (const error of SAMPLES[name](rule)) {
          for (const text of [error.message, `${error.code}: ${error.message}`]) {
            const e = explainStsError(text);
            assert.equal(e.recognised, true, text);
            assert.equal(e.awsCode, error.code, text);
            // The finding the doctor reports for this rule is among the candidates.
            assert.ok(
              e.candidates.some((c) => c.code === codeForRule(rule)),
              `${codeForRule(rule)} not among ${e.candidates.map((c) => c.code).join(', ')} for ${text}`,
            );
          }
        }
      });
    }
  }

  for (const behaviour of AWS_BEHAVIOURS) {
    test(`profile ${behaviour}: the profile-dependent answers name the profile`, () => {
      const answers = profileErrors(behaviour);
      for (const error of [
        answers.providerNotFound('https://oidc.example.com'),
        answers.refusedAlgorithm('none'),
      ]) {
        const e = explainStsError(`${error.code}: ${error.message}`);
        assert.equal(e.recognised, true, error.message);
        assert.ok(e.profiles.includes(behaviour), `${error.message}: ${e.profiles.join(', ')}`);
      }
    });
  }
});
