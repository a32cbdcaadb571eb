/**
 * CloudFront origin access identities (OAI) for the sandbox. moto 5.2 has no OAI API at all
 * (`CreateCloudFrontOriginAccessIdentity` answers 404), yet ccoctl's `--create-private-s3-bucket`
 * makes one per cluster and finds it again by its Comment when deleting (ccoctl.md §4, §5). The
 * gateway answers the OAI operations here, in CloudFront's REST-XML shapes:
 *
 *   POST   /2020-05-31/origin-access-identity/cloudfront            Create (201, Location, ETag)
 *   GET    /2020-05-31/origin-access-identity/cloudfront            List (Marker, MaxItems)
 *   GET    /2020-05-31/origin-access-identity/cloudfront/{Id}       Get (ETag)
 *   GET    /2020-05-31/origin-access-identity/cloudfront/{Id}/config  GetConfig (ETag)
 *   PUT    /2020-05-31/origin-access-identity/cloudfront/{Id}/config  Update (If-Match)
 *   DELETE /2020-05-31/origin-access-identity/cloudfront/{Id}       Delete (If-Match; 409 while in use)
 *
 * Errors are CloudFront's: `NoSuchCloudFrontOriginAccessIdentity` (404), `InvalidIfMatchVersion`
 * (400), `PreconditionFailed` (412), `CloudFrontOriginAccessIdentityInUse` (409),
 * `CloudFrontOriginAccessIdentityAlreadyExists` (409, same CallerReference with another config),
 * `MissingBody` / `MalformedInput` (400).
 */
import { randomBytes } from 'node:crypto';
import { escapeXml, firstText } from './xml-text.js';

const PREFIX = '/2020-05-31/origin-access-identity/cloudfront';
const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

interface Identity {
  readonly id: string;
  readonly canonicalUserId: string;
  callerReference: string;
  comment: string;
  etag: string;
}

/** What the emulator answers; the gateway writes it out. */
export interface OaiAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface OaiEmulator {
  /** Whether a request path belongs to the OAI API. */
  matches(pathname: string): boolean;
  /**
   * Answers one OAI request. `inUse(id)` says whether a distribution's origin names the OAI
   * (`origin-access-identity/cloudfront/<id>`), which blocks its deletion as on CloudFront.
   */
  handle(
    method: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
    body: string,
    inUse: (id: string) => boolean,
  ): OaiAnswer;
  /** The identities, for tests and the edge. */
  list(): readonly { id: string; comment: string; callerReference: string }[];
}

function newEtag(): string {
  return `E${randomBytes(7).toString('hex').toUpperCase()}`;
}

/** OAI ids look like `E2QWRUHAPOMQZL`: `E` and 13 upper-case alphanumerics. */
function newId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(13);
  return `E${[...bytes].map((b) => alphabet[b % alphabet.length] ?? 'A').join('')}`;
}

function configXml(i: Identity): string {
  return `<CallerReference>${escapeXml(i.callerReference)}</CallerReference><Comment>${escapeXml(i.comment)}</Comment>`;
}

