/**
 * What the gateway does with IAM requests on their way to moto (docs/sandbox.md, "IAM writes"):
 * - it recognises writes (every IAM action but `Get*`, `List*`, `Generate*`, `Simulate*`) and the
 *   part of STS's IAM view each touches (the account's OIDC providers, one role), so the validating
 *   STS sees the write at once, or after an explicit propagation delay;
 * - it applies IAM's control for shared identity providers to `CreateRole` and
 *   `UpdateAssumeRolePolicy` (aws-sts-2026.md §3), which moto does not know.
 */
import { checkSharedIdpTrustPolicy } from '../webidentity/shared-idp.js';
import type { AwsError } from '../webidentity/types.js';

/** One IAM request, by its Query parameters. */
export interface IamRequest {
  readonly action: string;
  /** True for every action that may change IAM. */
  readonly write: boolean;
  /** The role the action names (`RoleName`), for role actions. */
  readonly roleName: string | undefined;
  /** The action creates, deletes or changes an OIDC provider. */
  readonly touchesProviders: boolean;
}

/** IAM read actions: the Query API names them with these verbs (IAM API reference, Actions). */
const READ_VERBS = /^(Get|List|Generate|Simulate)/;

/**
 * Classifies an IAM Query request from its parameters (form body and query string merged).
 * Undefined when it names no `Action`.
 */
export function classifyIamRequest(params: URLSearchParams): IamRequest | undefined {
  const action = params.get('Action');
  if (action === null || action === '') return undefined;
  return {
    action,
    write: !READ_VERBS.test(action),
    roleName: params.get('RoleName') ?? undefined,
    touchesProviders: /OpenIDConnectProvider/.test(action),
  };
}

/** The OIDC providers (`host/path`) a trust policy names in `Principal.Federated`. */
function federatedOidcProviders(policy: unknown): string[] {
  const out = new Set<string>();
  if (typeof policy !== 'object' || policy === null) return [];
  const statements = (policy as { Statement?: unknown }).Statement;
  for (const st of Array.isArray(statements) ? statements : [statements]) {
    if (typeof st !== 'object' || st === null) continue;
    const principal = (st as { Principal?: unknown }).Principal;
    if (typeof principal !== 'object' || principal === null) continue;
    const federated = (principal as { Federated?: unknown }).Federated;
    for (const f of Array.isArray(federated) ? federated : [federated]) {
      // arn:<partition>:iam::<account>:oidc-provider/<host>[/<path>]
      const m = typeof f === 'string' ? /^arn:[^:]+:iam::[^:]*:oidc-provider\/(.+)$/.exec(f) : null;
      if (m?.[1] !== undefined) out.add(m[1]);
    }
  }
  return [...out];
}

/**
 * IAM's refusal of a trust policy under the shared-IdP control, or undefined when IAM accepts it
 * (or the request is not `CreateRole` / `UpdateAssumeRolePolicy`). Each OIDC provider the policy
 * names is checked with `checkSharedIdpTrustPolicy`; the first refusal is IAM's answer. A document
 * that is not JSON is left to moto's own validation.
 */
export function sharedIdpRefusalFor(request: IamRequest, params: URLSearchParams): AwsError | undefined {
  const field =
    request.action === 'CreateRole'
      ? 'AssumeRolePolicyDocument'
      : request.action === 'UpdateAssumeRolePolicy'
        ? 'PolicyDocument'
        : undefined;
  const text = field === undefined ? null : params.get(field);
  if (text === null) return undefined;
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const provider of federatedOidcProviders(policy)) {
    const verdict = checkSharedIdpTrustPolicy(policy, provider);
    if (verdict.refused) return verdict.error;
  }
  return undefined;
}

/** What the gateway tells the validating STS about IAM writes (wired by lifecycle.ts). */
export interface IamWriteHooks {
  /** Before moto applies `write` (awaited). */
  before(write: IamRequest): Promise<void>;
  /** Once moto has answered `write`, before the client sees the answer. */
  after(write: IamRequest): void;
}

/** The STS side the hooks drive: `RunningStsServer.invalidateIamCache` / `holdIamView`. */
export interface IamViewControl {
  invalidateIamCache(): void;
  holdIamView(
    scope: { readonly account: string; readonly providers?: boolean; readonly roleName?: string },
    durationMs: number,
  ): Promise<void>;
}

/**
 * The hooks for a propagation delay of `propagationMs`:
 * - 0 (the default): every IAM write empties STS's IAM cache once moto has applied it, before the
 *   client gets its answer, so "create, then assume" never sees a stale cache;
 * - N > 0: before moto applies a write, STS's view of what it touches (the providers, the role)
 *   is captured and kept for N ms, so the write shows to STS N ms later, as IAM's eventual
 *   consistency may make it on AWS. Writes outside that view (users, managed policies…) change
 *   nothing STS reads.
 */
export function iamWriteHooks(sts: IamViewControl, accountId: string, propagationMs: number): IamWriteHooks {
  return {
    async before(write) {
      if (propagationMs <= 0) return;
      if (!write.touchesProviders && write.roleName === undefined) return;
      await sts.holdIamView(
        {
          account: accountId,
          ...(write.touchesProviders ? { providers: true } : {}),
          ...(write.roleName === undefined ? {} : { roleName: write.roleName }),
        },
        propagationMs,
      );
    },
    after() {
      if (propagationMs <= 0) sts.invalidateIamCache();
    },
  };
}
