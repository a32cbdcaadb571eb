import {
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { awsCall } from '../errors.js';
import type { Observed } from '../model.js';
import { ensureBucketExists } from '../operations.js';
import { desiredBucketPolicy, desiredPublicAccessBlock } from '../plan/bucket.js';
import { findChange, isPending, type Plan } from '../plan.js';
import { awsTags, type AppliedLog, type ApplyOptions } from './types.js';

/** Applies the bucket family: the bucket, its tags, its public-access block, its policy. */

/** The bucket (created when planned so) with its tags and public-access block, set together. */
export async function applyBucket(o: ApplyOptions, p: Plan, applied: AppliedLog): Promise<void> {
  const { clients, desired, reporter } = o;
  // A self-hosted issuer has no bucket (the plan has no bucket change for it).
  const hosting = desired.hosting.kind;
  if (hosting === 'self') return;
  const bucketChange = findChange(p, 'bucket');
  const pabChange = findChange(p, 'public-access-block');
  if (bucketChange?.action === 'create') {
    await ensureBucketExists(clients, desired.bucket, desired.region);
    reporter.emit('bucket.created', { bucket: desired.bucket });
  }
  // Tags and the public-access block do not depend on each other: set them together.
  await Promise.all([
    isPending(bucketChange)
      ? awsCall(`tagging bucket ${desired.bucket}`, () =>
          clients.s3.send(
            new PutBucketTaggingCommand({
              Bucket: desired.bucket,
              Tagging: { TagSet: awsTags(desired.tags) },
            }),
          ),
        ).then(() => {
          applied.push(bucketChange);
        })
      : Promise.resolve(),
    // A new bucket gets the block too: S3's default for new buckets blocks all public access.
    isPending(pabChange) || isPending(bucketChange)
      ? awsCall(`setting the public-access block of ${desired.bucket}`, () =>
          clients.s3.send(
            new PutPublicAccessBlockCommand({
              Bucket: desired.bucket,
              PublicAccessBlockConfiguration: desiredPublicAccessBlock(hosting),
            }),
          ),
        ).then(() => {
          if (isPending(pabChange)) applied.push(pabChange);
          reporter.emit('public-access-block.set', { bucket: desired.bucket, hosting });
        })
      : Promise.resolve(),
  ]);
}

/** The bucket policy the hosting needs (public reads of the two documents, or the distribution only). */
export async function applyBucketPolicy(
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  applied: AppliedLog,
): Promise<void> {
  const { clients, desired, reporter } = o;
  const policyChange = findChange(p, 'bucket-policy');
  if (!isPending(policyChange) || desired.hosting.kind === 'self') return;
  const policy = desiredBucketPolicy(desired, obs.distribution?.arn ?? '');
  await awsCall(`putting the bucket policy of ${desired.bucket}`, () =>
    clients.s3.send(new PutBucketPolicyCommand({ Bucket: desired.bucket, Policy: JSON.stringify(policy) })),
  );
  reporter.emit('bucket-policy.set', {
    bucket: desired.bucket,
    hosting: desired.hosting.kind,
    distributionId: obs.distribution?.id,
  });
  applied.push(policyChange);
}
