import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { zipStored } from './zip.js';

/**
 * `--hosting lambda`: what stsctl deploys to serve an issuer from a Lambda function URL, as pure
 * values the planner compares with what it observes (plan/issuer-function.ts), plus the one read
 * of the shipped function's source (assets/issuer-function/index.mjs, tested on its own under
 * test/unit/issuer-function/).
 *
 * Design: the documents stay in the private `<name>-oidc` bucket and the function reads them with
 * its role, which may get exactly the two keys (and write its logs). The alternative, the
 * documents in the function's environment, was not chosen: Lambda caps all variables of a
 * function at 4 KB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), a
 * JWKS of two RSA-4096 keys is ~1.5 KB and grows with every rotation, and a rotation would
 * become a configuration update instead of the object upload `rotate-keys` already makes.
 */

/** The function's runtime: a Node.js version Lambda supports (it ships the AWS SDK v3). */
export const ISSUER_FUNCTION_RUNTIME = 'nodejs22.x';
/** `index.mjs`, export `handler`. */
export const ISSUER_FUNCTION_HANDLER = 'index.handler';
/** The environment variable naming the bucket the function reads. */
export const ISSUER_BUCKET_VARIABLE = 'ISSUER_BUCKET';

/**
 * The function's name, and its execution role's: `<name>-oidc`, the bucket's name. At most 63
 * characters (names are ≤ 58), within Lambda's and IAM's 64; a component role is
 * `<name>-<namespace>-<secret>`, always with a dash after `<name>-`, so the two never collide.
 */
export function issuerFunctionName(bucket: string): string {
  return bucket;
}

/** The deployment package: its zip bytes and Lambda's `CodeSha256` of them (base64 SHA-256). */
export interface FunctionPackage {
  readonly zip: Buffer;
  readonly sha256: string;
}

/** The package of the function's source (`index.mjs` at the root of the zip). Pure. */
export function functionPackage(source: Buffer): FunctionPackage {
  const zip = zipStored([{ name: 'index.mjs', data: source }]);
  return { zip, sha256: createHash('sha256').update(zip).digest('base64') };
}

/** The execution role's description (what create-all and the exporters set). */
export function issuerFunctionRoleDescription(clusterName: string): string {
  return `Execution role of the OIDC issuer function of ${clusterName} (stsctl --hosting lambda)`;
}

/** The function's description. */
export function issuerFunctionDescription(clusterName: string): string {
  return `OIDC issuer of ${clusterName}: serves its discovery document and JWKS (stsctl)`;
}

/** Reads the shipped function (assets/issuer-function/index.mjs, in the package next to dist/). */
export async function loadIssuerFunctionPackage(): Promise<FunctionPackage> {
  // src/aws/ and dist/aws/ are both two levels below the package root.
  const source = await readFile(new URL('../../assets/issuer-function/index.mjs', import.meta.url));
  return functionPackage(source);
}

/** Lambda assumes the execution role (the service principal of AWS's documented execution role). */
export function issuerFunctionTrustPolicy(): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ],
  };
}

/** The execution role's inline policy (in src/core: the doctor's fix writes the same document). */
export { issuerFunctionPolicy } from '../core/issuer-function-role.js';

/** The function URL's settings: no auth (STS fetches anonymously), CORS GET only. */
export const FUNCTION_URL_AUTH_TYPE = 'NONE';
export const FUNCTION_URL_CORS = { AllowMethods: ['GET'], AllowOrigins: ['*'] } as const;

/** One statement of the function's resource policy, reduced to what decides a public URL call. */
export interface InvokeStatement {
  readonly sid: string;
  readonly action: string;
  readonly principal: string;
  /** `lambda:FunctionUrlAuthType` the statement requires, when it does. */
  readonly functionUrlAuthType: string | undefined;
  /** `lambda:InvokedViaFunctionUrl` the statement requires, when it does. */
  readonly invokedViaFunctionUrl: string | undefined;
}

