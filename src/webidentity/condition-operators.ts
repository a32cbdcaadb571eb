/**
 * The IAM condition operators live in core (`src/core/condition-operators.ts`), shared with the
 * S3 access evaluator; re-exported here so the model's public surface and existing importers stay.
 */
export {
  BASE_OPERATORS,
  evaluateCondition,
  parseOperator,
  stringLike,
  type BaseOperator,
  type ParsedOperator,
} from '../core/condition-operators.js';
