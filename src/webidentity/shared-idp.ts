import { parseOperator, stringLike } from './condition-operators.js';
import type { Evidence } from './behaviour.js';
import type { AwsError } from './types.js';

/**
 * IAM's control for shared identity providers (aws-sts-2026.md §3; IAM User Guide, "secure by
 * default" OIDC controls, June 2025): for an IdP that many unrelated customers share, such as
 * GitHub Actions, IAM refuses `CreateRole` and `UpdateAssumeRolePolicy` when the trust policy does
 * not evaluate the claims that tell one customer's tokens from another's (e.g. `sub`). Roles that
 * existed before are unaffected, so this is a check on writes, not on `AssumeRoleWithWebIdentity`.
 *
 * A pure function of the policy document and the provider URL, for the sandbox IAM gateway (to
 * refuse the write) and for the doctor (to explain a refusal).
 */

/** A shared IdP and the claims a trust policy must evaluate for it. */
export interface SharedIdentityProvider {
  /** Provider URL without `https://` (the condition-key prefix). */
  readonly hostPath: string;
  /** Claims whose `<hostPath>:<claim>` key every allowing statement must test. */
  readonly requiredClaims: readonly string[];
  readonly evidence: Evidence;
}

/**
 * The shared IdPs the model knows. Only GitHub Actions and `sub` are named by the evidence (§3);
 * other IdPs AWS may treat as shared are not listed because no public source names them.
 */
export const SHARED_IDENTITY_PROVIDERS: readonly SharedIdentityProvider[] = [
  {
    hostPath: 'token.actions.githubusercontent.com',
    requiredClaims: ['sub'],
    evidence: {
      kind: 'doc',
      sheet: '2026 §3',
      source: 'IAM User Guide, OIDC identity-provider controls (June 2025)',
    },
  },
];

/** Why a statement does not satisfy the control. */
export interface SharedIdpGap {
  /** Index of the statement in `Statement` (0 for a single object). */
  readonly statement: number;
  /** Condition keys the statement does not evaluate (with a value that restricts). */
  readonly missingKeys: readonly string[];
}

/** The verdict of {@link checkSharedIdpTrustPolicy}. */
export type SharedIdpVerdict =
  | { readonly refused: false; readonly shared: boolean }
  | {
      readonly refused: true;
      readonly shared: true;
      readonly gaps: readonly SharedIdpGap[];
      /** The error IAM answers `CreateRole` / `UpdateAssumeRolePolicy` with. */
      readonly error: AwsError;
      readonly evidence: Evidence;
    };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function strings(value: unknown): readonly string[] {
  return list(value).filter((v): v is string => typeof v === 'string');
}

/** The statement lets this provider's tokens call `sts:AssumeRoleWithWebIdentity`. */
function allowsProvider(statement: Record<string, unknown>, hostPath: string): boolean {
  if (statement['Effect'] !== 'Allow') return false;
  const actions = strings(statement['Action']);
  if (!actions.some((a) => stringLike('sts:assumerolewithwebidentity', a.toLowerCase()))) return false;
  const principal = statement['Principal'];
  if (principal === '*') return true;
  if (!isRecord(principal)) return false;
  return strings(principal['Federated']).some((p) => p === '*' || p.endsWith(`:oidc-provider/${hostPath}`));
}

/**
 * True when the condition block tests `key` with a positive string operator and a value that is
 * not only wildcards: a negated operator, `Null`, `…IfExists` (true when the key is absent) or a
 * bare `*` let any token through, so they do not "evaluate" the claim [inferred: AWS's exact
 * acceptance rules are not public].
 */
function evaluatesKey(condition: unknown, key: string): boolean {
  if (!isRecord(condition)) return false;
  for (const [operatorName, block] of Object.entries(condition)) {
    const op = parseOperator(operatorName);
    if (op === undefined || op.ifExists || op.base === 'Null' || op.base.includes('Not')) continue;
    if (!isRecord(block)) continue;
    for (const [k, values] of Object.entries(block)) {
      if (k.toLowerCase() !== key.toLowerCase()) continue;
      if (strings(values).some((v) => !/^[*?]*$/.test(v))) return true;
    }
  }
  return false;
}

/**
 * Would IAM refuse this trust policy for a role trusting `providerUrl`? Only shared IdPs are
 * checked; every statement that allows the provider's tokens must evaluate each required claim.
 * A document that is not JSON is left to IAM's ordinary policy validation (not refused here).
 * @param policyDocument the trust policy, as JSON text or parsed.
 * @param providerUrl the provider URL, with or without `https://`.
 */
export function checkSharedIdpTrustPolicy(policyDocument: unknown, providerUrl: string): SharedIdpVerdict {
  const hostPath = providerUrl.replace(/^https:\/\//, '');
  const idp = SHARED_IDENTITY_PROVIDERS.find((p) => p.hostPath === hostPath);
  if (idp === undefined) return { refused: false, shared: false };
  let policy: unknown = policyDocument;
  if (typeof policyDocument === 'string') {
    try {
      policy = JSON.parse(policyDocument);
    } catch {
      return { refused: false, shared: true };
    }
  }
  if (!isRecord(policy)) return { refused: false, shared: true };
  const gaps: SharedIdpGap[] = [];
  list(policy['Statement']).forEach((raw, index) => {
    if (!isRecord(raw) || !allowsProvider(raw, hostPath)) return;
    const missingKeys = idp.requiredClaims
      .map((claim) => `${hostPath}:${claim}`)
      .filter((key) => !evaluatesKey(raw['Condition'], key));
    if (missingKeys.length > 0) gaps.push({ statement: index, missingKeys });
  });
  if (gaps.length === 0) return { refused: false, shared: true };
  const keys = [...new Set(gaps.flatMap((g) => g.missingKeys))];
  return {
    refused: true,
    shared: true,
    gaps,
    error: sharedIdpRefusal(hostPath, keys),
    evidence: {
      kind: 'inferred',
      sheet: '2026 §3',
      source:
        'the refusal is documented (IAM User Guide, June 2025); its exact code and text were not found: MalformedPolicyDocument is IAM’s error for a trust policy it will not store',
    },
  };
}

/**
 * The error for a refused write: `MalformedPolicyDocument` (400), IAM's code for a trust policy it
 * does not accept (aws-sts-oidc.md §5.2); the message is stsctl's wording [inferred].
 */
export function sharedIdpRefusal(hostPath: string, missingKeys: readonly string[]): AwsError {
  return {
    code: 'MalformedPolicyDocument',
    status: 400,
    type: 'Sender',
    message: `Trust policy for the shared identity provider ${hostPath} must evaluate the condition key ${missingKeys.join(', ')} in every statement that allows sts:AssumeRoleWithWebIdentity.`,
  };
}
