/**
 * A Lambda function URL as stsctl's `--hosting lambda` sets it up, and the resource-policy
 * statements that open it to everyone, written once below the provisioning side (src/aws: plan,
 * apply), the sandbox (which answers the URL as Lambda would) and the doctor (whose fix adds
 * exactly the missing statements). Pure.
 */

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
 * Whether a statement opens the URL for the need of `want` (one of {@link PUBLIC_URL_STATEMENTS}):
 * allowed to everyone, `lambda:InvokeFunctionUrl` for auth type NONE (a statement without the
 * condition applies to every auth type), or `lambda:InvokeFunction` (or `lambda:*`) not limited to
 * calls outside the URL.
 */
function meets(s: InvokeStatement, want: InvokeStatement): boolean {
  if (s.principal !== '*') return false;
  if (want.action === 'lambda:InvokeFunctionUrl')
    return s.action === 'lambda:InvokeFunctionUrl' && (s.functionUrlAuthType ?? 'NONE') === 'NONE';
  return (
    (s.action === 'lambda:InvokeFunction' || s.action === 'lambda:*') && s.invokedViaFunctionUrl !== 'false'
  );
}

/**
 * The public statements ({@link PUBLIC_URL_STATEMENTS}) whose permission no statement of the
 * resource policy gives, in that order; `conflicting` when a statement already has the id (it
 * exists but does not give the permission), since AddPermission with an existing statement id
 * fails with ResourceConflictException (Lambda API reference, AddPermission). Pure.
 */
export function missingPublicUrlStatements(
  policy: string | undefined,
): { readonly statement: InvokeStatement; readonly conflicting: boolean }[] {
  const have = invokeStatements(policy);
  return PUBLIC_URL_STATEMENTS.filter((want) => !have.some((s) => meets(s, want))).map((statement) => ({
    statement,
    conflicting: have.some((s) => s.sid === statement.sid),
  }));
}

/**
 * Whether an anonymous request may call the function through its URL: auth type NONE and a
 * statement allowing each action the URL needs to everyone (urls-auth.html). Pure.
 */
export function allowsPublicUrlInvoke(authType: string, policy: string | undefined): boolean {
  return authType === 'NONE' && missingPublicUrlStatements(policy).length === 0;
}
