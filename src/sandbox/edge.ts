/**
 * The HTTPS edge: the sandbox's "public internet". One TLS server picks a certificate per SNI name
 * and routes by Host:
 * - S3 endpoints (every public form, see hosts.ts) → an anonymous GET on moto S3, tightened where
 *   moto is more permissive than AWS (Block Public Access, principals, missing keys);
 * - `<id>.cloudfront.net` and distribution aliases → the distribution's S3 origin, fetched the way
 *   CloudFront does (OAC, OAI or anonymous);
 * - configured static sites (self-hosted issuers, fault rehearsal).
 *
 * Certificates: S3 and CloudFront hosts get AWS's wildcard names from the sandbox CA (the "CA
 * library"); a distribution alias gets the names of the distribution's ACM certificate (as
 * CloudFront serves that certificate), issued by the sandbox CA since ACM certificates are publicly
 * trusted; static sites choose the sandbox or the private CA, optionally expired.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import {
  CloudFrontClient,
  GetDistributionCommand,
  ListDistributionsCommand,
  type Distribution,
} from '@aws-sdk/client-cloudfront';
import {
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { SandboxCas } from './ca.js';
import { evaluateBucketPolicy, isPublicPolicy, type S3Requester } from './bucket-policy.js';
import type { RecordedDistribution } from './gateway.js';
import {
  normalizeHost,
  parseCloudFrontHost,
  parseS3Host,
  s3RegionalHost,
  type S3HostRoute,
} from './hosts.js';
import { escapeXml } from './xml-text.js';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';

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

/** Options for {@link startEdge}. */
export interface StartEdgeOptions {
  /** moto's own endpoint (not the gateway): anonymous GETs must reach moto unchanged. */
  readonly motoEndpoint: string;
  readonly cas: SandboxCas;
  /** The gateway's records (`gateway.distribution`), source of each origin's OAC/OAI. */
  readonly distributionRecord?: (id: string) => RecordedDistribution | undefined;
  /** Account that owns the distributions (moto's default `123456789012`). */
  readonly accountId?: string;
  /** How long a distribution list stays cached, ms. Default 1000. */
  readonly cacheMs?: number;
  readonly staticSites?: readonly StaticSite[];
  /** Port; default 0 (free). */
  readonly port?: number;
}

/** A running edge. */
export interface Edge {
  /** The loopback port every public host name is routed to. */
  readonly port: number;
  /** Adds or replaces a static site. */
  setStaticSite(site: StaticSite): void;
  removeStaticSite(host: string): void;
  /** Whether the edge answers for `host` right now (S3 forms, static sites, known distributions). */
  serves(host: string): boolean;
  /** Like {@link Edge.serves}, refreshing the distribution list first when the host is unknown. */
  servesFresh(host: string): Promise<boolean>;
  stop(): Promise<void>;
}

const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIASANDBOXEDGE00000',
  secretAccessKey: 'sandbox-edge-not-a-secret',
};

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function s3RequestIds(): Record<string, string> {
  return {
    'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-amz-id-2': randomBytes(48).toString('base64'),
  };
}

