import {
  CreateDistributionWithTagsCommand,
  CreateOriginAccessControlCommand,
  GetDistributionConfigCommand,
  TagResourceCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { StsctlError } from '../../core/errors.js';
import { distributionConfig } from '../cloudfront-config.js';
import { waitForDistribution } from '../cloudfront-wait.js';
import { awsCall, awsFailure, isAwsError } from '../errors.js';
import type { Observed, ObservedDistribution, ObservedOriginAccessControl } from '../model.js';
import { observeDistribution, observeOriginAccessControl } from '../observe.js';
import {
  DISTRIBUTION_ATTRIBUTES,
  findChange,
  isPending,
  ownershipComment,
  touches,
  type Plan,
} from '../plan.js';
import { awsTags, type AppliedLog, type ApplyOptions } from './types.js';

/** Applies CloudFront hosting: the origin access control, then the distribution (created or updated). */

async function ensureOriginAccessControl(
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  applied: AppliedLog,
): Promise<ObservedOriginAccessControl> {
  const { clients, desired, reporter } = o;
  if (obs.originAccessControl !== undefined) return obs.originAccessControl;
  let oac: ObservedOriginAccessControl | undefined;
  try {
    const created = await clients.cloudfront.send(
      new CreateOriginAccessControlCommand({
        OriginAccessControlConfig: {
          Name: desired.bucket,
          Description: ownershipComment(desired.name),
          SigningProtocol: 'sigv4',
          SigningBehavior: 'always',
          OriginAccessControlOriginType: 's3',
        },
      }),
    );
    const id = created.OriginAccessControl?.Id ?? '';
    oac = { id, name: desired.bucket, description: ownershipComment(desired.name) };
    reporter.emit('origin-access-control.created', { id });
  } catch (e) {
    // A run killed between create and observe: the OAC exists under our name.
    if (!isAwsError(e, 'OriginAccessControlAlreadyExists'))
      throw awsFailure('creating the origin access control', e);
    oac = await observeOriginAccessControl(clients, desired.bucket);
    if (oac === undefined) throw awsFailure('finding the origin access control', e);
  }
  const oacChange = findChange(p, 'origin-access-control');
  if (oacChange !== undefined) applied.push(oacChange);
  return oac;
}

/** The CloudFront side of hosting; returns what is now there. */
export async function applyCloudFront(
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  applied: AppliedLog,
): Promise<Pick<Observed, 'originAccessControl' | 'distribution'>> {
  const { clients, desired, reporter } = o;
  if (desired.hosting.kind !== 'cloudfront')
    return { originAccessControl: undefined, distribution: undefined };
  const hosting = desired.hosting;
  const wait = { deployTimeoutMs: o.deployTimeoutMs, maxPollMs: o.maxPollMs, signal: o.signal };
  const oac = await ensureOriginAccessControl(o, obs, p, applied);
  const configFor = (callerReference: string | undefined): ReturnType<typeof distributionConfig> =>
    distributionConfig({
      name: desired.name,
      bucket: desired.bucket,
      region: desired.region,
      originAccessControlId: oac.id,
      hosting,
      ...(callerReference === undefined ? {} : { callerReference }),
    });

  const dist: ObservedDistribution | undefined = obs.distribution;
  const distChange = findChange(p, 'distribution');
  if (dist === undefined) {
    const created = await awsCall('creating the CloudFront distribution', () =>
      clients.cloudfront.send(
        new CreateDistributionWithTagsCommand({
          DistributionConfigWithTags: {
            DistributionConfig: configFor(undefined),
            Tags: { Items: awsTags(desired.tags) },
          },
        }),
      ),
    );
    const id = created.Distribution?.Id ?? '';
    reporter.emit('distribution.created', { id });
    if (distChange !== undefined) applied.push(distChange);
    await waitForDistribution(clients, id, reporter, wait);
  } else if (isPending(distChange)) {
    const configChanged = DISTRIBUTION_ATTRIBUTES.some((a) => touches(distChange, a));
    if (configChanged) {
      const current = await awsCall(`reading the config of distribution ${dist.id}`, () =>
        clients.cloudfront.send(new GetDistributionConfigCommand({ Id: dist.id })),
      );
      const config = configFor(current.DistributionConfig?.CallerReference);
      // Keep what we do not manage (logging, price class, other behaviours) from the current config.
      const merged = {
        ...current.DistributionConfig,
        ...config,
        Comment: current.DistributionConfig?.Comment ?? config.Comment,
      };
      await awsCall(`updating distribution ${dist.id}`, () =>
        clients.cloudfront.send(
          new UpdateDistributionCommand({ Id: dist.id, IfMatch: current.ETag, DistributionConfig: merged }),
        ),
      );
      reporter.emit('distribution.updated', {
        id: dist.id,
        fields: [...new Set(distChange.fields.map((f) => f.field))],
      });
      await waitForDistribution(clients, dist.id, reporter, wait);
    }
    if (touches(distChange, 'tags')) {
      await awsCall(`tagging distribution ${dist.id}`, () =>
        clients.cloudfront.send(
          new TagResourceCommand({ Resource: dist.arn, Tags: { Items: awsTags(desired.tags) } }),
        ),
      );
    }
    applied.push(distChange);
  } else if (dist.status !== 'Deployed') {
    await waitForDistribution(clients, dist.id, reporter, wait);
  } else {
    reporter.emit('distribution.found', { id: dist.id, bucket: desired.bucket });
  }
  const now = await observeDistribution(clients, desired.name, desired.bucket, desired.region);
  if (now === undefined)
    throw new StsctlError(
      'DISTRIBUTION_MISSING',
      'the CloudFront distribution just created cannot be found',
      {
        kind: 'failure',
      },
    );
  return { originAccessControl: oac, distribution: now };
}
