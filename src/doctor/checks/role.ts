import { serviceAccountSubject } from '../../core/iam-documents.js';
import { parseArn } from '../../core/partitions.js';
import { webIdentityContext } from '../../webidentity/context-keys.js';
import { readSessionClaims } from '../../webidentity/session-claims.js';
import { evaluateTrustPolicy, explainActionDecision } from '../../webidentity/trust-policy.js';
import type { IamRole } from '../../webidentity/types.js';
import type { TemplateVars } from '../findings/registry.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import { isRecord, list, policyStatements } from '../policy-json.js';
import { withFindings } from './check.js';

/**
 * The role: it exists, its trust policy lets each of the component's service accounts in (the
 * model's `evaluateTrustPolicy` over the context a projected token would give, so a missing token
 * does not stop the check), security smells (no `:sub` condition, a wildcard `sub`), and the
 * permissions boundary (aws-sts-oidc.md §6, §3.7).
 */

const ID = 'role.trust';
const TITLE = 'Role and trust policy';

/** Allow statements granting web identity: their Federated principals and `:sub` conditions. */
export interface WebIdentityGrantShape {
  readonly federated: readonly string[];
  /** `[operator, values]` of every condition on a `…:sub` key. */
  readonly subConditions: readonly (readonly [string, readonly string[]])[];
}

/** Reads the web-identity Allow statements of a trust policy. */
export function webIdentityStatements(policy: string): WebIdentityGrantShape[] {
  return policyStatements(policy)
    .filter(
      (s) =>
        s['Effect'] === 'Allow' &&
        list(s['Action']).some((a) => /^sts:(AssumeRoleWithWebIdentity|\*)$|^\*$/i.test(a)),
    )
    .map((s) => {
      const principal = s['Principal'];
      const federated = isRecord(principal) ? list(principal['Federated']) : [];
      const subConditions: [string, readonly string[]][] = [];
      const condition = s['Condition'];
      if (isRecord(condition)) {
        for (const [operator, block] of Object.entries(condition)) {
          if (!isRecord(block)) continue;
          for (const [key, values] of Object.entries(block)) {
            if (/:sub$/i.test(key)) subConditions.push([operator, list(values)]);
          }
        }
      }
      return { federated, subConditions };
    });
}

/** Inputs of the role check. */
export interface RoleCheckInput {
  readonly role: IamRole | undefined;
  readonly roleArn: string;
  readonly namespace: string | undefined;
  /** Service accounts whose access is evaluated without a token (those with a token are judged by the verdict). */
  readonly serviceAccounts: readonly string[];
  /** The provider the tokens will be matched to (ARN and URL without https://). */
  readonly providerArn: string;
  readonly providerHostPath: string;
  /** The audience projected tokens carry (`openshift` for OpenShift components). */
  readonly audience: string;
  readonly sessionName: string;
  readonly vars: TemplateVars;
}

/** Runs the role check. */
export function checkRole(input: RoleCheckInput): CheckResult {
  const roleName = parseArn(input.roleArn)?.resource.split('/').at(-1) ?? input.roleArn;
  const vars: TemplateVars = {
    ...input.vars,
    roleArn: input.roleArn,
    roleName,
    providerArn: input.providerArn,
    issuerHostPath: input.providerHostPath,
  };
  const role = input.role;
  if (role === undefined) {
    return withFindings(
      ID,
      TITLE,
      'role',
      [makeFinding('ROLE_MISSING', `no role ${input.roleArn}`, vars)],
      '',
    );
  }
  const findings: Finding[] = [];
  const grants = webIdentityStatements(role.assumeRolePolicyDocument);
  for (const g of grants) {
    if (g.subConditions.length === 0) {
      findings.push(
        makeFinding(
          'TRUST_POLICY_NO_SUB_CONDITION',
          `an Allow statement for ${g.federated.join(', ') || 'any principal'} has no :sub condition`,
          vars,
        ),
      );
    }
    const wildcard = g.subConditions.find(
      ([op, values]) => /StringLike/i.test(op) && values.some((x) => x.includes('*')),
    );
    if (wildcard !== undefined) {
      findings.push(
        makeFinding('TRUST_POLICY_WILDCARD_SUB', `${wildcard[0]} :sub ${JSON.stringify(wildcard[1])}`, vars),
      );
    }
  }
  for (const sa of input.serviceAccounts) {
    if (input.namespace === undefined) continue;
    const sub = serviceAccountSubject(input.namespace, sa);
    const claims = { sub, aud: [input.audience] };
    const context = webIdentityContext({
      providerHostPath: input.providerHostPath,
      providerArn: input.providerArn,
      claims,
      audience: input.audience,
      roleSessionName: input.sessionName,
      session: readSessionClaims(claims),
    });
    const evaluation = evaluateTrustPolicy(role.assumeRolePolicyDocument, context);
    if (evaluation.decision !== 'allow') {
      findings.push(
        makeFinding(
          'TRUST_POLICY_DENIES',
          `${sub}: ${explainActionDecision(evaluation, 'sts:AssumeRoleWithWebIdentity')}`,
          { ...vars, namespace: input.namespace, serviceAccount: sa },
        ),
      );
    }
  }
  if (role.permissionsBoundaryArn !== undefined) {
    findings.push(makeFinding('ROLE_PERMISSIONS_BOUNDARY', `boundary ${role.permissionsBoundaryArn}`, vars));
  }
  return withFindings(
    ID,
    TITLE,
    'role',
    findings,
    `${role.arn}: ${input.serviceAccounts.length === 0 ? 'the token is judged by the verdict' : `trust policy allows ${input.serviceAccounts.join(', ')}`}; MaxSessionDuration ${role.maxSessionDuration} s`,
  );
}
