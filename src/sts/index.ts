export {
  startStsServer,
  type RunningStsServer,
  type StsLogger,
  type StsServerOptions,
  type StsServerStats,
  type WebIdentityEvaluator,
} from './server.js';
export type { IamReadOptions } from './iam-reader.js';
export { IamReadError } from './iam-reader.js';
export { parseRoleArn, decodePolicyDocument } from '../webidentity/iam-view.js';
export { formatAwsTimestamp, mintSessionCredentials, type IssuedCredentials } from './credentials.js';
export { DEFAULT_STS_LIMITS, type StsLimits } from './limits.js';
