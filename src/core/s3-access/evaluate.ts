/**
 * How S3 authorizes one request, as a pure function whose answer names the rule that decided.
 *
 * The rules, each from AWS's documentation:
 * - Explicit Deny wins, then any Allow, else the default deny (IAM `reference_policies_evaluation-logic.md`:
 *   "An explicit deny in any policy overrides any allows"). A bucket policy (resource-based) can
 *   grant on its own to principals of the bucket owner's account and to anonymous users; a
 *   principal of another account also needs its own identity policy to allow (S3 User Guide,
 *   "How Amazon S3 authorizes a request", user context then bucket context).
 * - ACLs grant besides the policy: an object's ACL for object reads, the bucket's ACL for listing
 *   and writes. ACL permissions map to actions as S3 User Guide `acl-overview.md` ("Mapping of ACL
 *   permissions and access policy permissions") says: object READ → `s3:GetObject`,
 *   `s3:GetObjectVersion`; READ_ACP → `s3:GetObjectAcl`; WRITE_ACP → `s3:PutObjectAcl`; bucket READ
 *   → `s3:ListBucket`, `s3:ListBucketVersions`, `s3:ListBucketMultipartUploads`; bucket WRITE →
 *   `s3:PutObject`, `s3:DeleteObject`; FULL_CONTROL → all of them.
 * - Object Ownership `BucketOwnerEnforced`: "ACLs are disabled and no longer affect permissions"
 *   (S3 API reference, PutBucketAcl / PutObject).
 * - Block Public Access (S3 User Guide, access-control-block-public-access.md, read 2026-11-29):
 *   "Amazon S3 applies the most restrictive combination of the access point, bucket, and account
 *   settings", so each setting is on when the bucket or the account has it on.
 *   `IgnorePublicAcls`: "causes Amazon S3 to ignore all public ACLs on a bucket and any objects
 *   that it contains". `RestrictPublicBuckets`: "restricts access to … [a] bucket with a public
 *   policy to only AWS service principals and authorized users within the bucket owner's account",
 *   "including non-public delegation to specific accounts". `BlockPublicAcls` and
 *   `BlockPublicPolicy` reject writes of public ACLs and policies; they change no read.
 * - A missing object: "If you have the s3:ListBucket permission on the bucket, Amazon S3 returns
 *   an HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission,
 *   Amazon S3 returns an HTTP status code 403 Access Denied error" (S3 API reference, GetObject;
 *   aws-sts-oidc.md §7).
 */
import { evaluateS3Condition, requestContext, type RequestContext } from './conditions.js';
import {
  parseBucketPolicy,
  statementCoversAction,
  statementCoversPrincipal,
  statementCoversResource,
  type BucketPolicy,
  type BucketPolicyStatement,
} from './policy.js';
import { ALL_USERS_URI, AUTHENTICATED_USERS_URI, isAclGrantPublic, isPolicyPublic } from './public.js';
import type {
  S3AccessDecision,
  S3AccessInput,
  S3AccessReason,
  S3AclGrant,
  S3BlockLevel,
  S3BlockSetting,
  S3DecidedBy,
  S3Requester,
  S3SuppressedGrant,
} from './types.js';

/** ACL permission each action needs, and whose ACL (object or bucket) grants it. */
const ACL_PERMISSIONS: Readonly<
  Record<string, { readonly acl: 'object' | 'bucket'; readonly permission: string }>
> = {
  's3:getobject': { acl: 'object', permission: 'READ' },
  's3:getobjectversion': { acl: 'object', permission: 'READ' },
  's3:getobjectacl': { acl: 'object', permission: 'READ_ACP' },
  's3:getobjectversionacl': { acl: 'object', permission: 'READ_ACP' },
  's3:putobjectacl': { acl: 'object', permission: 'WRITE_ACP' },
  's3:listbucket': { acl: 'bucket', permission: 'READ' },
  's3:listbucketversions': { acl: 'bucket', permission: 'READ' },
  's3:listbucketmultipartuploads': { acl: 'bucket', permission: 'READ' },
  's3:putobject': { acl: 'bucket', permission: 'WRITE' },
  's3:deleteobject': { acl: 'bucket', permission: 'WRITE' },
  's3:getbucketacl': { acl: 'bucket', permission: 'READ_ACP' },
  's3:putbucketacl': { acl: 'bucket', permission: 'WRITE_ACP' },
};

/** Where each Block Public Access setting is on (bucket, account, both), or undefined when off. */
function blockLevel(input: S3AccessInput, setting: S3BlockSetting): S3BlockLevel | undefined {
  const bucket = input.bucketPublicAccessBlock?.[setting] === true;
  const account = input.accountPublicAccessBlock?.[setting] === true;
  if (bucket && account) return 'bucket+account';
  if (bucket) return 'bucket';
  return account ? 'account' : undefined;
}

