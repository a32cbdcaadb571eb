import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateCondition,
  evaluateTrustPolicy,
  parseOperator,
  stringLike,
  type TrustPolicyContext,
} from '../../../src/webidentity/index.js';
import { CCOCTL_TRUST_POLICY, HOST_PATH, PROVIDER_ARN, SUBJECT, policy } from './support/fixtures.js';

const ASSUME = 'sts:AssumeRoleWithWebIdentity';

function context(overrides: Partial<TrustPolicyContext> = {}): TrustPolicyContext {
  return {
    federatedPrincipal: PROVIDER_ARN,
    actions: [ASSUME],
    conditionKeys: { [`${HOST_PATH}:sub`]: SUBJECT, [`${HOST_PATH}:aud`]: 'openshift' },
    ...overrides,
  };
}

/** One Allow statement for the provider with the given condition block. */
function allowWhen(condition: Record<string, Record<string, unknown>>, action: unknown = ASSUME): string {
  return policy({
    Effect: 'Allow',
    Principal: { Federated: PROVIDER_ARN },
    Action: action,
    Condition: condition,
  });
}

function decide(doc: string, ctx: TrustPolicyContext = context()): string {
  return evaluateTrustPolicy(doc, ctx).decision;
}

describe('statements: Effect, Principal, Action (aws-sts-oidc.md §6)', () => {
  test("ccoctl's trust policy allows its service account and nothing else", () => {
    assert.equal(decide(CCOCTL_TRUST_POLICY), 'allow');
    assert.equal(
      decide(
        CCOCTL_TRUST_POLICY,
        context({ conditionKeys: { [`${HOST_PATH}:sub`]: 'system:serviceaccount:x:y' } }),
      ),
      'implicit-deny',
    );
  });

  test('Principal: Federated string or list with the provider ARN, "*", {"AWS":"*"}; not another provider', () => {
    const with_ = (principal: unknown) => policy({ Effect: 'Allow', Principal: principal, Action: ASSUME });
    assert.equal(decide(with_({ Federated: PROVIDER_ARN })), 'allow');
    assert.equal(decide(with_({ Federated: ['arn:aws:iam::1:oidc-provider/x', PROVIDER_ARN] })), 'allow');
    assert.equal(decide(with_('*')), 'allow');
    assert.equal(decide(with_({ AWS: '*' })), 'allow');
    assert.equal(decide(with_({ Federated: `${PROVIDER_ARN}/` })), 'implicit-deny');
    assert.equal(decide(with_({ Service: 'ec2.amazonaws.com' })), 'implicit-deny');
    assert.equal(decide(policy({ Effect: 'Allow', Action: ASSUME })), 'implicit-deny');
  });

  test('Action: exact, case-insensitive, sts:*, *, wildcards; NotAction; other actions do not', () => {
    const with_ = (field: 'Action' | 'NotAction', value: unknown) =>
      policy({ Effect: 'Allow', Principal: '*', [field]: value });
    for (const a of [
      ASSUME,
      'STS:assumerolewithwebidentity',
      'sts:*',
      '*',
      'sts:AssumeRoleWith*',
      ['s3:*', 'sts:Assume?oleWithWebIdentity'],
    ]) {
      assert.equal(decide(with_('Action', a)), 'allow', JSON.stringify(a));
    }
    assert.equal(decide(with_('Action', 'sts:AssumeRole')), 'implicit-deny');
    assert.equal(decide(with_('NotAction', 's3:*')), 'allow');
    assert.equal(decide(with_('NotAction', 'sts:*')), 'implicit-deny');
  });

  test('explicit Deny wins; a Deny that does not apply does not', () => {
    const deny = (condition: Record<string, Record<string, unknown>>) =>
      policy(
        { Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: ASSUME },
        { Effect: 'Deny', Principal: '*', Action: '*', Condition: condition },
      );
    const result = evaluateTrustPolicy(deny({ StringLike: { [`${HOST_PATH}:sub`]: '*' } }), context());
    assert.equal(result.decision, 'deny');
    assert.deepEqual(result.actions[0], { action: ASSUME, decision: 'deny', allowedBy: [0], deniedBy: [1] });
    assert.equal(decide(deny({ StringEquals: { [`${HOST_PATH}:sub`]: 'nobody' } })), 'allow');
  });

  test('a single Statement object (not a list) is accepted', () => {
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: '*', Action: ASSUME },
    });
    assert.equal(decide(doc), 'allow');
  });

  test('a document that is not a policy allows nothing, and says why', () => {
    assert.deepEqual(
      [
        evaluateTrustPolicy('{not json', context()).decision,
        evaluateTrustPolicy('{not json', context()).error?.startsWith('trust policy is not JSON'),
      ],
      ['implicit-deny', true],
    );
    assert.equal(
      evaluateTrustPolicy('{"Version":"2012-10-17"}', context()).error,
      'trust policy has no Statement',
    );
    assert.equal(decide(policy({ Effect: 'allow', Principal: '*', Action: ASSUME })), 'implicit-deny');
  });

  test('every requested action must be allowed (sts:TagSession)', () => {
    const ctx = context({ actions: [ASSUME, 'sts:TagSession'] });
    const result = evaluateTrustPolicy(policy({ Effect: 'Allow', Principal: '*', Action: ASSUME }), ctx);
    assert.equal(result.decision, 'implicit-deny');
    assert.deepEqual(
      result.actions.map((a) => [a.action, a.decision]),
      [
        [ASSUME, 'allow'],
        ['sts:TagSession', 'implicit-deny'],
      ],
    );
  });
});

