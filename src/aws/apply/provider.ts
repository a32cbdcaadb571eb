import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  TagOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { issuerHostPath } from '../../core/issuer.js';
import { awsCall, awsFailure, isAwsError } from '../errors.js';
import type { Observed, ObservedProvider } from '../model.js';
import { CLIENT_IDS } from '../operations.js';
import { findChange, isPending, touches, type Plan } from '../plan.js';
import { awsTags, type AppliedLog, type ApplyOptions } from './types.js';

/** Applies the IAM OIDC provider: created, or its client IDs, thumbprints and tags brought up to date. */
export async function applyProvider(
  o: ApplyOptions,
  obs: Observed,
  p: Plan,
  issuer: string,
  applied: AppliedLog,
): Promise<ObservedProvider> {
  const { clients, desired, reporter } = o;
  const providerChange = findChange(p, 'oidc-provider');
  const provider = obs.provider;
  if (provider === undefined) {
    const thumbprints = desired.thumbprints ?? [];
    let arn: string;
    try {
      const created = await clients.iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: issuer,
          ClientIDList: [...CLIENT_IDS],
          ...(thumbprints.length > 0 ? { ThumbprintList: [...thumbprints] } : {}),
          Tags: awsTags(desired.tags),
        }),
      );
      arn = created.OpenIDConnectProviderArn ?? '';
      reporter.emit('oidc-provider.created', { arn });
    } catch (e) {
      if (!isAwsError(e, 'EntityAlreadyExistsException', 'EntityAlreadyExists'))
        throw awsFailure('creating the IAM OIDC provider', e);
      arn = p.providerArn ?? '';
      reporter.emit('oidc-provider.found', { arn });
    }
    if (providerChange !== undefined) applied.push(providerChange);
    return { arn, url: issuerHostPath(issuer), clientIds: [...CLIENT_IDS], thumbprints, tags: desired.tags };
  }
  if (!isPending(providerChange)) {
    reporter.emit('oidc-provider.found', { arn: provider.arn });
    return provider;
  }
  const arn = provider.arn;
  if (touches(providerChange, 'clientIds')) {
    for (const id of CLIENT_IDS.filter((c) => !provider.clientIds.includes(c))) {
      await awsCall(`adding client ID ${id} to ${arn}`, () =>
        clients.iam.send(
          new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: id }),
        ),
      );
    }
  }
  if (touches(providerChange, 'thumbprints')) {
    await awsCall(`updating the thumbprints of ${arn}`, () =>
      clients.iam.send(
        new UpdateOpenIDConnectProviderThumbprintCommand({
          OpenIDConnectProviderArn: arn,
          ThumbprintList: [...(desired.thumbprints ?? [])],
        }),
      ),
    );
  }
  if (touches(providerChange, 'tags')) {
    await awsCall(`tagging ${arn}`, () =>
      clients.iam.send(
        new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: awsTags(desired.tags) }),
      ),
    );
  }
  reporter.emit('oidc-provider.updated', { arn, fields: providerChange.fields.map((f) => f.field) });
  applied.push(providerChange);
  return {
    ...provider,
    clientIds: [...new Set([...provider.clientIds, ...CLIENT_IDS])],
    thumbprints: desired.thumbprints ?? provider.thumbprints,
    tags: desired.tags,
  };
}