/**
 * The two statements a function URL with auth type NONE needs: `lambda:InvokeFunctionUrl` with
 * `FunctionUrlAuthType: NONE`, and — for URLs created since October 2025 — also
 * `lambda:InvokeFunction` with `InvokedViaFunctionUrl: true`
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html: "Starting in October 2025, new
 * function URLs will require both lambda:InvokeFunctionUrl and lambda:InvokeFunction permissions").
 */
export const PUBLIC_URL_STATEMENTS: readonly InvokeStatement[] = [
  {
    sid: 'FunctionURLAllowPublicAccess',
    action: 'lambda:InvokeFunctionUrl',
    principal: '*',
    functionUrlAuthType: 'NONE',
    invokedViaFunctionUrl: undefined,
  },
  {
    sid: 'FunctionURLInvokeAllowPublicAccess',
    action: 'lambda:InvokeFunction',
    principal: '*',
    functionUrlAuthType: undefined,
    invokedViaFunctionUrl: 'true',
  },
];

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'boolean' ? String(v) : undefined;
}

/**
 * The statements of a resource policy (GetPolicy's `Policy` JSON). Lambda writes AddPermission's
 * `FunctionUrlAuthType` as `Condition.StringEquals["lambda:FunctionUrlAuthType"]` and
 * `InvokedViaFunctionUrl` as `Condition.Bool["lambda:InvokedViaFunctionUrl"]`; moto keeps them
 * as top-level fields of the statement: both forms are read. Pure.
 */
export function invokeStatements(policy: string | undefined): InvokeStatement[] {
  if (policy === undefined) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return [];
  }
  const list = record(doc)?.['Statement'];
  return (Array.isArray(list) ? list : []).flatMap((s): InvokeStatement[] => {
    const st = record(s);
    if (st === undefined || st['Effect'] !== 'Allow') return [];
    const cond = record(st['Condition']);
    const principal = st['Principal'];
    return [
      {
        sid: text(st['Sid']) ?? '',
        action: text(st['Action']) ?? '',
        principal: text(principal) ?? text(record(principal)?.['AWS']) ?? '',
        functionUrlAuthType:
          text(record(cond?.['StringEquals'])?.['lambda:FunctionUrlAuthType']) ??
          text(st['FunctionUrlAuthType']),
        invokedViaFunctionUrl:
          text(record(cond?.['Bool'])?.['lambda:InvokedViaFunctionUrl']) ?? text(st['InvokedViaFunctionUrl']),
      },
    ];
  });
}

/** A statement as one line, for plans and messages. */
export function describeStatement(s: InvokeStatement): string {
  return [
    `${s.action} for ${s.principal}`,
    ...(s.functionUrlAuthType === undefined ? [] : [`FunctionUrlAuthType=${s.functionUrlAuthType}`]),
    ...(s.invokedViaFunctionUrl === undefined ? [] : [`InvokedViaFunctionUrl=${s.invokedViaFunctionUrl}`]),
  ].join(', ');
}

/**
 * Whether an anonymous request may call the function through its URL: auth type NONE and a
 * statement allowing each action the URL needs to everyone (urls-auth.html). Pure.
 */
export function allowsPublicUrlInvoke(authType: string, policy: string | undefined): boolean {
  if (authType !== 'NONE') return false;
  const have = invokeStatements(policy).filter((s) => s.principal === '*');
  const urlAllowed = have.some(
    (s) => s.action === 'lambda:InvokeFunctionUrl' && (s.functionUrlAuthType ?? 'NONE') === 'NONE',
  );
  const invokeAllowed = have.some(
    (s) =>
      (s.action === 'lambda:InvokeFunction' || s.action === 'lambda:*') &&
      s.invokedViaFunctionUrl !== 'false',
  );
  return urlAllowed && invokeAllowed;
}

/** The issuer of a function URL: Lambda returns it with a trailing slash, an issuer has none. */
export function functionUrlIssuer(functionUrl: string): string {
  return functionUrl.replace(/\/+$/, '');
}

/** The issuer's host/path of a function URL (the IAM OIDC provider's URL). */
export function issuerFunctionUrlHost(functionUrl: string): string {
  return functionUrlIssuer(functionUrl).replace(/^https:\/\//, '');
}
