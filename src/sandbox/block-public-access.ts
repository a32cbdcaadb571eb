import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';

/**
 * The Block Public Access settings S3 applies to a request: each setting is on when it is on for
 * the bucket or for the account that owns it (S3 User Guide, "Blocking public access").
 */
export function effectiveBlock(
  bucket: PublicAccessBlockConfiguration | undefined,
  account: PublicAccessBlockConfiguration | undefined,
): PublicAccessBlockConfiguration | undefined {
  if (bucket === undefined && account === undefined) return undefined;
  const on = (k: keyof PublicAccessBlockConfiguration): boolean =>
    bucket?.[k] === true || account?.[k] === true;
  return {
    BlockPublicAcls: on('BlockPublicAcls'),
    IgnorePublicAcls: on('IgnorePublicAcls'),
    BlockPublicPolicy: on('BlockPublicPolicy'),
    RestrictPublicBuckets: on('RestrictPublicBuckets'),
  };
}
