import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSharedIdpTrustPolicy,
  evaluateTrustPolicy,
  readSessionClaims,
  webIdentityContext,
  type AwsBehaviour,
} from '../../../src/webidentity/index.js';
import { PROVIDER_CLAIM_KEYS } from '../../../src/core/provider-claims.js';

const GITHUB = 'token.actions.githubusercontent.com';
const GITHUB_ARN = `arn:aws:iam::123456789012:oidc-provider/${GITHUB}`;
const CLAIMS = {
  iss: `https://${GITHUB}`,
  sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
  aud: 'sts.amazonaws.com',
  repository: 'octo-org/octo-repo',
  repository_id: 74,
  repository_owner: 'octo-org',
  actor: 'octocat',
  environment: 'prod',
  email: 'octocat@example.com',
};

function context(hostPath: string, arn: string, behaviour?: AwsBehaviour) {
  return webIdentityContext({
    providerHostPath: hostPath,
    providerArn: arn,
    claims: { ...CLAIMS, iss: `https://${hostPath}` },
    audience: 'sts.amazonaws.com',
    roleSessionName: 's',
    session: readSessionClaims({}),
    ...(behaviour === undefined ? {} : { behaviour }),
  });
}

function trust(arn: string, condition: Record<string, Record<string, unknown>>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: arn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
      },
    ],
  });
}

describe('provider-specific claim keys (aws-sts-2026.md §2)', () => {
  test('GitHub keys are in the context of a GitHub token, valued from its claims (numbers as text)', () => {
    const keys = context(GITHUB, GITHUB_ARN).conditionKeys;
    assert.equal(keys[`${GITHUB}:repository`], 'octo-org/octo-repo');
    assert.equal(keys[`${GITHUB}:repository_id`], '74');
    assert.equal(keys[`${GITHUB}:environment`], 'prod');
    // A documented key whose claim the token lacks is absent, as is the undocumented :email.
    assert.equal(keys[`${GITHUB}:workflow`], undefined);
    assert.equal(keys[`${GITHUB}:email`], undefined);
  });

  test('a trust policy on repository_owner allows the matching token and refuses another', () => {
    const doc = trust(GITHUB_ARN, { StringEquals: { [`${GITHUB}:repository_owner`]: 'octo-org' } });
    assert.equal(evaluateTrustPolicy(doc, context(GITHUB, GITHUB_ARN)).decision, 'allow');
    const other = trust(GITHUB_ARN, { StringEquals: { [`${GITHUB}:repository_owner`]: 'evil-org' } });
    assert.equal(evaluateTrustPolicy(other, context(GITHUB, GITHUB_ARN)).decision, 'implicit-deny');
  });

  test('the keys exist only for their issuer: another issuer gets missing-key semantics', () => {
    const host = 'oidc.example.com';
    const arn = `arn:aws:iam::123456789012:oidc-provider/${host}`;
    const keys = context(host, arn).conditionKeys;
    assert.equal(keys[`${host}:repository`], undefined);
    // StringEquals on a missing key is false; StringNotEquals true (AWS's missing-key rules).
    assert.equal(
      evaluateTrustPolicy(
        trust(arn, { StringEquals: { [`${host}:repository`]: 'octo-org/octo-repo' } }),
        context(host, arn),
      ).decision,
      'implicit-deny',
    );
    assert.equal(
      evaluateTrustPolicy(
        trust(arn, { StringNotEquals: { [`${host}:repository`]: 'x' } }),
        context(host, arn),
      ).decision,
      'allow',
    );
  });

  test('under the 2025-12 profile the keys do not exist', () => {
    const keys = context(GITHUB, GITHUB_ARN, '2025-12').conditionKeys;
    assert.equal(keys[`${GITHUB}:repository`], undefined);
    const doc = trust(GITHUB_ARN, { StringEquals: { [`${GITHUB}:repository`]: 'octo-org/octo-repo' } });
    assert.equal(evaluateTrustPolicy(doc, context(GITHUB, GITHUB_ARN, '2025-12')).decision, 'implicit-deny');
  });

  test('the table lists exactly the GitHub keys of the fact sheet, and no provider without a source', () => {
    assert.deepEqual(
      PROVIDER_CLAIM_KEYS.map((p) => p.issuer),
      [`https://${GITHUB}`],
    );
    assert.deepEqual([...(PROVIDER_CLAIM_KEYS[0]?.claims ?? [])].sort(), [
      'actor',
      'actor_id',
      'enterprise_id',
      'environment',
      'job_workflow_ref',
      'ref',
      'repository',
      'repository_id',
      'repository_owner',
      'workflow',
    ]);
  });
});

describe('IAM shared-IdP control (aws-sts-2026.md §3)', () => {
  test('a GitHub trust policy that does not test sub is refused, naming the key', () => {
    const doc = trust(GITHUB_ARN, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } });
    const verdict = checkSharedIdpTrustPolicy(doc, `https://${GITHUB}`);
    assert.equal(verdict.refused, true);
    assert.deepEqual(verdict.gaps, [{ statement: 0, missingKeys: [`${GITHUB}:sub`] }]);
    assert.equal(verdict.error.code, 'MalformedPolicyDocument');
    assert.equal(verdict.error.status, 400);
    assert.match(verdict.error.message, /token\.actions\.githubusercontent\.com:sub/);
    assert.equal(verdict.evidence.kind, 'inferred');
  });

  test('a bare "*" on sub, a negated operator or IfExists does not count as evaluating it', () => {
    for (const condition of [
      { StringLike: { [`${GITHUB}:sub`]: '*' } },
      { StringNotEquals: { [`${GITHUB}:sub`]: 'repo:x/y:*' } },
      { StringLikeIfExists: { [`${GITHUB}:sub`]: 'repo:octo-org/*' } },
    ]) {
      assert.equal(
        checkSharedIdpTrustPolicy(trust(GITHUB_ARN, condition), GITHUB).refused,
        true,
        JSON.stringify(condition),
      );
    }
  });

  test('a policy that restricts sub is accepted; a non-shared provider is never refused', () => {
    const ok = trust(GITHUB_ARN, { StringLike: { [`${GITHUB}:sub`]: 'repo:octo-org/octo-repo:*' } });
    assert.deepEqual(checkSharedIdpTrustPolicy(ok, GITHUB), { refused: false, shared: true });
    const host = 'oidc.example.com';
    const open = trust(`arn:aws:iam::123456789012:oidc-provider/${host}`, {});
    assert.deepEqual(checkSharedIdpTrustPolicy(open, host), { refused: false, shared: false });
  });
});
