import { DISCOVERY_OBJECT_KEY, JWKS_OBJECT_KEY } from './issuer.js';
import { bucketArn, type PartitionId } from './partitions.js';

/**
 * The issuer function's execution role policy (`--hosting lambda`), written once below both the
 * provisioning side (src/aws: plan, apply, exports) and the doctor, whose fix puts it back when
 * the role cannot read the bucket. Pure.
 */

/**
 * The execution role's inline policy, least privilege: `s3:GetObject` on exactly the two issuer
 * objects, and the basic logging policy (AWSLambdaBasicExecutionRole's three actions) narrowed
 * to the function's own log group `/aws/lambda/<function>`.
 */
export function issuerFunctionPolicy(
  partition: PartitionId,
  region: string,
  accountId: string,
  bucket: string,
  functionName: string,
): object {
  const logs = `arn:${partition}:logs:${region}:${accountId}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadIssuerDocuments',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          `${bucketArn(partition, bucket)}/${DISCOVERY_OBJECT_KEY}`,
          `${bucketArn(partition, bucket)}/${JWKS_OBJECT_KEY}`,
        ],
      },
      { Sid: 'CreateLogGroup', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: `${logs}:*` },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${logs}:log-group:/aws/lambda/${functionName}:*`,
      },
    ],
  };
}