describe('conditions', () => {
  const sub = `${HOST_PATH}:sub`;
  const aud = `${HOST_PATH}:aud`;

  test('StringEquals is exact and case-sensitive; a "*" in it is literal (the classic mistake)', () => {
    assert.equal(decide(allowWhen({ StringEquals: { [sub]: SUBJECT } })), 'allow');
    assert.equal(decide(allowWhen({ StringEquals: { [sub]: SUBJECT.toUpperCase() } })), 'implicit-deny');
    assert.equal(
      decide(allowWhen({ StringEquals: { [sub]: 'system:serviceaccount:openshift-image-registry:*' } })),
      'implicit-deny',
    );
  });

  test('StringLike with * and ?', () => {
    assert.equal(
      decide(allowWhen({ StringLike: { [sub]: 'system:serviceaccount:openshift-image-registry:*' } })),
      'allow',
    );
    assert.equal(
      decide(allowWhen({ StringLike: { [sub]: 'system:serviceaccount:openshift-image-registr?:*' } })),
      'allow',
    );
    assert.equal(
      decide(allowWhen({ StringLike: { [sub]: 'system:serviceaccount:kube-system:*' } })),
      'implicit-deny',
    );
  });

  test('values are ORed, keys and operators ANDed', () => {
    assert.equal(decide(allowWhen({ StringEquals: { [sub]: ['nobody', SUBJECT] } })), 'allow');
    assert.equal(
      decide(allowWhen({ StringEquals: { [sub]: SUBJECT, [aud]: 'sts.amazonaws.com' } })),
      'implicit-deny',
    );
    assert.equal(
      decide(allowWhen({ StringEquals: { [sub]: SUBJECT }, StringLike: { [aud]: 'open*' } })),
      'allow',
    );
    assert.equal(
      decide(allowWhen({ StringEquals: { [sub]: SUBJECT }, StringLike: { [aud]: 'sts*' } })),
      'implicit-deny',
    );
  });

  test('condition key names are case-insensitive', () => {
    assert.equal(decide(allowWhen({ StringEquals: { [sub.toUpperCase()]: SUBJECT } })), 'allow');
  });

  test('StringNotEquals / StringNotLike: true when no value matches, and when the key is missing', () => {
    assert.equal(decide(allowWhen({ StringNotEquals: { [sub]: ['a', 'b'] } })), 'allow');
    assert.equal(decide(allowWhen({ StringNotEquals: { [sub]: ['a', SUBJECT] } })), 'implicit-deny');
    assert.equal(decide(allowWhen({ StringNotLike: { [`${HOST_PATH}:amr`]: '*' } })), 'allow');
  });

  test('StringEqualsIgnoreCase', () => {
    assert.equal(decide(allowWhen({ StringEqualsIgnoreCase: { [aud]: 'OPENSHIFT' } })), 'allow');
    assert.equal(decide(allowWhen({ StringNotEqualsIgnoreCase: { [aud]: 'OPENSHIFT' } })), 'implicit-deny');
  });

  test('a missing key fails positive operators; …IfExists makes it pass', () => {
    const amr = `${HOST_PATH}:amr`;
    assert.equal(decide(allowWhen({ StringEquals: { [amr]: 'mfa' } })), 'implicit-deny');
    assert.equal(decide(allowWhen({ StringEqualsIfExists: { [amr]: 'mfa' } })), 'allow');
    assert.equal(decide(allowWhen({ StringEqualsIfExists: { [sub]: 'nobody' } })), 'implicit-deny');
  });

  test('Null: true means missing, false means present; booleans accepted', () => {
    const amr = `${HOST_PATH}:amr`;
    assert.equal(decide(allowWhen({ Null: { [amr]: 'true' } })), 'allow');
    assert.equal(decide(allowWhen({ Null: { [amr]: false } })), 'implicit-deny');
    assert.equal(decide(allowWhen({ Null: { [sub]: false } })), 'allow');
  });

  test('ForAnyValue: any request value matches; a missing key is false', () => {
    const ctx = context({
      conditionKeys: { [aud]: 'openshift', [`${HOST_PATH}:amr`]: ['pwd', 'mfa'] },
      setConditionKeys: { [aud]: ['openshift', 'extra'] },
    });
    assert.equal(
      decide(allowWhen({ 'ForAnyValue:StringEquals': { [`${HOST_PATH}:amr`]: 'mfa' } }), ctx),
      'allow',
    );
    // :aud under a set qualifier sees every aud value, not just the effective audience.
    assert.equal(decide(allowWhen({ 'ForAnyValue:StringEquals': { [aud]: 'extra' } }), ctx), 'allow');
    assert.equal(decide(allowWhen({ StringEquals: { [aud]: 'extra' } }), ctx), 'implicit-deny');
    assert.equal(
      decide(allowWhen({ 'ForAnyValue:StringLike': { 'aws:TagKeys': '*' } }), ctx),
      'implicit-deny',
    );
    assert.equal(
      decide(allowWhen({ 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': 'x' } }), ctx),
      'allow',
    );
  });

  test('ForAllValues: every request value must match; a missing key is true (why AWS warns against it with Allow)', () => {
    const ctx = context({ conditionKeys: { [`${HOST_PATH}:amr`]: ['pwd', 'mfa'] } });
    const amr = `${HOST_PATH}:amr`;
    assert.equal(
      decide(allowWhen({ 'ForAllValues:StringEquals': { [amr]: ['pwd', 'mfa', 'otp'] } }), ctx),
      'allow',
    );
    assert.equal(
      decide(allowWhen({ 'ForAllValues:StringEquals': { [amr]: ['pwd'] } }), ctx),
      'implicit-deny',
    );
    assert.equal(
      decide(allowWhen({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }), ctx),
      'allow',
    );
  });

  test('an unknown operator never matches, and is explained', () => {
    const result = evaluateTrustPolicy(allowWhen({ StringEqual: { [sub]: SUBJECT } }), context());
    assert.equal(result.decision, 'implicit-deny');
    assert.equal(result.statements[0]?.conditions[0]?.problem, 'unknown condition operator StringEqual');
  });
});

describe('operator building blocks', () => {
  test('parseOperator splits qualifier, base and IfExists', () => {
    assert.deepEqual(parseOperator('ForAnyValue:StringLikeIfExists'), {
      qualifier: 'ForAnyValue',
      base: 'StringLike',
      ifExists: true,
    });
    assert.deepEqual(parseOperator('StringNotEquals'), {
      qualifier: undefined,
      base: 'StringNotEquals',
      ifExists: false,
    });
    assert.equal(parseOperator('NullIfExists'), undefined);
    assert.equal(parseOperator('NumericEquals'), undefined);
  });

  test('stringLike: wildcards, regex characters literal, ${*} escapes', () => {
    assert.equal(stringLike('a.b', 'a?b'), true);
    assert.equal(stringLike('axb', 'a.b'), false);
    assert.equal(stringLike('line1\nline2', 'line1*'), true);
    assert.equal(stringLike('a*', 'a${*}'), true);
    assert.equal(stringLike('ab', 'a${*}'), false);
    assert.equal(stringLike('(x)[y]', '(x)[y]'), true);
  });

  test('evaluateCondition: negated operators with several policy values act as AND', () => {
    const op = parseOperator('StringNotEquals')!;
    assert.equal(evaluateCondition(op, ['a', 'b'], ['c']), true);
    assert.equal(evaluateCondition(op, ['a', 'b'], ['b']), false);
    assert.equal(evaluateCondition(op, ['a'], undefined), true);
  });
});
