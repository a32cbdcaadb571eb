import {
  describeIdentityDecision,
  evaluateIdentityPolicies,
  type IdentityPolicy,
} from '../../core/identity-policy.js';
import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from '../../core/issuer.js';
import { parseArn, partitionById, type PartitionId } from '../../core/partitions.js';
import { evaluateS3Access, type S3AccessDecision } from '../../core/s3-access.js';
import type { HttpObservation } from '../../webidentity/types.js';
import type { Memo } from '../context.js';
import type { TemplateVars } from '../findings/registry.js';
import {
  functionRoleFix,
  functionRolePolicy,
  functionUrlAuthFix,
  functionUrlPublicFix,
  publicStatementSteps,
  type FunctionRoleFixInput,
  type FunctionUrlFixInput,
} from '../fixes.js';
import type {
  BucketObservation,
  FunctionUrlObservation,
  IdentityObserver,
  RolePoliciesObservation,
} from '../ports.js';
import { makeFinding, withRemedy, type CheckResult, type Finding } from '../report.js';
import { couldNotCheck, reasonOf, withFindings } from './check.js';

/**
 * Lambda function URL hosting (`--hosting lambda`): STS fetches the documents anonymously from
 * `https://<url-id>.lambda-url.<region>.on.aws`, so the URL's auth type must be `NONE` and the
 * function's resource policy must let everyone invoke it through the URL (urls-auth.html: an
 * `AWS_IAM` URL, or a policy without the public statements, answers an unsigned GET 403
 * `{"Message":"Forbidden"}`); a function that fails (its role cannot read the bucket, a crash)
 * answers 502. Each makes STS answer "Couldn't retrieve verification key…" (aws-sts-oidc.md §2).
 *
 * The role's access is looked at, not inferred from the 502: the execution role's inline and
 * attached managed policies (the shared identity-policy evaluator, src/core/identity-policy.ts)
 * and the bucket's policy and block (the S3 access evaluator) decide `s3:GetObject` of the two
 * documents in `ISSUER_BUCKET`, as the sandbox's function URLs decide it when they run the
 * shipped handler (src/sandbox/function-urls.ts).
 */

/** `<url-id>.lambda-url.<region>.on.aws`, Lambda's function URL host form. */
export const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

const ID = 'issuer.hosting';

/** The region of a function URL host (`<url-id>.lambda-url.<region>.on.aws`), '' when not one. */
function regionOfHost(host: string): string {
  return /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(host)?.[1] ?? '';
}
const TITLE = 'Issuer hosting (Lambda function URL: auth type, resource policy, function errors)';

/** Inputs of {@link checkFunctionUrlHosting}. */
export interface FunctionUrlHostingInput {
  readonly host: string;
  readonly aws: IdentityObserver;
  readonly memo: Memo;
  readonly vars: TemplateVars;
  readonly fetched?: { readonly discovery?: HttpObservation; readonly jwks?: HttpObservation };
}

/** The two objects stsctl's function reads (assets/issuer-function/index.mjs `DOCUMENTS`). */
const FUNCTION_DOCUMENT_KEYS = [DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY] as const;

/** What the doctor found about the execution role's read of the bucket. */
type RoleAccess =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'denied'; readonly finding: Finding }
  /** Not judged (no role/bucket to read, or AWS could not be read): said in the 5xx finding. */
  | { readonly kind: 'unknown'; readonly why: string };

function isMissing(d: S3AccessDecision): boolean {
  return d.reason === 'no-such-key' || d.reason === 'no-such-key-unlistable';
}

/** The role's decision for each document, from its policies and the bucket as read. */
function decideReads(
  policies: readonly IdentityPolicy[],
  bucket: Extract<BucketObservation, { exists: true }>,
  bucketName: string,
  roleArn: string,
  accountId: string,
  partition: PartitionId,
): { key: string; identity: ReturnType<typeof evaluateIdentityPolicies>; s3: S3AccessDecision }[] {
  return FUNCTION_DOCUMENT_KEYS.map((key) => {
    const identity = evaluateIdentityPolicies(
      policies,
      's3:GetObject',
      `arn:${partition}:s3:::${bucketName}/${key}`,
    );
    const block = bucket.publicAccessBlock;
    const s3 = evaluateS3Access({
      // The bucket policy names the role by its ARN, which matches the function's role session.
      requester: { kind: 'iam', arn: roleArn, accountId, identityPolicy: identity.effect },
      action: 's3:GetObject',
      bucket: bucketName,
      key,
      partition,
      ...(bucket.policy === undefined ? {} : { policy: bucket.policy }),
      ...(block === undefined
        ? {}
        : {
            bucketPublicAccessBlock: {
              BlockPublicAcls: block.blockPublicAcls,
              IgnorePublicAcls: block.ignorePublicAcls,
              BlockPublicPolicy: block.blockPublicPolicy,
              RestrictPublicBuckets: block.restrictPublicBuckets,
            },
          }),
      // stsctl makes the bucket in the function's account; the account-level block only takes away
      // public grants, and the role of the owner's account keeps its access (S3 User Guide,
      // "Blocking public access": RestrictPublicBuckets), so it is not read here.
      bucketOwnerAccountId: accountId,
      objectExists: bucket.objectKeysTruncated || bucket.objectKeys.includes(key),
    });
    return { key, identity, s3 };
  });
}

