/**
 * One evaluator of S3 access — bucket policy, ACLs, Object Ownership and Block Public Access —
 * for both the sandbox edge that enforces S3's rules and the doctor that explains them, so the
 * rule family is written once (docs/sandbox.md, "S3 access rules").
 *
 * - {@link evaluateS3Access}: (requester, action, bucket state) → `{ allowed, status, reason, decidedBy }`.
 * - {@link isPolicyPublic}: S3's definition of a public bucket policy.
 * - {@link parseBucketPolicy}: policy text → typed statements, or `S3_POLICY_INVALID` naming the field.
 */
export { evaluateS3Access, describeDecidedBy, describeRequester } from './s3-access/evaluate.js';
export {
  isPolicyPublic,
  isStatementPublic,
  isAclGrantPublic,
  ALL_USERS_URI,
  AUTHENTICATED_USERS_URI,
} from './s3-access/public.js';
export {
  parseBucketPolicy,
  oaiArn,
  type BucketPolicy,
  type BucketPolicyStatement,
  type BucketPolicyPrincipal,
  type BucketPolicyCondition,
} from './s3-access/policy.js';
export type * from './s3-access/types.js';
