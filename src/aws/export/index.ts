/** Manual mode: the reviewed plan as an aws CLI script or a CloudFormation template, and `create-all --plan`. */
export { renderAwsCliScript } from './aws-cli.js';
export { renderCloudFormation } from './cloudformation.js';
export type { ExportFormat, ExportOptions } from './common.js';
export { canonicalJson, observedDigest, planHash, withObservedDigests } from './digest.js';
export { checkReviewedPlan, parseReviewedPlan, type ReviewedPlan } from './reviewed-plan.js';
export { exportSubject, PLACEHOLDER, type ExportSubject } from './subject.js';
export { uploadCommands } from './cloudformation.js';
