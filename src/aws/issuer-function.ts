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

/**
 * The function URL's settings and the resource-policy statements that open it to everyone (in
 * src/core: the doctor's fixes add exactly the missing ones).
 */
export {
  allowsPublicUrlInvoke,
  describeStatement,
  FUNCTION_URL_AUTH_TYPE,
  FUNCTION_URL_CORS,
  invokeStatements,
  missingPublicUrlStatements,
  PUBLIC_URL_STATEMENTS,
  type InvokeStatement,
} from '../core/function-url-policy.js';

/** The issuer of a function URL: Lambda returns it with a trailing slash, an issuer has none. */
export function functionUrlIssuer(functionUrl: string): string {
  return functionUrl.replace(/\/+$/, '');
}

/** The issuer's host/path of a function URL (the IAM OIDC provider's URL). */
export function issuerFunctionUrlHost(functionUrl: string): string {
  return functionUrlIssuer(functionUrl).replace(/^https:\/\//, '');
}