/** What the bucket policy says about one (action, resource) for the requester. */
interface PolicyVerdict {
  readonly deny: BucketPolicyStatement | undefined;
  readonly allows: readonly BucketPolicyStatement[];
  readonly unevaluated: readonly { readonly statement: number; readonly operator: string }[];
}

function judgePolicy(
  policy: BucketPolicy | undefined,
  requester: S3Requester,
  action: string,
  resourceArn: string,
  ctx: RequestContext,
): PolicyVerdict {
  let deny: BucketPolicyStatement | undefined;
  const allows: BucketPolicyStatement[] = [];
  const unevaluated: { statement: number; operator: string }[] = [];
  for (const statement of policy?.statements ?? []) {
    if (!statementCoversPrincipal(statement, requester)) continue;
    if (!statementCoversAction(statement, action) || !statementCoversResource(statement, resourceArn))
      continue;
    let holds = true;
    const unknown: string[] = [];
    for (const condition of statement.conditions) {
      const result = evaluateS3Condition(condition, ctx);
      if (result === undefined) unknown.push(condition.operator);
      else if (!result) holds = false;
    }
    if (!holds) continue;
    for (const operator of unknown) unevaluated.push({ statement: statement.index, operator });
    // An operator we cannot evaluate: a Deny is taken to apply, an Allow not (both err towards 403).
    if (statement.effect === 'Deny') deny ??= statement;
    else if (unknown.length === 0) allows.push(statement);
  }
  return { deny, allows, unevaluated };
}

function granteeMatches(grant: S3AclGrant, requester: S3Requester): boolean {
  const uri = grant.Grantee?.URI;
  if (uri === ALL_USERS_URI) return true;
  if (uri === AUTHENTICATED_USERS_URI) return requester.kind !== 'anonymous';
  const id = grant.Grantee?.ID;
  if (id === undefined) return false;
  return (requester.kind === 'oai' || requester.kind === 'iam') && requester.canonicalUserId === id;
}

