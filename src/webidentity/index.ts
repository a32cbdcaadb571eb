/**
 * The web-identity model: STS's `AssumeRoleWithWebIdentity` as pure functions, with AWS's exact
 * errors. The validating STS server and `stsctl doctor` call these; neither writes STS's rules again.
 */
export type * from './types.js';
export { evaluateWebIdentity } from './evaluate.js';
export {
  awsErrors,
  constraintViolations,
  profileErrors,
  MESSAGE_EVIDENCE,
  GENERIC_INVALID_TOKEN,
  type AwsErrorName,
  type ProfileErrors,
} from './aws-errors.js';
export {
  AWS_BEHAVIOURS,
  DEFAULT_AWS_BEHAVIOUR,
  isAwsBehaviour,
  type AwsBehaviour,
  type Evidence,
  type EvidenceKind,
} from './behaviour.js';
export {
  checkSharedIdpTrustPolicy,
  sharedIdpRefusal,
  SHARED_IDENTITY_PROVIDERS,
  type SharedIdentityProvider,
  type SharedIdpGap,
  type SharedIdpVerdict,
} from './shared-idp.js';
export { RULES, type RuleId, type RuleInfo } from './rules.js';
export { StepLog, passed, type Checked, type Failure } from './steps.js';
export {
  validateRequest,
  checkMaxSessionDuration,
  DEFAULT_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  MAX_DURATION_SECONDS,
  MIN_TOKEN_LENGTH,
  MAX_TOKEN_LENGTH,
  ROLE_SESSION_NAME_PATTERN,
  type ValidatedRequest,
} from './request-validation.js';
export {
  decodeToken,
  requireClaims,
  checkExpiry,
  SUPPORTED_ALGORITHMS,
  EXPIRY_LEEWAY_SECONDS,
  type DecodedToken,
  type SupportedAlgorithm,
  type TokenClaims,
} from './token.js';
export { findProvider, checkAudience, providerIssuerUrl, providerHostPath } from './provider.js';
export {
  fetchIssuerKeys,
  stsDiscoveryUrl,
  DEFAULT_FETCH_BUDGET_MS,
  MAX_JWKS_KEYS,
  type IssuerKeys,
} from './issuer-keys.js';
export { judgeTls, pinnableCertificates, type TlsVerdict } from './tls.js';
export { verifySignature, keysForKid } from './signature.js';
export {
  evaluateTrustPolicy,
  explainActionDecision,
  type TrustPolicyContext,
  type TrustPolicyEvaluation,
  type TrustDecision,
  type StatementEvaluation,
  type ConditionEvaluation,
  type ActionDecision,
} from './trust-policy.js';
export {
  parseOperator,
  evaluateCondition,
  stringLike,
  BASE_OPERATORS,
  type BaseOperator,
  type ParsedOperator,
} from '../core/condition-operators.js';
export { webIdentityContext, requiredActions, type WebIdentityContextInput } from './context-keys.js';
export {
  readSessionClaims,
  SESSION_TAGS_CLAIM,
  SOURCE_IDENTITY_CLAIM,
  type SessionClaims,
} from './session-claims.js';
export { authorize } from './authorize.js';
export {
  parseRoleArn,
  decodePolicyDocument,
  iamProviderFromGet,
  iamRoleFromGetRole,
  type ParsedRoleArn,
  type OidcProviderAnswer,
  type RoleAnswer,
} from './iam-view.js';
