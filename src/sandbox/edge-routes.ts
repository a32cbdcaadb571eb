import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedDistribution } from './distribution-config.js';
import { accessDenied, decodePath, encodeKey, s3Error, textAnswer, type Answer } from './edge-answer.js';
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

/** An S3 endpoint: region redirects as S3 answers them, then an anonymous read. */
export async function serveS3(
  routes: EdgeRoutes,
  route: S3HostRoute,
  path: string,
  method: string,
): Promise<Answer> {
  let bucket = route.bucket;
  let keyPath = path;
  if (bucket === undefined) {
    const m = /^\/([^/]+)\/?(.*)$/.exec(path);
    if (m?.[1] === undefined) return s3Error(403, 'AccessDenied', 'Access Denied'); // ListBuckets, anonymously
    bucket = decodePath(m[1]);
    keyPath = '/' + (m[2] ?? '');
  }
  const key = decodePath(keyPath.replace(/^\//, ''));
  const region = await routes.s3.bucketRegion(bucket);
  if (region !== undefined && region !== route.region) {
    const endpoint = s3RegionalHost(bucket, region);
    if (route.style === 'legacy-global') {
      // Legacy global names answer 307 for buckets elsewhere (VirtualHosting.md, §7).
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
  if (key === '') return accessDenied(); // anonymous ListObjects: not granted by our policies' tests
  return routes.s3.anonymous(bucket, key, method);
}

/**
 * A CloudFront host (domain name or alias): the distribution's S3 origin, read the way CloudFront
 * reads it (OAC, OAI or anonymous). Undefined when no distribution answers for `host`.
 */
export async function serveCloudFront(
  routes: EdgeRoutes,
  host: string,
  path: string,
  method: string,
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
  let answer: Answer;
  const oac = recorded?.originAccessControlId ?? '';
  const oai = /^origin-access-identity\/cloudfront\/(.+)$/.exec(recorded?.originAccessIdentity ?? '')?.[1];
  if (oac !== '') {
    // The distribution ARN has no region field (aws-sts-oidc.md §8).
    answer = await routes.s3.signed(bucket, key, {
      kind: 'cloudfront-oac',
      sourceArn: `arn:aws:cloudfront::${accountId}:distribution/${dist.Id}`,
      sourceAccount: accountId,
    });
  } else if (oai !== undefined) {
    answer = await routes.s3.signed(bucket, key, {
      kind: 'principal',
      arns: [`arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${oai}`],
    });
  } else {
    answer = await routes.s3.anonymous(bucket, key, method);
  }
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
        ? await serveS3(routes, s3Route, path, method)
        : await serveCloudFront(routes, host, path, method);
  }
  answer ??= textAnswer(421, `stsctl sandbox edge does not serve ${host}\n`);
  answer.headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, answer.headers);
  res.end(method === 'HEAD' ? undefined : answer.body);
}
