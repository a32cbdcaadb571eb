import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedDistribution } from './distribution-config.js';
import { accessDenied, decodePath, encodeKey, s3Error, textAnswer, type Answer } from './edge-answer.js';
import type { S3Requester } from '../core/s3-access.js';
import type { DistributionIndex } from './edge-distributions.js';
import type { S3Reads } from './edge-s3-reads.js';
import { normalizeHost, parseS3Host, s3RegionalHost, type S3HostRoute } from './hosts.js';

/** One canned answer of a static site. */
export interface StaticRoute {
  /** Default 200. */
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (timeouts rehearsal). */
  readonly delayMs?: number;
}

/** A host the edge serves from a table (self-hosted issuers, broken issuers). */
export interface StaticSite {
  readonly host: string;
  /** Which CA signs its certificate: `sandbox` (trusted, the default) or `private` (thumbprints). */
  readonly ca?: 'sandbox' | 'private';
  /** Serve an expired certificate. Default false. */
  readonly expiredCertificate?: boolean;
  /** Path (no query) → answer; other paths get 404. */
  readonly routes: Readonly<Record<string, StaticRoute>>;
}

/** What routing a request needs. */
export interface EdgeRoutes {
  readonly sites: ReadonlyMap<string, StaticSite>;
  readonly s3: S3Reads;
  readonly distributions: DistributionIndex;
  /** The gateway's records (`gateway.distribution`), source of each origin's OAC/OAI. */
  readonly distributionRecord: ((id: string) => RecordedDistribution | undefined) | undefined;
  /** Account that owns the distributions. */
  readonly accountId: string;
}

/**
 * S3's answer when `bucket` lives in another region than the endpoint `route` names, else
 * undefined: `301 PermanentRedirect` naming the right endpoint, or `307 TemporaryRedirect` on the
 * legacy global name (VirtualHosting.md; aws-sts-oidc.md §7). A bucket that does not exist is
 * left to the read (404 NoSuchBucket).
 */
export async function regionRedirect(
  routes: EdgeRoutes,
  route: S3HostRoute,
  bucket: string,
  key: string,
): Promise<Answer | undefined> {
  const region = await routes.s3.bucketRegion(bucket);
  if (region === undefined || region === route.region) return undefined;
  const endpoint = s3RegionalHost(bucket, region);
  if (route.style === 'legacy-global') {
    const a = s3Error(
      307,
      'TemporaryRedirect',
      'Please re-send this request to the specified temporary endpoint. Continue to use the original request endpoint for future requests.',
      { Endpoint: endpoint, Bucket: bucket },
    );
    a.headers['location'] = `https://${endpoint}/${encodeKey(key)}`;
    return a;
  }
  return s3Error(
    301,
    'PermanentRedirect',
    'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
    { Endpoint: endpoint, Bucket: bucket },
  );
}