/** S3's error document (aws-sts-oidc.md §7, observed 403 of a private object). */
function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): Answer {
  const ids = s3RequestIds();
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${fields}<RequestId>${ids['x-amz-request-id'] ?? ''}</RequestId><HostId>${ids['x-amz-id-2'] ?? ''}</HostId></Error>`;
  return {
    status,
    headers: { 'content-type': 'application/xml', server: 'AmazonS3', ...ids },
    body: Buffer.from(body),
  };
}

const accessDenied = (): Answer => s3Error(403, 'AccessDenied', 'Access Denied');

/** Decodes a request path into an S3 key (percent-decoding each segment). */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function errorName(err: unknown): string {
  return err instanceof S3ServiceException ? err.name : err instanceof Error ? err.name : 'Error';
}

/** Moto's object headers worth passing on; the rest are moto internals (e.g. `x-amz-content-sha256`). */
const OBJECT_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'accept-ranges',
  'cache-control',
  'content-encoding',
];

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

/**
 * Starts the edge on 127.0.0.1.
 * @see docs/sandbox.md for routing and the differences from AWS it compensates.
 */
export async function startEdge(options: StartEdgeOptions): Promise<Edge> {
  const moto = new URL(options.motoEndpoint);
  const accountId = options.accountId ?? '123456789012';
  const cacheMs = options.cacheMs ?? 1000;
  const sites = new Map<string, StaticSite>();
  for (const s of options.staticSites ?? []) sites.set(normalizeHost(s.host), s);
  const s3Clients = new Map<string, S3Client>();
  const s3 = (region: string): S3Client => {
    let c = s3Clients.get(region);
    if (c === undefined) {
      c = new S3Client({
        endpoint: options.motoEndpoint,
        region,
        forcePathStyle: true,
        credentials: FAKE_CREDENTIALS,
        maxAttempts: 1,
      });
      s3Clients.set(region, c);
    }
    return c;
  };
  // S3 Control puts the account id in front of the endpoint's host; moto answers on its own host.
  const s3control = new S3ControlClient({
    region: 'us-east-1',
    endpointProvider: () => ({ url: new URL(options.motoEndpoint) }),
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });
  const cloudfront = new CloudFrontClient({
    endpoint: options.motoEndpoint,
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });
  // CloudFront's certificates live in ACM us-east-1.
  const acm = new ACMClient({
    endpoint: options.motoEndpoint,
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });

  // ---- distributions -------------------------------------------------------------------------
  let distributions: { at: number; byHost: Map<string, Distribution> } = { at: 0, byHost: new Map() };
  const refreshDistributions = async (): Promise<void> => {
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const page = await cloudfront.send(
        new ListDistributionsCommand(marker === undefined ? {} : { Marker: marker }),
      );
      for (const d of page.DistributionList?.Items ?? []) if (d.Id !== undefined) ids.push(d.Id);
      marker = page.DistributionList?.IsTruncated === true ? page.DistributionList.NextMarker : undefined;
    } while (marker !== undefined);
    // moto's ListDistributions summaries carry no Origins, Aliases or cache behaviours (AWS's do),
    // so each distribution is read in full.
    const full = await Promise.all(
      ids.map((Id) =>
        cloudfront.send(new GetDistributionCommand({ Id })).then(
          (r) => r.Distribution,
          () => undefined,
        ),
      ),
    );
    const byHost = new Map<string, Distribution>();
    for (const d of full) {
      if (d?.DomainName === undefined) continue;
      byHost.set(d.DomainName.toLowerCase(), d);
      for (const alias of d.DistributionConfig?.Aliases?.Items ?? []) byHost.set(alias.toLowerCase(), d);
    }
    distributions = { at: Date.now(), byHost };
  };
  const findDistribution = async (host: string): Promise<Distribution | undefined> => {
    let refreshed = false;
    if (Date.now() - distributions.at > cacheMs) {
      await refreshDistributions();
      refreshed = true;
    }
    let d = distributions.byHost.get(host);
    // Misses are not cached: a distribution created a moment ago must be found.
    if (d === undefined && !refreshed) {
      await refreshDistributions();
      d = distributions.byHost.get(host);
    }
    return d;
  };

  // ---- S3 reads ------------------------------------------------------------------------------
  const bucketState = async (bucket: string, region: string) => {
    const client = s3(region);
    const policy = client.send(new GetBucketPolicyCommand({ Bucket: bucket })).then(
      (r) => r.Policy,
      () => undefined,
    );
    const bpa = client.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
      (r) => r.PublicAccessBlockConfiguration,
      () => undefined,
    );
    const accountBpa = s3control.send(new GetAccountPublicAccessBlockCommand({ AccountId: accountId })).then(
      (r) => r.PublicAccessBlockConfiguration,
      () => undefined,
    );
    const ownership = client.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })).then(
      (r) => r.OwnershipControls?.Rules?.[0]?.ObjectOwnership,
      () => undefined,
    );
    return {
      policy: await policy,
      bpa: effectiveBlock(await bpa, await accountBpa),
      ownership: await ownership,
    };
  };

  const bucketRegion = async (bucket: string): Promise<string | undefined> => {
    try {
      const r = await s3('us-east-1').send(new GetBucketLocationCommand({ Bucket: bucket }));
      // An empty LocationConstraint means us-east-1 (S3 API reference, GetBucketLocation).
      return r.LocationConstraint === undefined || (r.LocationConstraint as string) === ''
        ? 'us-east-1'
        : r.LocationConstraint;
    } catch {
      return undefined;
    }
  };

  /** Unsigned GET on moto, path style, so moto's own anonymous-access check runs. */
  const anonymousMotoGet = (bucket: string, key: string, method: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({
        hostname: moto.hostname,
        port: moto.port,
        method,
        path: `/${encodeURIComponent(bucket)}/${encodeKey(key)}`,
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const name of OBJECT_HEADERS) {
            const v = res.headers[name];
            if (typeof v === 'string') headers[name] = v;
          }
          resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  /** Whether AWS would let `requester` list the bucket (which turns a missing key's 403 into 404). */
  const mayList = (policy: string | undefined, requester: S3Requester, bucket: string): boolean =>
    evaluateBucketPolicy(policy, requester, 's3:ListBucket', `arn:aws:s3:::${bucket}`) === 'allow';

  /** An anonymous read as S3 answers it on the internet. */
  const anonymousS3 = async (bucket: string, key: string, method: string): Promise<Answer> => {
    const moto = await anonymousMotoGet(bucket, key, method);
    if (moto.status === 404 && /NoSuchBucket/.test(moto.body.toString('utf8'))) {
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }
    if (moto.status === 403) return accessDenied(); // moto's 403 has an empty text/html body
    const state = await bucketState(bucket, 'us-east-1');
    const restrict = state.bpa?.RestrictPublicBuckets === true && isPublicPolicy(state.policy);
    const policyDecision = restrict
      ? 'neutral'
      : evaluateBucketPolicy(
          state.policy,
          { kind: 'anonymous' },
          's3:GetObject',
          `arn:aws:s3:::${bucket}/${key}`,
        );
    if (policyDecision === 'deny') return accessDenied();
    if (moto.status === 404) {
      // AWS: without s3:ListBucket a missing key is 403 AccessDenied, not 404 (GetObject docs).
      return !restrict && mayList(state.policy, { kind: 'anonymous' }, bucket)
        ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
        : accessDenied();
    }
    if (moto.status !== 200)
      return { ...moto, headers: { ...moto.headers, server: 'AmazonS3', ...s3RequestIds() } };
    let allowed = policyDecision === 'allow';
    if (!allowed && state.bpa?.IgnorePublicAcls !== true && state.ownership !== 'BucketOwnerEnforced') {
      // moto allowed it without a policy grant: only an AllUsers READ ACL justifies that on AWS.
      const acl = await s3('us-east-1')
        .send(new GetObjectAclCommand({ Bucket: bucket, Key: key }))
        .catch(() => undefined);
      allowed = (acl?.Grants ?? []).some(
        (g) =>
          g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' &&
          (g.Permission === 'READ' || g.Permission === 'FULL_CONTROL'),
      );
    }
    if (!allowed) return accessDenied();
    return {
      status: 200,
      headers: { ...moto.headers, server: 'AmazonS3', ...s3RequestIds() },
      body: moto.body,
    };
  };

  /** A read by CloudFront with OAC or an OAI: policy evaluated here, object read with credentials. */
  const signedS3 = async (bucket: string, key: string, requester: S3Requester): Promise<Answer> => {
    const state = await bucketState(bucket, 'us-east-1');
    const decision = evaluateBucketPolicy(
      state.policy,
      requester,
      's3:GetObject',
      `arn:aws:s3:::${bucket}/${key}`,
    );
    if (decision !== 'allow') return accessDenied();
    try {
      const obj = await s3('us-east-1').send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from((await obj.Body?.transformToByteArray()) ?? new Uint8Array());
      const headers: Record<string, string> = { server: 'AmazonS3', ...s3RequestIds() };
      if (obj.ContentType !== undefined) headers['content-type'] = obj.ContentType;
      if (obj.ETag !== undefined) headers['etag'] = obj.ETag;
      if (obj.LastModified !== undefined) headers['last-modified'] = obj.LastModified.toUTCString();
      return { status: 200, headers, body };
    } catch (err) {
      const name = errorName(err);
      if (name === 'NoSuchKey') {
        return mayList(state.policy, requester, bucket)
          ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
          : accessDenied();
      }
      if (name === 'NoSuchBucket')
        return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
      throw err;
    }
  };

  // ---- routes --------------------------------------------------------------------------------
  const serveS3 = async (route: S3HostRoute, path: string, method: string): Promise<Answer> => {
    let bucket = route.bucket;
    let keyPath = path;
    if (bucket === undefined) {
      const m = /^\/([^/]+)\/?(.*)$/.exec(path);
      if (m?.[1] === undefined) return s3Error(403, 'AccessDenied', 'Access Denied'); // ListBuckets, anonymously
      bucket = decodePath(m[1]);
      keyPath = '/' + (m[2] ?? '');
    }
    const key = decodePath(keyPath.replace(/^\//, ''));
    const region = await bucketRegion(bucket);
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
    return anonymousS3(bucket, key, method);
  };

  const serveCloudFront = async (host: string, path: string, method: string): Promise<Answer | undefined> => {
    let dist = await findDistribution(host);
    if (dist?.Id === undefined) return undefined;
    let record = options.distributionRecord?.(dist.Id);
    if (record !== undefined && record.changedAt >= distributions.at) {
      // Updated since the list was read: once Deployed, CloudFront serves the new config.
      await refreshDistributions();
      dist = distributions.byHost.get(host);
      if (dist?.Id === undefined) return undefined;
      record = options.distributionRecord?.(dist.Id);
    }
    const config = dist.DistributionConfig;
    const targetId = config?.DefaultCacheBehavior?.TargetOriginId;
    const origin = config?.Origins?.Items?.find((o) => o.Id === targetId) ?? config?.Origins?.Items?.[0];
    const s3Origin = origin?.DomainName !== undefined ? parseS3Host(origin.DomainName) : undefined;
    if (origin === undefined || s3Origin?.bucket === undefined) {
      return {
        status: 502,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from('stsctl sandbox edge: only S3 REST origins are emulated\n'),
      };
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
      answer = await signedS3(bucket, key, {
        kind: 'cloudfront-oac',
        sourceArn: `arn:aws:cloudfront::${accountId}:distribution/${dist.Id}`,
        sourceAccount: accountId,
      });
    } else if (oai !== undefined) {
      answer = await signedS3(bucket, key, {
        kind: 'principal',
        arns: [`arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ${oai}`],
      });
    } else {
      answer = await anonymousS3(bucket, key, method);
    }
    const pop = 'IAD89-C1';
    answer.headers['x-cache'] = answer.status < 400 ? 'Miss from cloudfront' : 'Error from cloudfront';
    answer.headers['via'] = `1.1 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`;
    answer.headers['x-amz-cf-pop'] = pop;
    answer.headers['x-amz-cf-id'] = randomBytes(42).toString('base64url');
    return answer;
  };

  const serveStatic = async (site: StaticSite, path: string): Promise<Answer> => {
    const route = site.routes[path];
    if (route === undefined) {
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('404 Not Found\n') };
    }
    if (route.delayMs !== undefined && route.delayMs > 0) await sleep(route.delayMs);
    return {
      status: route.status ?? 200,
      headers: { ...route.headers },
      body: Buffer.from(route.body ?? ''),
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = normalizeHost(req.headers.host ?? '');
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    req.resume();
    let answer: Answer | undefined;
    const site = sites.get(host);
    if (method !== 'GET' && method !== 'HEAD') {
      answer = {
        status: 405,
        headers: { 'content-type': 'text/plain', allow: 'GET, HEAD' },
        body: Buffer.from('Method Not Allowed\n'),
      };
    } else if (site !== undefined) {
      answer = await serveStatic(site, path);
    } else {
      const s3Route = parseS3Host(host);
      answer =
        s3Route !== undefined
          ? await serveS3(s3Route, path, method)
          : await serveCloudFront(host, path, method);
    }
    if (answer === undefined) {
      answer = {
        status: 421,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from(`stsctl sandbox edge does not serve ${host}\n`),
      };
    }
    answer.headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, answer.headers);
    res.end(method === 'HEAD' ? undefined : answer.body);
  };

  // ---- TLS -----------------------------------------------------------------------------------
  /**
   * The names CloudFront's certificate carries for an alias: those of the distribution's ACM
   * certificate (DomainName and SubjectAlternativeNames, e.g. a wildcard). Undefined when the host
   * is no alias or the certificate cannot be read (then the edge certifies the exact host).
   */
  const aliasCertificateNames = async (host: string): Promise<string[] | undefined> => {
    const dist = await findDistribution(host).catch(() => undefined);
    const arn = dist?.DistributionConfig?.ViewerCertificate?.ACMCertificateArn;
    if (arn === undefined || arn === '') return undefined;
    const cert = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn })).then(
      (r) => r.Certificate,
      () => undefined,
    );
    const names = [
      ...new Set([cert?.DomainName ?? '', ...(cert?.SubjectAlternativeNames ?? [])].filter((n) => n !== '')),
    ];
    return names.length > 0 ? names : undefined;
  };

  const contexts = new Map<string, Promise<SecureContext>>();
  const contextFor = async (servername: string): Promise<SecureContext> => {
    const host = normalizeHost(servername);
    const site = sites.get(host);
    const s3Route = parseS3Host(host);
    const cf = parseCloudFrontHost(host);
    const names = s3Route?.certificateNames ??
      cf?.certificateNames ??
      (site === undefined ? await aliasCertificateNames(host) : undefined) ?? [host];
    const ca = site?.ca ?? 'sandbox';
    const expired = site?.expiredCertificate === true;
    const cacheKey = `${ca}|${String(expired)}|${names.join(',')}`;
    let ctx = contexts.get(cacheKey);
    if (ctx === undefined) {
      ctx = options.cas[ca]
        .issueLeaf({ dnsNames: names, expired })
        .then((leaf) => createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem }));
      contexts.set(cacheKey, ctx);
      ctx.catch(() => contexts.delete(cacheKey));
    }
    return ctx;
  };
  const fallback = await options.cas.sandbox.issueLeaf({
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });

  const server: Server = createServer(
    {
      key: fallback.keyPem,
      cert: fallback.chainPem,
      SNICallback: (servername, cb) => {
        contextFor(servername).then(
          (ctx) => {
            cb(null, ctx);
          },
          (err: unknown) => {
            cb(err instanceof Error ? err : new Error(String(err)));
          },
        );
      },
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`stsctl sandbox edge error: ${err instanceof Error ? err.message : String(err)}\n`);
        } else res.destroy();
      });
    },
  );
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const servesNow = (host: string): boolean => {
    const h = normalizeHost(host);
    return sites.has(h) || parseS3Host(h) !== undefined || distributions.byHost.has(h);
  };

  return {
    port,
    setStaticSite(site) {
      sites.set(normalizeHost(site.host), site);
    },
    removeStaticSite(host) {
      sites.delete(normalizeHost(host));
    },
    serves: servesNow,
    async servesFresh(host) {
      if (servesNow(host)) return true;
      await refreshDistributions().catch(() => undefined);
      return servesNow(host);
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      cloudfront.destroy();
      acm.destroy();
      s3control.destroy();
      for (const c of s3Clients.values()) c.destroy();
    },
  };
}
