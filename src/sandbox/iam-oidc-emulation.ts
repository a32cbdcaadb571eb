/**
 * IAM OIDC-provider writes moto does not implement. moto 5.2 has no handler for
 * `AddClientIDToOpenIDConnectProvider` or `RemoveClientIDFromOpenIDConnectProvider` (its
 * `moto/iam/responses.py` defines none, so it answers HTTP 500 with an HTML page), while it does
 * implement `UpdateOpenIDConnectProviderThumbprint`, `Get…`, `Create…`, `Delete…`. The gateway
 * answers the two missing actions here (docs/sandbox.md, "moto differences"): it reads the provider
 * with `GetOpenIDConnectProvider`, then deletes and re-creates it with the same URL, thumbprints,
 * tags and the changed client IDs. moto derives a provider's ARN from its URL, so the ARN is
 * unchanged; only `CreateDate` moves to the time of the change.
 *
 * Semantics are IAM's (IAM API reference): adding a client ID already registered, or removing one
 * that is not, succeeds and changes nothing; an unknown ARN is `NoSuchEntity` (404); a missing
 * parameter or a client ID longer than 255 characters is `InvalidInput` / `ValidationError` (400).
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { awsErrorBody, awsRequestId } from './aws-wire.js';

/** The actions answered here. */
const EMULATED = new Set(['AddClientIDToOpenIDConnectProvider', 'RemoveClientIDFromOpenIDConnectProvider']);

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

interface IamAnswer {
  readonly status: number;
  readonly body: string;
}

function iamError(status: number, code: string, message: string): IamAnswer {
  return { status, body: awsErrorBody('iam', code, message) };
}

/** The access key of a SigV4 `Authorization` header: moto picks the account from it. */
function accessKeyOf(headers: IncomingHttpHeaders): string {
  const m = /Credential=([^/,\s]+)\//.exec(headers.authorization ?? '');
  return m?.[1] ?? 'AKIAIOSFODNN7EXAMPLE';
}

/**
 * Applies one emulated action to moto (`target`) and returns IAM's answer; undefined when the
 * action is not one moto lacks (the gateway then forwards it).
 */
export async function oidcProviderWrite(
  target: URL,
  params: URLSearchParams,
  headers: IncomingHttpHeaders,
): Promise<IamAnswer | undefined> {
  const action = params.get('Action') ?? '';
  if (!EMULATED.has(action)) return undefined;
  const arn = params.get('OpenIDConnectProviderArn');
  const clientId = params.get('ClientID');
  if (arn === null || arn === '') {
    return iamError(
      400,
      'ValidationError',
      "1 validation error detected: Value null at 'openIDConnectProviderArn' failed to satisfy constraint: Member must not be null",
    );
  }
  if (clientId === null || clientId === '') {
    return iamError(
      400,
      'ValidationError',
      "1 validation error detected: Value null at 'clientID' failed to satisfy constraint: Member must not be null",
    );
  }
  if (clientId.length > 255) {
    return iamError(
      400,
      'ValidationError',
      "1 validation error detected: Value at 'clientID' failed to satisfy constraint: Member must have length less than or equal to 255",
    );
  }
  const iam = new IAMClient({
    endpoint: target.origin,
    region: 'us-east-1',
    credentials: { accessKeyId: accessKeyOf(headers), secretAccessKey: 'sandbox' },
    maxAttempts: 1,
  });
  try {
    let current;
    try {
      current = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    } catch (err) {
      if (
        (err as { name?: string }).name === 'NoSuchEntityException' ||
        (err as { name?: string }).name === 'NoSuchEntity'
      ) {
        return iamError(404, 'NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
      }
      throw err;
    }
    const before = current.ClientIDList ?? [];
    const after =
      action === 'AddClientIDToOpenIDConnectProvider'
        ? before.includes(clientId)
          ? before
          : [...before, clientId]
        : before.filter((c) => c !== clientId);
    if (after.length !== before.length) {
      // GetOpenIDConnectProvider answers the URL without its scheme (IAM API reference).
      const url = current.Url ?? '';
      await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: /^https:\/\//.test(url) ? url : `https://${url}`,
          ClientIDList: after,
          ThumbprintList: current.ThumbprintList ?? [],
          ...(current.Tags === undefined || current.Tags.length === 0 ? {} : { Tags: current.Tags }),
        }),
      );
    }
    const id = awsRequestId();
    return {
      status: 200,
      body: `<${action}Response xmlns="${IAM_NS}"><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`,
    };
  } finally {
    iam.destroy();
  }
}

/**
 * Answers the request when it is an action moto lacks: true when it answered (the caller stops),
 * false otherwise. `applied` is called once moto holds the change, for STS's IAM view.
 */
export async function answerOidcProviderWrite(
  target: URL,
  params: URLSearchParams,
  headers: IncomingHttpHeaders,
  res: ServerResponse,
  applied: () => void,
): Promise<boolean> {
  const answer = await oidcProviderWrite(target, params, headers);
  if (answer === undefined) return false;
  if (answer.status < 300) applied();
  res.writeHead(answer.status, {
    'content-type': 'text/xml',
    'content-length': String(Buffer.byteLength(answer.body)),
    'x-amzn-requestid': awsRequestId(),
  });
  res.end(answer.body);
  return true;
}