/** An S3 endpoint: region redirects as S3 answers them, then an anonymous read. */
export async function serveS3(routes: EdgeRoutes, route: S3HostRoute, path: string): Promise<Answer> {
  let bucket = route.bucket;
  let keyPath = path;
  if (bucket === undefined) {
    const m = /^\/([^/]+)\/?(.*)$/.exec(path);
    if (m?.[1] === undefined) return s3Error(403, 'AccessDenied', 'Access Denied'); // ListBuckets, anonymously
    bucket = decodePath(m[1]);
    keyPath = '/' + (m[2] ?? '');
  }
  const key = decodePath(keyPath.replace(/^\//, ''));
  const redirect = await regionRedirect(routes, route, bucket, key);
  if (redirect !== undefined) return redirect;
  if (key === '') {
    // Anonymous ListObjects: S3 lists for whoever may s3:ListBucket; the listing body itself is
    // not emulated, so a granted listing is refused too (issuers never list).
    return accessDenied();
  }
  return routes.s3.read({ kind: 'anonymous' }, bucket, key);
}

/**
 * A CloudFront host (domain name or alias): the distribution's S3 origin, read the way CloudFront
 * reads it (OAC, OAI or anonymous). Undefined when no distribution answers for `host`.
 */
export async function serveCloudFront(
  routes: EdgeRoutes,
  host: string,
  path: string,
): Promise<Answer | undefined> {
  const { distributions, accountId } = routes;
  let dist = await distributions.find(host);
  if (dist?.Id === undefined) return undefined;
  let record = routes.distributionRecord?.(dist.Id);
  if (record !== undefined && record.changedAt >= distributions.readAt) {
    // Updated since the list was read: once Deployed, CloudFront serves the new config.
    await distributions.refresh();
    dist = distributions.known(host);
    if (dist?.Id === undefined) return undefined;
    record = routes.distributionRecord?.(dist.Id);
  }
  const config = dist.DistributionConfig;
  const targetId = config?.DefaultCacheBehavior?.TargetOriginId;
  const origin = config?.Origins?.Items?.find((o) => o.Id === targetId) ?? config?.Origins?.Items?.[0];
  const s3Origin = origin?.DomainName !== undefined ? parseS3Host(origin.DomainName) : undefined;
  if (origin === undefined || s3Origin?.bucket === undefined) {
    return textAnswer(502, 'stsctl sandbox edge: only S3 REST origins are emulated\n');
  }
  const recorded = record?.origins.find((o) => o.id === origin.Id);
  // DefaultRootObject is not applied (ListDistributions does not return it; issuers never GET /).
  const objectPath = (origin.OriginPath ?? '') + path;
  const key = decodePath(objectPath.replace(/^\//, ''));
  const bucket = s3Origin.bucket;
  // An origin naming another region than its bucket's gets S3's PermanentRedirect, and CloudFront
  // passes origin redirects on to the viewer instead of following them (aws-sts-2026.md §7;
  // openshift/cloud-credential-operator#468). The legacy global name is CloudFront's own default
  // origin form and works for every region, so only regional names are checked.
  let answer =
    s3Origin.style === 'legacy-global' ? undefined : await regionRedirect(routes, s3Origin, bucket, key);
  const oac = recorded?.originAccessControlId ?? '';
  const oai = /^origin-access-identity\/cloudfront\/(.+)$/.exec(recorded?.originAccessIdentity ?? '')?.[1];
  // The requester CloudFront reads as: OAC's service principal, a legacy OAI, or nobody.
  // The distribution ARN has no region field (aws-sts-oidc.md §8).
  const requester: S3Requester =
    oac !== ''
      ? {
          kind: 'service',
          service: 'cloudfront.amazonaws.com',
          sourceArn: `arn:aws:cloudfront::${accountId}:distribution/${dist.Id}`,
          sourceAccount: accountId,
        }
      : oai !== undefined
        ? { kind: 'oai', id: oai }
        : { kind: 'anonymous' };
  answer ??= await routes.s3.read(requester, bucket, key);
  const pop = 'IAD89-C1';
  answer.headers['x-cache'] = answer.status < 400 ? 'Miss from cloudfront' : 'Error from cloudfront';
  answer.headers['via'] = `1.1 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`;
  answer.headers['x-amz-cf-pop'] = pop;
  answer.headers['x-amz-cf-id'] = randomBytes(42).toString('base64url');
  return answer;
}

/** A static site's canned answer for `path` (404 for paths it does not list). */
export async function serveStatic(site: StaticSite, path: string): Promise<Answer> {
  const route = site.routes[path];
  if (route === undefined) return textAnswer(404, '404 Not Found\n');
  if (route.delayMs !== undefined && route.delayMs > 0) await sleep(route.delayMs);
  return {
    status: route.status ?? 200,
    headers: { ...route.headers },
    body: Buffer.from(route.body ?? ''),
  };
}

/** Routes one request by method and Host, and writes the answer. */
export async function handleEdgeRequest(
  routes: EdgeRoutes,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const host = normalizeHost(req.headers.host ?? '');
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  req.resume();
  let answer: Answer | undefined;
  const site = routes.sites.get(host);
  if (method !== 'GET' && method !== 'HEAD') {
    answer = textAnswer(405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
  } else if (site !== undefined) {
    answer = await serveStatic(site, path);
  } else {
    const s3Route = parseS3Host(host);
    answer =
      s3Route !== undefined
        ? await serveS3(routes, s3Route, path)
        : await serveCloudFront(routes, host, path);
  }
  answer ??= textAnswer(421, `stsctl sandbox edge does not serve ${host}\n`);
  answer.headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, answer.headers);
  res.end(method === 'HEAD' ? undefined : answer.body);
}
