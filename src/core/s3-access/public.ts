/**
 * What S3 calls "public", for policies and ACLs: the definition Block Public Access applies
 * (`IgnorePublicAcls` ignores public ACLs, `RestrictPublicBuckets` restricts public policies).
 *
 * Source: Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage", section
 * "The meaning of 'public'" (docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html;
 * read 2026-11-29 in awsdocs/amazon-s3-userguide `doc_source/access-control-block-public-access.md`,
 * the archived source of that page):
 * - ACLs: "Amazon S3 considers a bucket or object ACL public if it grants any permissions to
 *   members of the predefined AllUsers or AuthenticatedUsers groups."
 * - Bucket policies: "Amazon S3 begins by assuming that the policy is public. … To be considered
 *   non-public, a bucket policy must grant access only to fixed values (values that don't contain a
 *   wildcard or an AWS Identity and Access Management Policy Variable) for one or more of the
 *   following: An AWS principal, user, role, or service principal (e.g. aws:PrincipalOrgID); A set
 *   of CIDRs, using aws:SourceIp [values broader than /8 for IPv4 and /32 for IPv6 are public];
 *   aws:SourceArn; aws:SourceVpc; aws:SourceVpce; aws:SourceOwner; aws:SourceAccount;
 *   s3:x-amz-server-side-encryption-aws-kms-key-id; aws:userid, outside the pattern AROLEID:*;
 *   s3:DataAccessPointArn [may wildcard the access point name when the account id is fixed];
 *   s3:DataAccessPointAccount."
 * - Its examples: `{"Principal": {"Federated": "graph.facebook.com"}, …}` is public; `"Principal":
 *   "*"` with `StringLike aws:SourceVpc vpc-*` is public; with `StringEquals aws:SourceVpc
 *   vpc-91237329` it is not.
 * Only Allow statements grant, so only they can make a policy public.
 */
import { cidrPrefix } from './conditions.js';
import {
  parseBucketPolicy,
  type BucketPolicy,
  type BucketPolicyCondition,
  type BucketPolicyStatement,
} from './policy.js';
import type { S3AclGrant } from './types.js';

/** The ACL group grantees S3 calls public. */
export const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS_URI = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** Whether an ACL grant is public: to AllUsers or AuthenticatedUsers, with any permission. */
export function isAclGrantPublic(grant: S3AclGrant): boolean {
  const uri = grant.Grantee?.URI;
  return uri === ALL_USERS_URI || uri === AUTHENTICATED_USERS_URI;
}

/** Keys whose fixed value makes an Allow non-public (lower case), per the definition above. */
const RESTRICTING_KEYS = new Set([
  'aws:principalorgid',
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  'aws:userid',
  's3:dataaccesspointarn',
  's3:dataaccesspointaccount',
]);

/** Operators that pin a key to the listed values (positive, not `…IfExists`, no `ForAllValues`). */
const PINNING_OPERATORS =
  /^(?:ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/;

/** A value with no wildcard and no policy variable. */
function isFixed(value: string): boolean {
  return !/[*?]/.test(value) && !value.includes('${');
}

function conditionRestricts(condition: BucketPolicyCondition): boolean {
  const key = condition.key.toLowerCase();
  const op = PINNING_OPERATORS.exec(condition.operator)?.[1];
  if (op === undefined || !RESTRICTING_KEYS.has(key) || condition.values.length === 0) return false;
  if (key === 'aws:sourceip') {
    if (op !== 'IpAddress') return false;
    return condition.values.every((v) => {
      const cidr = cidrPrefix(v);
      return cidr !== undefined && cidr.length >= (cidr.v6 ? 32 : 8);
    });
  }
  if (op === 'IpAddress') return false;
  if (key === 's3:dataaccesspointarn') {
    // A wildcard in the access point name keeps it non-public when the account id is fixed.
    return condition.values.every((v) => /^arn:[^:*?$]+:s3:[^:*?$]*:\d{12}:accesspoint\/.*$/.test(v));
  }
  return condition.values.every(isFixed);
}

function principalIsFixed(statement: BucketPolicyStatement): boolean {
  const p = statement.principal;
  if (p === undefined || p === '*') return false; // NotPrincipal grants to (almost) everyone
  if (p.Federated.length > 0) return false; // the documented public example
  const all = [...p.AWS, ...p.Service, ...p.CanonicalUser];
  return all.length > 0 && all.every(isFixed);
}

/** Whether one statement makes its policy public (see the module comment). */
export function isStatementPublic(statement: BucketPolicyStatement): boolean {
  if (statement.effect !== 'Allow') return false;
  if (principalIsFixed(statement)) return false;
  return !statement.conditions.some(conditionRestricts);
}

/**
 * Whether S3 considers the bucket policy public (S3 User Guide, "The meaning of 'public'", read
 * 2026-11-29): public unless every Allow statement names fixed principals or pins a listed key to
 * fixed values. An absent policy is not public.
 * @param policy the policy text (parsed here; invalid text throws `S3_POLICY_INVALID`) or a parsed policy
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 */
export function isPolicyPublic(policy: string | BucketPolicy | undefined): boolean {
  if (policy === undefined) return false;
  const parsed = typeof policy === 'string' ? parseBucketPolicy(policy) : policy;
  return parsed.statements.some(isStatementPublic);
}