function identityXml(i: Identity): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CloudFrontOriginAccessIdentity xmlns="${NS}"><Id>${i.id}</Id><S3CanonicalUserId>${i.canonicalUserId}</S3CanonicalUserId><CloudFrontOriginAccessIdentityConfig>${configXml(i)}</CloudFrontOriginAccessIdentityConfig></CloudFrontOriginAccessIdentity>`;
}

function requestId(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function error(status: number, code: string, message: string): OaiAnswer {
  const id = requestId();
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amz-request-id': id },
    body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  };
}

function ok(status: number, body: string, extra: Record<string, string> = {}): OaiAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amz-request-id': requestId(), ...extra },
    body,
  };
}

function parseConfig(body: string): { callerReference: string; comment: string } | OaiAnswer {
  if (body.trim() === '') return error(400, 'MissingBody', 'This operation requires a body.');
  const block =
    /<CloudFrontOriginAccessIdentityConfig[\s>][\s\S]*<\/CloudFrontOriginAccessIdentityConfig>/.exec(body);
  const callerReference = block === null ? undefined : firstText(block[0], 'CallerReference');
  const comment = block === null ? undefined : (firstText(block[0], 'Comment') ?? '');
  if (callerReference === undefined || callerReference === '' || comment === undefined)
    return error(
      400,
      'MalformedInput',
      'Unexpected or missing CloudFrontOriginAccessIdentityConfig elements.',
    );
  return { callerReference, comment };
}

/** Creates an empty OAI store. */
export function createOaiEmulator(): OaiEmulator {
  const identities = new Map<string, Identity>();

  const find = (id: string): Identity | OaiAnswer =>
    identities.get(id) ??
    error(
      404,
      'NoSuchCloudFrontOriginAccessIdentity',
      'The specified origin access identity does not exist.',
    );

  const ifMatch = (
    i: Identity,
    headers: Record<string, string | string[] | undefined>,
  ): OaiAnswer | undefined => {
    const given = headers['if-match'];
    const value = Array.isArray(given) ? given[0] : given;
    if (value === undefined || value === '')
      return error(
        400,
        'InvalidIfMatchVersion',
        'The If-Match version is missing or not valid for the resource.',
      );
    if (value !== i.etag)
      return error(
        412,
        'PreconditionFailed',
        'The precondition given in one or more of the request-header fields evaluated to false.',
      );
    return undefined;
  };

  return {
    matches: (pathname) => pathname === PREFIX || pathname.startsWith(`${PREFIX}/`),

    list: () =>
      [...identities.values()].map((i) => ({
        id: i.id,
        comment: i.comment,
        callerReference: i.callerReference,
      })),

    handle(method, url, headers, body, inUse) {
      const rest = url.pathname.slice(PREFIX.length);
      if (rest === '' || rest === '/') {
        if (method === 'POST') {
          const config = parseConfig(body);
          if ('status' in config) return config;
          const same = [...identities.values()].find((i) => i.callerReference === config.callerReference);
          if (same !== undefined) {
            // CloudFront: the same CallerReference with the same config returns the existing identity.
            if (same.comment !== config.comment)
              return error(
                409,
                'CloudFrontOriginAccessIdentityAlreadyExists',
                'If the CallerReference is a value you already sent in a previous request to create an identity but the content of the CloudFrontOriginAccessIdentityConfig is different from the original request, CloudFront returns a CloudFrontOriginAccessIdentityAlreadyExists error.',
              );
            return ok(201, identityXml(same), {
              etag: same.etag,
              location: `https://cloudfront.amazonaws.com${PREFIX}/${same.id}`,
            });
          }
          const created: Identity = {
            id: newId(),
            canonicalUserId: randomBytes(48).toString('hex'),
            ...config,
            etag: newEtag(),
          };
          identities.set(created.id, created);
          return ok(201, identityXml(created), {
            etag: created.etag,
            location: `https://cloudfront.amazonaws.com${PREFIX}/${created.id}`,
          });
        }
        if (method === 'GET') {
          const all = [...identities.values()].sort((a, b) => a.id.localeCompare(b.id));
          const marker = url.searchParams.get('Marker') ?? '';
          const max = Math.max(1, Math.min(1000, Number(url.searchParams.get('MaxItems') ?? '100') || 100));
          const after = marker === '' ? all : all.filter((i) => i.id > marker);
          const page = after.slice(0, max);
          const truncated = after.length > page.length;
          const items = page
            .map(
              (i) =>
                `<CloudFrontOriginAccessIdentitySummary><Id>${i.id}</Id><S3CanonicalUserId>${i.canonicalUserId}</S3CanonicalUserId><Comment>${escapeXml(i.comment)}</Comment></CloudFrontOriginAccessIdentitySummary>`,
            )
            .join('');
          const next = truncated ? `<NextMarker>${page.at(-1)?.id ?? ''}</NextMarker>` : '';
          return ok(
            200,
            `<?xml version="1.0" encoding="UTF-8"?>\n<CloudFrontOriginAccessIdentityList xmlns="${NS}"><Marker>${escapeXml(marker)}</Marker>${next}<MaxItems>${max}</MaxItems><IsTruncated>${truncated}</IsTruncated><Quantity>${page.length}</Quantity>${page.length > 0 ? `<Items>${items}</Items>` : ''}</CloudFrontOriginAccessIdentityList>`,
          );
        }
        return error(405, 'MethodNotAllowed', `${method} is not allowed here`);
      }
      const m = /^\/([^/]+)(\/config)?$/.exec(rest);
      if (m?.[1] === undefined) return error(404, 'NotFound', 'Unknown origin access identity operation');
      const found = find(decodeURIComponent(m[1]));
      if ('status' in found) return found;
      if (m[2] !== undefined) {
        if (method === 'GET')
          return ok(
            200,
            `<?xml version="1.0" encoding="UTF-8"?>\n<CloudFrontOriginAccessIdentityConfig xmlns="${NS}">${configXml(found)}</CloudFrontOriginAccessIdentityConfig>`,
            { etag: found.etag },
          );
        if (method === 'PUT') {
          const precondition = ifMatch(found, headers);
          if (precondition !== undefined) return precondition;
          const config = parseConfig(body);
          if ('status' in config) return config;
          if (config.callerReference !== found.callerReference)
            return error(
              400,
              'IllegalUpdate',
              'The CallerReference of an origin access identity cannot be changed.',
            );
          found.comment = config.comment;
          found.etag = newEtag();
          return ok(200, identityXml(found), { etag: found.etag });
        }
        return error(405, 'MethodNotAllowed', `${method} is not allowed here`);
      }
      if (method === 'GET') return ok(200, identityXml(found), { etag: found.etag });
      if (method === 'DELETE') {
        const precondition = ifMatch(found, headers);
        if (precondition !== undefined) return precondition;
        if (inUse(found.id))
          return error(
            409,
            'CloudFrontOriginAccessIdentityInUse',
            'The CloudFront origin access identity is still being used.',
          );
        identities.delete(found.id);
        return { status: 204, headers: { 'x-amz-request-id': requestId() }, body: '' };
      }
      return error(405, 'MethodNotAllowed', `${method} is not allowed here`);
    },
  };
}
