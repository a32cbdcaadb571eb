import { awsErrors } from './aws-errors.js';
import type { RuleId } from './rules.js';
import { passed, type Checked, type StepLog } from './steps.js';
import {
  evaluateTrustPolicy,
  explainActionDecision,
  type TrustPolicyContext,
  type TrustPolicyEvaluation,
} from './trust-policy.js';
import type { IamRole } from './types.js';

/**
 * The authorization stage: the role must exist and its trust policy must allow every action the
 * call needs. All of it answers the same `AccessDenied` "Not authorized to perform
 * sts:AssumeRoleWithWebIdentity" (403), which names no role and so reveals nothing about it
 * (aws-sts-oidc.md §2, §6).
 */

const ACTION_RULES: Readonly<Record<string, RuleId>> = {
  'sts:AssumeRoleWithWebIdentity': 'trust.policy',
  'sts:TagSession': 'trust.tag-session',
  'sts:SetSourceIdentity': 'trust.source-identity',
};

/**
 * Checks the role (rule `trust.role-exists`; a missing role is `AccessDenied` too, §2 [unverified
 * but consistent]) and the trust policy for each action (`trust.policy`, `trust.tag-session`,
 * `trust.source-identity`).
 */
export function authorize(
  role: IamRole | undefined,
  context: TrustPolicyContext,
  log: StepLog,
): Checked<{ readonly role: IamRole; readonly evaluation: TrustPolicyEvaluation }> {
  if (role === undefined) {
    return log.fail('trust.role-exists', 'the role does not exist', awsErrors.accessDenied());
  }
  log.pass('trust.role-exists', role.arn);

  const evaluation = evaluateTrustPolicy(role.assumeRolePolicyDocument, context);
  for (const [action, rule] of Object.entries(ACTION_RULES)) {
    const decided = evaluation.actions.find((a) => a.action === action);
    if (decided === undefined) {
      log.skip(rule, `${action} not needed`);
      continue;
    }
    if (decided.decision !== 'allow') {
      return log.fail(rule, explainActionDecision(evaluation, action), awsErrors.accessDenied());
    }
    log.pass(rule, explainActionDecision(evaluation, action));
  }
  return passed({ role, evaluation });
}