function granteeName(grant: S3AclGrant): string {
  const uri = grant.Grantee?.URI;
  if (uri !== undefined) return uri.replace(/^http:\/\/acs\.amazonaws\.com\/groups\/(global|s3)\//, '');
  return `CanonicalUser ${grant.Grantee?.ID ?? '?'}`;
}

function statementRef(statement: BucketPolicyStatement): S3DecidedBy {
  return {
    rule: 'bucket-policy',
    statement: statement.index,
    ...(statement.sid === undefined ? {} : { sid: statement.sid }),
    effect: statement.effect,
  };
}

/** The requester in words, for messages. */
export function describeRequester(requester: S3Requester): string {
  switch (requester.kind) {
    case 'anonymous':
      return 'the anonymous reader';
    case 'service':
      return requester.sourceArn === undefined
        ? `the service principal ${requester.service}`
        : `${requester.service} for ${requester.sourceArn}`;
    case 'oai':
      return `the origin access identity ${requester.id}`;
    case 'iam':
      return requester.arn;
  }
}

/** A decided-by reference in words, for messages. */
export function describeDecidedBy(by: S3DecidedBy): string {
  switch (by.rule) {
    case 'bucket-policy':
      return `bucket policy statement ${by.statement}${by.sid === undefined ? '' : ` (Sid "${by.sid}")`}`;
    case 'identity-policy':
      return "the requester's identity policy";
    case 'object-acl':
    case 'bucket-acl':
      return `${by.rule === 'object-acl' ? 'object' : 'bucket'} ACL grant ${by.grant} (${by.grantee} ${by.permission})`;
    case 'block-public-access':
      return `${by.setting} (${by.level === 'bucket+account' ? 'bucket and account' : by.level} level)`;
    case 'object-ownership':
      return 'Object Ownership BucketOwnerEnforced';
    case 'default-deny':
      return "S3's default deny";
  }
}

interface Judged {
  readonly allowed: boolean;
  readonly reason: S3AccessReason;
  readonly decidedBy: S3DecidedBy;
  readonly suppressed: readonly S3SuppressedGrant[];
  readonly unevaluated: PolicyVerdict['unevaluated'];
}

/** Authorizes (action, resource) as if the resource exists. */
function authorize(
  input: S3AccessInput,
  policy: BucketPolicy | undefined,
  action: string,
  resourceArn: string,
  ctx: RequestContext,
): Judged {
  const { requester } = input;
  const verdict = judgePolicy(policy, requester, action, resourceArn, ctx);
  const base = { unevaluated: verdict.unevaluated };
  if (verdict.deny !== undefined) {
    return {
      ...base,
      allowed: false,
      reason: 'policy-explicit-deny',
      decidedBy: statementRef(verdict.deny),
      suppressed: [],
    };
  }
  const identity = requester.kind === 'iam' ? (requester.identityPolicy ?? 'none') : 'none';
  if (identity === 'deny') {
    return {
      ...base,
      allowed: false,
      reason: 'identity-explicit-deny',
      decidedBy: { rule: 'identity-policy', effect: 'Deny' },
      suppressed: [],
    };
  }
  const suppressed: S3SuppressedGrant[] = [];

  // Policy grants, unless RestrictPublicBuckets cuts a public policy down to service principals
  // and the bucket owner's account.
  let policyGrant: S3DecidedBy | undefined;
  const firstAllow = verdict.allows[0];
  if (firstAllow !== undefined) {
    const restrict = blockLevel(input, 'RestrictPublicBuckets');
    const insider =
      requester.kind === 'service' ||
      (requester.kind === 'iam' &&
        input.bucketOwnerAccountId !== undefined &&
        requester.accountId === input.bucketOwnerAccountId);
    if (restrict !== undefined && !insider && policy !== undefined && isPolicyPublic(policy)) {
      for (const s of verdict.allows) {
        suppressed.push({
          grant: statementRef(s),
          by: { rule: 'block-public-access', setting: 'RestrictPublicBuckets', level: restrict },
        });
      }
    } else {
      policyGrant = statementRef(firstAllow);
    }
  }

  // ACL grants, unless ACLs are disabled or public ones are ignored.
  let aclGrant: S3DecidedBy | undefined;
  const needs = ACL_PERMISSIONS[action.toLowerCase()];
  if (needs !== undefined) {
    const grants = (needs.acl === 'object' ? input.objectAcl : input.bucketAcl) ?? [];
    const ignorePublic = blockLevel(input, 'IgnorePublicAcls');
    grants.forEach((grant, index) => {
      if (aclGrant !== undefined) return;
      const permission = grant.Permission ?? '';
      if (permission !== needs.permission && permission !== 'FULL_CONTROL') return;
      if (!granteeMatches(grant, requester)) return;
      const ref: S3DecidedBy = {
        rule: needs.acl === 'object' ? 'object-acl' : 'bucket-acl',
        grant: index,
        grantee: granteeName(grant),
        permission,
      };
      if (input.objectOwnership === 'BucketOwnerEnforced') {
        suppressed.push({ grant: ref, by: { rule: 'object-ownership', setting: 'BucketOwnerEnforced' } });
      } else if (ignorePublic !== undefined && isAclGrantPublic(grant)) {
        suppressed.push({
          grant: ref,
          by: { rule: 'block-public-access', setting: 'IgnorePublicAcls', level: ignorePublic },
        });
      } else {
        aclGrant = ref;
      }
    });
  }

  const resourceGrant = policyGrant ?? aclGrant;
  const reasonOf = (by: S3DecidedBy): S3AccessReason =>
    by.rule === 'bucket-policy'
      ? 'policy-allow'
      : by.rule === 'object-acl'
        ? 'object-acl-allow'
        : 'bucket-acl-allow';

  if (requester.kind === 'iam') {
    const sameAccount =
      input.bucketOwnerAccountId !== undefined && requester.accountId === input.bucketOwnerAccountId;
    if (sameAccount) {
      if (identity === 'allow') {
        return {
          ...base,
          allowed: true,
          reason: 'identity-allow',
          decidedBy: { rule: 'identity-policy', effect: 'Allow' },
          suppressed,
        };
      }
      if (resourceGrant !== undefined) {
        return {
          ...base,
          allowed: true,
          reason: reasonOf(resourceGrant),
          decidedBy: resourceGrant,
          suppressed,
        };
      }
    } else if (resourceGrant !== undefined) {
      // Another account's principal needs its own account's permission too.
      return identity === 'allow'
        ? { ...base, allowed: true, reason: reasonOf(resourceGrant), decidedBy: resourceGrant, suppressed }
        : {
            ...base,
            allowed: false,
            reason: 'identity-not-allowed',
            decidedBy: { rule: 'default-deny' },
            suppressed,
          };
    }
  } else if (resourceGrant !== undefined) {
    return { ...base, allowed: true, reason: reasonOf(resourceGrant), decidedBy: resourceGrant, suppressed };
  }

  // Denied: name the rule that took away a grant, if one did; else S3's default deny.
  const restricted = suppressed.find((s) => s.grant.rule === 'bucket-policy');
  const disabled = suppressed.find((s) => s.by.rule === 'object-ownership');
  const ignored = suppressed.find(
    (s) => s.by.rule === 'block-public-access' && s.grant.rule !== 'bucket-policy',
  );
  if (restricted !== undefined) {
    return {
      ...base,
      allowed: false,
      reason: 'public-policy-restricted',
      decidedBy: restricted.by,
      suppressed,
    };
  }
  if (disabled !== undefined) {
    return { ...base, allowed: false, reason: 'acls-disabled', decidedBy: disabled.by, suppressed };
  }
  if (ignored !== undefined) {
    return { ...base, allowed: false, reason: 'public-acl-ignored', decidedBy: ignored.by, suppressed };
  }
  return { ...base, allowed: false, reason: 'no-grant', decidedBy: { rule: 'default-deny' }, suppressed };
}

function messageOf(judged: Judged, input: S3AccessInput, resourceArn: string, listing = ''): string {
  const who = describeRequester(input.requester);
  const what = `${input.action} on ${resourceArn}`;
  const first = judged.suppressed[0];
  const lost = first === undefined ? '' : describeDecidedBy(first.grant);
  switch (judged.reason) {
    case 'policy-explicit-deny':
      return `${describeDecidedBy(judged.decidedBy)} explicitly denies ${what} to ${who}`;
    case 'identity-explicit-deny':
      return `the identity policy of ${who} explicitly denies ${what}`;
    case 'policy-allow':
    case 'object-acl-allow':
    case 'bucket-acl-allow':
      return `${describeDecidedBy(judged.decidedBy)} allows ${what} to ${who}`;
    case 'identity-allow':
      return `the identity policy of ${who} allows ${what} in the bucket owner's account`;
    case 'public-acl-ignored':
      return `${lost} would allow ${what} to ${who}, but ${describeDecidedBy(judged.decidedBy)} makes S3 ignore public ACLs`;
    case 'acls-disabled':
      return `${lost} would allow ${what} to ${who}, but Object Ownership is BucketOwnerEnforced: ACLs are disabled`;
    case 'public-policy-restricted':
      return `${lost} would allow ${what} to ${who}, but the policy is public and ${describeDecidedBy(judged.decidedBy)} limits it to AWS service principals and the bucket owner's account`;
    case 'identity-not-allowed':
      return `the bucket grants ${what} to ${who}, but a principal of another account also needs its own identity policy to allow it`;
    case 'no-grant':
      return `no bucket policy statement or ACL grant allows ${what} to ${who} (S3 denies by default)`;
    case 'no-such-key':
      return `the object does not exist and ${who} may list the bucket (${listing}): 404 NoSuchKey`;
    case 'no-such-key-unlistable':
      return `the object does not exist and ${who} may not list the bucket (${listing}), so S3 answers 403 AccessDenied, not 404`;
  }
}

/**
 * Decides one S3 request as S3 would, and says which rule decided: explicit Deny in the bucket
 * policy, an Allow statement, an ACL grant, a grant taken away by Block Public Access or Object
 * Ownership, S3's default deny, or a missing key shown as 404 or hidden behind 403.
 * Pure: everything about the bucket is in `input`. Defaults: partition `aws`, object exists,
 * request over TLS.
 * @throws StsctlError `S3_POLICY_INVALID` when `input.policy` is text that is not a policy document
 * @see docs/sandbox.md "S3 access rules"
 */
export function evaluateS3Access(input: S3AccessInput): S3AccessDecision {
  const policy =
    typeof input.policy === 'string'
      ? parseBucketPolicy(input.policy, `bucket policy of ${input.bucket}`)
      : input.policy;
  const partition = input.partition ?? 'aws';
  const bucketArn = `arn:${partition}:s3:::${input.bucket}`;
  const resourceArn = input.key === undefined ? bucketArn : `${bucketArn}/${input.key}`;
  const ctx = requestContext(input);
  const judged = authorize(input, policy, input.action, resourceArn, ctx);
  const objectMissing = input.key !== undefined && input.objectExists === false;
  const explicit = judged.reason === 'policy-explicit-deny' || judged.reason === 'identity-explicit-deny';
  if (objectMissing && !explicit) {
    const listing = authorize(input, policy, 's3:ListBucket', bucketArn, ctx);
    const listingText = listing.allowed
      ? describeDecidedBy(listing.decidedBy)
      : messageOf(listing, { ...input, action: 's3:ListBucket' }, bucketArn);
    const missing: Judged = listing.allowed
      ? { ...listing, allowed: false, reason: 'no-such-key' }
      : { ...listing, allowed: false, reason: 'no-such-key-unlistable' };
    return {
      allowed: false,
      status: listing.allowed ? 404 : 403,
      reason: missing.reason,
      decidedBy: listing.decidedBy,
      suppressed: listing.suppressed,
      unevaluated: [...judged.unevaluated, ...listing.unevaluated],
      message: messageOf(missing, input, resourceArn, listingText),
    };
  }
  return {
    allowed: judged.allowed,
    status: judged.allowed ? 200 : 403,
    reason: judged.reason,
    decidedBy: judged.decidedBy,
    suppressed: judged.suppressed,
    unevaluated: judged.unevaluated,
    message: messageOf(judged, input, resourceArn),
  };
}
