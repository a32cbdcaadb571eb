import type { HttpObservation } from '../../webidentity/types.js';
import type { Memo } from '../context.js';
import type { TemplateVars } from '../findings/registry.js';
import type { FunctionUrlObservation, IdentityObserver } from '../ports.js';
import { makeFinding, type CheckResult, type Finding } from '../report.js';
import { couldNotCheck, withFindings } from './check.js';

/**
 * Lambda function URL hosting (`--hosting lambda`): STS fetches the documents anonymously from
 * `https://<url-id>.lambda-url.<region>.on.aws`, so the URL's auth type must be `NONE` and the
 * function's resource policy must let everyone invoke it through the URL (urls-auth.html: an
 * `AWS_IAM` URL, or a policy without the public statements, answers an unsigned GET 403
 * `{"Message":"Forbidden"}`); a function that fails (its role cannot read the bucket, a crash)
 * answers 502. Each makes STS answer "Couldn't retrieve verification key…" (aws-sts-oidc.md §2).
 */

/** `<url-id>.lambda-url.<region>.on.aws`, Lambda's function URL host form. */
export const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

const ID = 'issuer.hosting';
const TITLE = 'Issuer hosting (Lambda function URL: auth type, resource policy, function errors)';

/** Inputs of {@link checkFunctionUrlHosting}. */
export interface FunctionUrlHostingInput {
  readonly host: string;
  readonly aws: IdentityObserver;
  readonly memo: Memo;
  readonly vars: TemplateVars;
  readonly fetched?: { readonly discovery?: HttpObservation; readonly jwks?: HttpObservation };
}

function failedWith5xx(o: HttpObservation | undefined): number | undefined {
  return o !== undefined && o.ok && o.status >= 500 ? o.status : undefined;
}

/** Reads the function behind the URL and judges what STS's anonymous fetch meets. */
export async function checkFunctionUrlHosting(input: FunctionUrlHostingInput): Promise<CheckResult> {
  const aws = input.aws;
  if (aws.findFunctionUrl === undefined) {
    return couldNotCheck(ID, TITLE, 'issuer', 'this AWS access cannot read Lambda function URLs');
  }
  const fn = await input.memo.get<FunctionUrlObservation | undefined>(
    `function-url:${input.host}`,
    () => aws.findFunctionUrl?.(input.host) ?? Promise.resolve(undefined),
  );
  if (fn === undefined) {
    return withFindings(
      ID,
      TITLE,
      'issuer',
      [
        makeFinding(
          'FUNCTION_URL_NOT_FOUND',
          `no Lambda function of this account has the URL https://${input.host}/`,
          input.vars,
        ),
      ],
      '',
    );
  }
  const vars: TemplateVars = { ...input.vars, functionName: fn.functionName };
  const findings: Finding[] = [];
  if (fn.authType !== 'NONE') {
    findings.push(
      makeFinding(
        'FUNCTION_URL_AUTH_NOT_NONE',
        `GetFunctionUrlConfig for ${fn.functionName}: AuthType ${fn.authType}; STS's unsigned GET is answered 403 {"Message":"Forbidden"}`,
        vars,
      ),
    );
  } else if (!fn.publicInvoke) {
    const have = fn.invokeStatements;
    findings.push(
      makeFinding(
        'FUNCTION_URL_NOT_PUBLIC',
        `the resource policy of ${fn.functionName} does not let everyone invoke it through the URL (statements: ${have.length === 0 ? 'none' : have.join('; ')})`,
        vars,
      ),
    );
  }
  const status = failedWith5xx(input.fetched?.discovery) ?? failedWith5xx(input.fetched?.jwks);
  if (status !== undefined) {
    const bucket = fn.environment['ISSUER_BUCKET'];
    findings.push(
      makeFinding(
        'FUNCTION_URL_FUNCTION_ERROR',
        `the function URL answered ${status}: ${fn.functionName} failed (its role ${fn.roleArn}${bucket === undefined ? '' : ` must be able to s3:GetObject in ${bucket}`})`,
        { ...vars, ...(bucket === undefined ? {} : { bucket }) },
      ),
    );
  }
  return withFindings(
    ID,
    TITLE,
    'issuer',
    findings,
    `function ${fn.functionName}: auth type ${fn.authType}, public invoke allowed, the documents were served`,
  );
}
