import type { CredentialsRequest, StatementEntry } from './credentials-requests.js';
import { sortDeep } from './go-json.js';

/**
 * IAM policy documents built from CredentialsRequests (ccoctl.md §3.7).
 */

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
export const POLICY_VERSION = '2012-10-17';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocument {
  readonly Version: string;
  readonly Id?: string;
  readonly Statement: readonly PolicyStatement[];
}

/** `system:serviceaccount:<namespace>:<name>`: the `sub` kube-apiserver puts in service-account tokens. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * The role's trust policy: the OIDC provider as `Federated` principal, `sts:AssumeRoleWithWebIdentity`,
 * and `StringEquals` on `<issuer host/path>:sub` over the request's service accounts in
 * `spec.secretRef.namespace` (ccoctl uses that namespace, not `metadata.namespace`). Like ccoctl
 * there is no `:aud` condition: audiences are enforced by the provider's client ID list.
 */
export function trustPolicy(
  providerArn: string,
  issuerHostPath: string,
  namespace: string,
  serviceAccounts: readonly string[],
): PolicyDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: WEB_IDENTITY_ACTION,
        Condition: {
          StringEquals: {
            [`${issuerHostPath}:sub`]: serviceAccounts.map((sa) => serviceAccountSubject(namespace, sa)),
          },
        },
      },
    ],
  };
}

/** The trust policy for one CredentialsRequest. */
export function trustPolicyForRequest(
  request: CredentialsRequest,
  providerArn: string,
  issuerHostPath: string,
): PolicyDocument {
  return trustPolicy(providerArn, issuerHostPath, request.secretRef.namespace, request.serviceAccountNames);
}

function statementFromEntry(entry: StatementEntry): PolicyStatement {
  // Field order Effect, Action, Resource, Condition as ccoctl's Go struct; the condition is a Go
  // map, so its keys are sorted; values keep their types (booleans stay booleans).
  const base = { Effect: entry.effect, Action: [...entry.action], Resource: entry.resource };
  if (entry.policyCondition === undefined || Object.keys(entry.policyCondition).length === 0) return base;
  return { ...base, Condition: sortDeep(entry.policyCondition) as PolicyStatement['Condition'] & object };
}

/** The inline permissions policy for one CredentialsRequest, from `spec.providerSpec.statementEntries`. */
export function permissionsPolicy(request: CredentialsRequest): PolicyDocument {
  return { Version: POLICY_VERSION, Statement: request.statementEntries.map(statementFromEntry) };
}

/** Compact JSON of a policy, as sent to IAM. */
export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

/** `OpenShift role for <ns>/<secret>`: ccoctl's role description. */
export function roleDescription(request: CredentialsRequest): string {
  return `OpenShift role for ${request.secretRef.namespace}/${request.secretRef.name}`;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** The ownership tag key ccoctl and stsctl use to find (and delete) what they created. */
export function ownershipTagKey(name: string): string {
  return `openshift.io/cloud-credential-operator/${name}`;
}

/** `[{owned}, {Name}]`, in ccoctl's order. */
export function ownershipTags(name: string): Tag[] {
  return [
    { Key: ownershipTagKey(name), Value: 'owned' },
    { Key: 'Name', Value: name },
  ];
}

/** The S3 object Tagging header ccoctl sends (not URL-escaped, ccoctl.md §3.2). */
export function objectTagging(name: string): string {
  return `${ownershipTagKey(name)}=owned&Name=${name}`;
}
