import type { IamOidcProvider, IamRole } from './types.js';

/**
 * IAM's answers → the model's IAM view, in one place for everyone who reads IAM: the validating
 * STS (src/sts), provisioning's observe (src/aws) and the doctor's observer, so all three see IAM
 * alike. The inputs are declared structurally — the few fields of the SDK's
 * `GetOpenIDConnectProvider` and `GetRole` outputs read here — so this pure layer imports no SDK.
 */

/** The fields of `GetOpenIDConnectProvider`'s answer read here (IAM API reference). */
export interface OidcProviderAnswer {
  readonly Url?: string | undefined;
  readonly ClientIDList?: readonly string[] | undefined;
  readonly ThumbprintList?: readonly string[] | undefined;
}

/** The fields of `GetRole`'s `Role` read here (IAM API reference). */
export interface RoleAnswer {
  readonly Arn?: string | undefined;
  readonly RoleName?: string | undefined;
  readonly RoleId?: string | undefined;
  readonly AssumeRolePolicyDocument?: string | undefined;
  readonly MaxSessionDuration?: number | undefined;
  readonly PermissionsBoundary?: { readonly PermissionsBoundaryArn?: string | undefined } | undefined;
}

/** A role ARN split into what IAM needs: `arn:<partition>:iam::<account>:role/<path…>/<name>`. */
export interface ParsedRoleArn {
  readonly partition: string;
  readonly account: string;
  readonly roleName: string;
}

const ROLE_ARN = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]+)$/;

/** Parses a role ARN; undefined when it is not one (the model then answers with AWS's error). */
export function parseRoleArn(roleArn: string): ParsedRoleArn | undefined {
  const match = ROLE_ARN.exec(roleArn);
  if (match === null) return undefined;
  const [, partition, account, roleName] = match;
  if (partition === undefined || account === undefined || roleName === undefined) return undefined;
  return { partition, account, roleName };
}

/**
 * Decodes a policy as IAM returns it: "Policies returned by this operation are URL-encoded
 * compliant with RFC 3986" (GetRole, GetRolePolicy; aws-sts-oidc.md §5.2); the SDK hands the text
 * over as is. Text that is not URL-encoded (some emulators return the JSON) is used verbatim.
 */
export function decodePolicyDocument(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** The model's view of an IAM OIDC provider from `GetOpenIDConnectProvider`. */
export function iamProviderFromGet(arn: string, out: OidcProviderAnswer): IamOidcProvider {
  return {
    arn,
    url: out.Url ?? '',
    clientIds: [...(out.ClientIDList ?? [])],
    thumbprints: [...(out.ThumbprintList ?? [])],
  };
}

/** The model's view of a role from `GetRole`; undefined when IAM's answer lacks its identity. */
export function iamRoleFromGetRole(role: RoleAnswer | undefined): IamRole | undefined {
  if (role?.Arn === undefined || role.RoleId === undefined || role.RoleName === undefined) return undefined;
  const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn;
  return {
    arn: role.Arn,
    roleName: role.RoleName,
    roleId: role.RoleId,
    assumeRolePolicyDocument: decodePolicyDocument(role.AssumeRolePolicyDocument ?? ''),
    // IAM's default (CreateRole `MaxSessionDuration` default 3600, §5.2) when not reported.
    maxSessionDuration: role.MaxSessionDuration ?? 3600,
    ...(boundary === undefined ? {} : { permissionsBoundaryArn: boundary }),
  };
}
