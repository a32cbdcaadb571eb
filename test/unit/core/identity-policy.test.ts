import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeIdentityDecision, evaluateIdentityPolicies } from '../../../src/core/identity-policy.js';
import { issuerFunctionPolicy } from '../../../src/core/issuer-function-role.js';

const KEYS = 'arn:aws:s3:::demo-oidc/keys.json';
const doc = (...Statement: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement });

describe('evaluateIdentityPolicies', () => {
  it("allows with stsctl's function role policy, naming the statement", () => {
    const policy = {
      name: 'demo-oidc',
      document: JSON.stringify(
        issuerFunctionPolicy('aws', 'us-east-1', '123456789012', 'demo-oidc', 'demo-oidc'),
      ),
    };
    const d = evaluateIdentityPolicies([policy], 's3:GetObject', KEYS);
    assert.deepEqual(d, { effect: 'allow', policy: 'demo-oidc', statement: 0, sid: 'ReadIssuerDocuments' });
    assert.equal(
      describeIdentityDecision(d),
      'statement 0 (ReadIssuerDocuments) of policy demo-oidc allows it',
    );
    // Only the two documents: another key of the bucket, or another action, is the implicit deny.
    assert.equal(
      evaluateIdentityPolicies([policy], 's3:GetObject', 'arn:aws:s3:::demo-oidc/x').effect,
      'none',
    );
    assert.equal(evaluateIdentityPolicies([policy], 's3:PutObject', KEYS).effect, 'none');
  });

  it('no policy, or one for another bucket: no Allow', () => {
    assert.deepEqual(evaluateIdentityPolicies([], 's3:GetObject', KEYS), { effect: 'none' });
    const other = {
      name: 'p',
      document: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }),
    };
    const d = evaluateIdentityPolicies([other], 's3:GetObject', KEYS);
    assert.deepEqual(d, { effect: 'none' });
    assert.match(describeIdentityDecision(d), /implicit deny/);
  });

  it('a statement whose Effect is neither Allow nor Deny grants nothing', () => {
    for (const Effect of [undefined, 'allow', 'Permit']) {
      const odd = { name: 'p', document: doc({ Effect, Action: 's3:GetObject', Resource: '*' }) };
      assert.deepEqual(
        evaluateIdentityPolicies([odd], 's3:GetObject', KEYS),
        { effect: 'none' },
        String(Effect),
      );
    }
  });

  it('an explicit Deny in any policy wins over an Allow in another, whatever the order', () => {
    const allow = { name: 'allow', document: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) };
    const deny = {
      name: 'deny',
      document: doc({ Sid: 'No', Effect: 'Deny', Action: 's3:Get*', Resource: KEYS }),
    };
    const expected = { effect: 'deny', policy: 'deny', statement: 0, sid: 'No' };
    assert.deepEqual(evaluateIdentityPolicies([allow, deny], 's3:GetObject', KEYS), expected);
    assert.deepEqual(evaluateIdentityPolicies([deny, allow], 's3:GetObject', KEYS), expected);
    assert.equal(
      describeIdentityDecision(evaluateIdentityPolicies([deny], 's3:GetObject', KEYS)),
      'statement 0 (No) of policy deny explicitly denies it',
    );
  });

  it('wildcards: * and ? in resources (case-sensitive) and actions (case-insensitive)', () => {
    const p = (Resource: string, Action = 's3:GetObject') => [
      { name: 'p', document: doc({ Effect: 'Allow', Action, Resource }) },
    ];
    assert.equal(evaluateIdentityPolicies(p('arn:aws:s3:::demo-*/*'), 's3:GetObject', KEYS).effect, 'allow');
    assert.equal(
      evaluateIdentityPolicies(p('arn:aws:s3:::demo-oidc/key?.json'), 's3:GetObject', KEYS).effect,
      'allow',
    );
    assert.equal(evaluateIdentityPolicies(p('*'), 's3:GetObject', KEYS).effect, 'allow');
    assert.equal(
      evaluateIdentityPolicies(p('arn:aws:s3:::DEMO-OIDC/*'), 's3:GetObject', KEYS).effect,
      'none',
    );
    assert.equal(evaluateIdentityPolicies(p('*', 'S3:getobject'), 's3:GetObject', KEYS).effect, 'allow');
    assert.equal(evaluateIdentityPolicies(p('*', 's3:List*'), 's3:GetObject', KEYS).effect, 'none');
  });

  it('NotAction and NotResource invert the match', () => {
    const notAction = [{ name: 'p', document: doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }) }];
    assert.equal(evaluateIdentityPolicies(notAction, 's3:GetObject', KEYS).effect, 'allow');
    assert.equal(evaluateIdentityPolicies(notAction, 'iam:PassRole', KEYS).effect, 'none');
    const denyOthers = {
      name: 'fence',
      document: doc({ Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::demo-oidc/*' }),
    };
    const allowAll = { name: 'all', document: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) };
    assert.equal(evaluateIdentityPolicies([allowAll, denyOthers], 's3:GetObject', KEYS).effect, 'allow');
    assert.equal(
      evaluateIdentityPolicies([allowAll, denyOthers], 's3:GetObject', 'arn:aws:s3:::other/keys.json').effect,
      'deny',
    );
  });

  it('a single statement object counts; a document that is not JSON grants nothing', () => {
    const single = {
      name: 's',
      document: JSON.stringify({ Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: KEYS } }),
    };
    assert.equal(evaluateIdentityPolicies([single], 's3:GetObject', KEYS).effect, 'allow');
    assert.equal(
      evaluateIdentityPolicies([{ name: 'x', document: '{not json' }], 's3:GetObject', KEYS).effect,
      'none',
    );
  });
});