/** The rule that denies, in words: no Allow, an explicit Deny in a role policy, or the bucket policy. */
function denialText(
  d: ReturnType<typeof decideReads>[number],
  roleName: string,
  policies: RolePoliciesObservation,
): string {
  const listed = [
    ...policies.inline.map((p) => `inline ${p.name}`),
    ...policies.attached.map((p) => `attached ${p.name}`),
  ];
  switch (d.s3.reason) {
    case 'identity-explicit-deny':
      return `${d.key}: an explicit Deny: ${describeIdentityDecision(d.identity)}`;
    case 'policy-explicit-deny':
      return `${d.key}: the bucket policy: ${d.s3.message}`;
    case 'no-grant':
      return `${d.key}: no Allow: no statement of the policies of ${roleName} (${listed.length === 0 ? 'it has none' : listed.join(', ')}) allows s3:GetObject on it, and the bucket policy grants the role nothing`;
    default:
      return `${d.key}: ${d.s3.message}`;
  }
}

async function roleAccess(
  input: FunctionUrlHostingInput,
  fn: FunctionUrlObservation,
  vars: TemplateVars,
): Promise<RoleAccess> {
  const aws = input.aws;
  const bucketName = fn.environment['ISSUER_BUCKET'];
  if (bucketName === undefined) return { kind: 'unknown', why: 'it has no ISSUER_BUCKET variable' };
  if (aws.getRolePolicies === undefined)
    return { kind: 'unknown', why: "this AWS access cannot read the role's policies" };
  const arn = parseArn(fn.roleArn);
  const partition = partitionById(arn?.partition ?? '')?.id;
  if (arn === undefined || partition === undefined || !arn.resource.startsWith('role/'))
    return { kind: 'unknown', why: `its role ${fn.roleArn || '(none)'} is not a role ARN` };
  const roleName = arn.resource.split('/').pop() ?? '';
  let policies: RolePoliciesObservation | undefined;
  let bucket: BucketObservation;
  try {
    [policies, bucket] = await Promise.all([
      input.memo.get(
        `role-policies:${fn.roleArn}`,
        () => aws.getRolePolicies?.(fn.roleArn) ?? Promise.resolve(undefined),
      ),
      input.memo.get<BucketObservation>(`bucket:${bucketName}:${FUNCTION_DOCUMENT_KEYS.join(',')}`, () =>
        aws.getBucket(bucketName, FUNCTION_DOCUMENT_KEYS),
      ),
    ]);
  } catch (e) {
    return { kind: 'unknown', why: `its role's access could not be read: ${reasonOf(e)}` };
  }
  if (policies === undefined) return { kind: 'unknown', why: `its role ${fn.roleArn} does not exist` };
  if (!bucket.exists) return { kind: 'unknown', why: `its bucket ${bucketName} does not exist` };
  const all = [...policies.inline, ...policies.attached];
  const reads = decideReads(all, bucket, bucketName, fn.roleArn, arn.account, partition);
  // A missing document is the documents check's finding (DISCOVERY_/JWKS_HTTP_STATUS).
  const denied = reads.filter((r) => !r.s3.allowed && !isMissing(r.s3));
  if (denied.length === 0) {
    const missing = reads.filter((r) => isMissing(r.s3)).map((r) => r.key);
    // The role may not s3:ListBucket, so S3 answers a missing key 403 and the function's read fails.
    return missing.length === 0
      ? { kind: 'allowed' }
      : {
          kind: 'unknown',
          why: `${missing.join(' and ')} not in ${bucketName}: the function's read of it fails`,
        };
  }
  const fetched = [input.fetched?.discovery, input.fetched?.jwks];
  // IAM's rules as read deny, yet the URL served both documents (a rule not evaluated here, e.g. a
  // Condition): what STS sees is the fetch, so no error is claimed.
  if (fetched.every((o) => o?.ok === true && o.status === 200))
    return {
      kind: 'unknown',
      why: `its role's policies as read deny the read, yet the URL served both documents`,
    };
  const fixInput: FunctionRoleFixInput = {
    partition,
    region: regionOfHost(input.host),
    accountId: arn.account,
    roleName,
    bucket: bucketName,
    functionName: fn.functionName,
  };
  // The fix is offered only when putting stsctl's role policy in place would let both reads
  // through (an explicit Deny elsewhere, or in the bucket policy, is not undone by it).
  const replaced = functionRolePolicy(fixInput);
  const after = [...policies.inline.filter((p) => p.name !== replaced.name), replaced, ...policies.attached];
  const fixes = decideReads(after, bucket, bucketName, fn.roleArn, arn.account, partition).every(
    (r) => r.s3.allowed || isMissing(r.s3),
  );
  const finding = makeFinding(
    'FUNCTION_ROLE_CANNOT_READ_BUCKET',
    `${fn.functionName} reads ${bucketName} as its execution role ${fn.roleArn}, which may not s3:GetObject ${denied
      .map((d) => denialText(d, roleName, policies))
      .join(' | ')}`,
    { ...vars, bucket: bucketName, roleName, roleArn: fn.roleArn, partition, accountId: arn.account },
  );
  return { kind: 'denied', finding: fixes ? withRemedy(finding, functionRoleFix(fixInput)) : finding };
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
  // The fixes name the function and the region its URL is in, and add only the statements the
  // resource policy lacks, as read (GetPolicy).
  const fixInput: FunctionUrlFixInput = {
    functionName: fn.functionName,
    region: regionOfHost(input.host),
    policy: fn.policy,
  };
  if (fn.authType !== 'NONE') {
    const alsoMissing = publicStatementSteps(fixInput).length > 0;
    findings.push(
      withRemedy(
        makeFinding(
          'FUNCTION_URL_AUTH_NOT_NONE',
          `GetFunctionUrlConfig for ${fn.functionName}: AuthType ${fn.authType}; STS's unsigned GET is answered 403 {"Message":"Forbidden"}${
            alsoMissing
              ? `; with auth type NONE its resource policy must also let everyone invoke it through the URL (statements: ${fn.invokeStatements.length === 0 ? 'none' : fn.invokeStatements.join('; ')})`
              : ''
          }`,
          vars,
        ),
        fixInput.region === '' ? undefined : functionUrlAuthFix(fixInput),
      ),
    );
  } else if (!fn.publicInvoke) {
    const have = fn.invokeStatements;
    findings.push(
      withRemedy(
        makeFinding(
          'FUNCTION_URL_NOT_PUBLIC',
          `the resource policy of ${fn.functionName} does not let everyone invoke it through the URL (statements: ${have.length === 0 ? 'none' : have.join('; ')})`,
          vars,
        ),
        fixInput.region === '' ? undefined : functionUrlPublicFix(fixInput),
      ),
    );
  }
  // The role's read is judged only when the URL lets STS in: behind a 403 the function never runs.
  const access = findings.length === 0 ? await roleAccess(input, fn, vars) : undefined;
  if (access?.kind === 'denied') findings.push(access.finding);
  const status = failedWith5xx(input.fetched?.discovery) ?? failedWith5xx(input.fetched?.jwks);
  if (status !== undefined) {
    const bucket = fn.environment['ISSUER_BUCKET'];
    // Never contradicts the role finding: the 5xx is then its consequence, said as such.
    const why =
      access?.kind === 'denied'
        ? `its role ${fn.roleArn} may not read the documents (FUNCTION_ROLE_CANNOT_READ_BUCKET)`
        : access?.kind === 'allowed'
          ? `its role ${fn.roleArn} may read both documents${bucket === undefined ? '' : ` in ${bucket}`}, so the failure is elsewhere: see its log`
          : `its role ${fn.roleArn}${bucket === undefined ? '' : ` must be able to s3:GetObject in ${bucket}`}${access === undefined ? '' : `; not judged: ${access.why}`}`;
    findings.push(
      makeFinding(
        'FUNCTION_URL_FUNCTION_ERROR',
        `the function URL answered ${status}: ${fn.functionName} failed (${why})`,
        { ...vars, ...(bucket === undefined ? {} : { bucket }) },
      ),
    );
  }
  return withFindings(
    ID,
    TITLE,
    'issuer',
    findings,
    `function ${fn.functionName}: auth type ${fn.authType}, public invoke allowed, ${
      access?.kind === 'allowed'
        ? `its role may read both documents, `
        : access?.kind === 'unknown'
          ? `role access not judged (${access.why}), `
          : ''
    }the documents were served`,
  );
}
