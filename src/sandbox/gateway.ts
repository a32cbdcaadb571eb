/**
 * The AWS API gateway of the sandbox: an HTTP reverse proxy in front of moto_server. It is what
 * `AWS_ENDPOINT_URL` points at.
 *
 * Every request goes to moto unchanged (method, path, headers including `host` and the SigV4
 * `authorization`; bodies streamed). moto routes by the service in the SigV4 credential scope and
 * does not verify signatures, so the SDK signing against the gateway's host is harmless.
 *
 * On top of that the gateway repairs CloudFront state moto 5.2 loses or gets wrong (see
 * docs/sandbox.md, "Differences from AWS"):
 * - moto drops `OriginAccessControlId` and `S3OriginConfig` from stored origins; the gateway records
 *   them from the DistributionConfig bodies of CreateDistribution(WithTags)/UpdateDistribution,
 *   keyed by the Id moto assigns, so the edge knows which origin uses OAC or an OAI;
 * - moto builds distribution ARNs without the empty region field
 *   (`arn:aws:cloudfront:<acct>:distribution/<id>`); AWS's form is
 *   `arn:aws:cloudfront::<acct>:distribution/<id>` (aws-sts-oidc.md §8). The gateway rewrites ARNs
 *   in CloudFront responses, and back in the `Resource` parameter of tagging requests;
 * - moto reports a distribution `Deployed` on the first read; AWS takes minutes. With
 *   `inProgressMs` the gateway reports `InProgress` for that long after each create/update.
 * - moto accepts any alternate domain name (`Aliases`); CloudFront requires an issued ACM
 *   certificate from us-east-1 that covers each alias, and an alias no other distribution uses.
 *   The gateway answers `InvalidViewerCertificate` / `CNAMEAlreadyExists` as CloudFront does,
 *   reading the certificate from moto's ACM.
 *
 * Fault injection: {@link Gateway.setFaultInjector} decides per request to answer with an error,
 * delay, or drop the connection, before moto sees it.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { certificateCovers } from '../core/certificate-names.js';
import { createOaiEmulator } from './oai.js';
import { elements, escapeXml, firstText } from './xml-text.js';

/** What a fault injector sees of a request (the body is not read). */
export interface GatewayRequestInfo {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Service from the SigV4 credential scope (`s3`, `iam`, `cloudfront`, `sts`), if signed. */
  readonly service: string | undefined;
}

/** What to do with a request instead of (or before) forwarding it. */
export type FaultAction =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  /** Close the connection without an answer (the SDK sees a socket hang-up). */
  | { readonly kind: 'drop' }
  /** Wait, then forward normally. */
  | { readonly kind: 'delay'; readonly ms: number };

/** Returns a fault for the request, or undefined to forward it untouched. */
export type FaultInjector = (request: GatewayRequestInfo) => FaultAction | undefined;

/** One origin of a distribution as the client sent it. */
export interface RecordedOrigin {
  readonly id: string;
  readonly domainName: string;
  readonly originPath: string;
  /** `Origin.OriginAccessControlId`; undefined or empty when the origin uses no OAC. */
  readonly originAccessControlId?: string;
  /** `S3OriginConfig.OriginAccessIdentity`, e.g. `origin-access-identity/cloudfront/E2…`; empty for OAC. */
  readonly originAccessIdentity?: string;
}

/** The DistributionConfig facts the gateway keeps per distribution. */
export interface RecordedDistribution {
  readonly id: string;
  readonly origins: readonly RecordedOrigin[];
  readonly aliases: readonly string[];
  /** When the last create/update succeeded (ms since epoch). */
  readonly changedAt: number;
}

/** Options for {@link startGateway}. */
export interface StartGatewayOptions {
  /** moto's endpoint, e.g. `http://127.0.0.1:5000`. */
  readonly target: string;
  /** Report `InProgress` for this long after a create/update, ms. Default 0 (moto's behaviour). */
  readonly inProgressMs?: number;
  /** Port to listen on; default 0 (free port). */
  readonly port?: number;
}

/** A running gateway. */
export interface Gateway {
  /** `http://127.0.0.1:<port>`: use as `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  readonly port: number;
  /** What the gateway recorded for a distribution, by Id. */
  distribution(id: string): RecordedDistribution | undefined;
  /** Every recorded distribution. */
  distributions(): readonly RecordedDistribution[];
  /** Installs (or with undefined removes) the fault injector. */
  setFaultInjector(injector: FaultInjector | undefined): void;
  /** Changes the simulated deployment time, ms. */
  setInProgressMs(ms: number): void;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
}

const CLOUDFRONT_PREFIX = '/2020-05-31/';
const MOTO_ARN_RE = /arn:(aws[a-z-]*):cloudfront:(\d{12}):/g;
const AWS_ARN_RE = /arn:(aws[a-z-]*):cloudfront::(\d{12}):/g;

/** The service of a SigV4 `Authorization` header (`Credential=AK/date/region/service/aws4_request`). */
export function sigV4Service(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth === undefined) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  return m?.[1];
}

/** An AWS request id lookalike (moto's are 52 alphanumerics; AWS's are UUIDs for Query/REST-XML). */
function requestId(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * An AWS-shaped error document for a service: S3's bare `<Error>`, or the `<ErrorResponse>`
 * envelope of the Query (IAM, STS) and REST-XML (CloudFront) protocols (aws-sts-oidc.md §1.4, §8).
 */
export function awsErrorBody(service: string | undefined, code: string, message: string): string {
  const id = requestId();
  if (service === 's3') {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${id}</RequestId></Error>`;
  }
  const ns =
    service === 'cloudfront'
      ? ' xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"'
      : service === 'iam'
        ? ' xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'
        : service === 'sts'
          ? ' xmlns="https://sts.amazonaws.com/doc/2011-06-15/"'
          : '';
  return `<ErrorResponse${ns}><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
}

/** Options for the ready-made faults. */
export interface CountedFaultOptions {
  /** How many matching requests fail; after that the injector forwards everything. */
  readonly count: number;
  /** Only requests signed for this service (`s3`, `iam`, `cloudfront`, `sts`); default any. */
  readonly service?: string;
}

function counted(
  options: CountedFaultOptions,
  make: (service: string | undefined) => FaultAction,
): FaultInjector {
  let left = options.count;
  return (req) => {
    if (left <= 0) return undefined;
    if (options.service !== undefined && req.service !== options.service) return undefined;
    left -= 1;
    return make(req.service);
  };
}

/**
 * Throttles the next `count` matching requests the way AWS does: S3 answers 503 `SlowDown`, the
 * other services 400 `Throttling` "Rate exceeded". SDKs retry both (they are retryable errors).
 */
export function throttlingFault(options: CountedFaultOptions): FaultInjector {
  return counted(options, (service) =>
    service === 's3'
      ? {
          kind: 'respond',
          status: 503,
          headers: { 'content-type': 'application/xml' },
          body: awsErrorBody('s3', 'SlowDown', 'Please reduce your request rate.'),
        }
      : {
          kind: 'respond',
          status: 400,
          headers: { 'content-type': 'text/xml' },
          body: awsErrorBody(service, 'Throttling', 'Rate exceeded'),
        },
  );
}

/** Answers the next `count` matching requests with HTTP 500 `InternalError` / `InternalFailure`. */
export function serverErrorFault(options: CountedFaultOptions): FaultInjector {
  return counted(options, (service) => ({
    kind: 'respond',
    status: 500,
    headers: { 'content-type': service === 's3' ? 'application/xml' : 'text/xml' },
    body:
      service === 's3'
        ? awsErrorBody('s3', 'InternalError', 'We encountered an internal error. Please try again.')
        : awsErrorBody(service, 'InternalFailure', 'An internal error occurred.'),
  }));
}

/** Reads the origins and aliases out of a `DistributionConfig` XML body. */
export function parseDistributionConfig(xml: string): { origins: RecordedOrigin[]; aliases: string[] } {
  const [originsBlock = ''] = elements(xml, 'Origins');
  const origins = elements(originsBlock, 'Origin').map((origin): RecordedOrigin => {
    // OriginAccessIdentity sits inside S3OriginConfig; no other element of an Origin has that name.
    const oac = firstText(origin, 'OriginAccessControlId');
    const oai = firstText(origin, 'OriginAccessIdentity');
    return {
      id: firstText(origin, 'Id') ?? '',
      domainName: firstText(origin, 'DomainName') ?? '',
      originPath: firstText(origin, 'OriginPath') ?? '',
      ...(oac !== undefined ? { originAccessControlId: oac } : {}),
      ...(oai !== undefined ? { originAccessIdentity: oai } : {}),
    };
  });
  const [aliasesBlock = ''] = elements(xml, 'Aliases');
  const aliases = elements(aliasesBlock, 'CNAME').map((a) => a.trim().toLowerCase());
  return { origins, aliases };
}

/** The certificate part of a `DistributionConfig` XML body (`ViewerCertificate`). */
export function parseViewerCertificate(xml: string): {
  readonly acmCertificateArn: string | undefined;
  readonly iamCertificateId: string | undefined;
} {
  const [block = ''] = elements(xml, 'ViewerCertificate');
  const text = (name: string): string | undefined => {
    const v = firstText(block, name);
    return v === undefined || v === '' ? undefined : v;
  };
  return { acmCertificateArn: text('ACMCertificateArn'), iamCertificateId: text('IAMCertificateId') };
}

const ALIAS_REQUIREMENTS =
  'For more details, see: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-requirements';

/** CloudFront's answers to a distribution config whose aliases it refuses (observed messages). */
const VIEWER_CERTIFICATE_ERRORS = {
  noCertificate: `To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted certificate that validates your authorization to use the domain name. ${ALIAS_REQUIREMENTS}`,
  invalid:
    "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.",
  notCovered: `The certificate that is attached to your distribution doesn't cover the alternate domain name (CNAME) that you're trying to add. ${ALIAS_REQUIREMENTS}`,
  cnameTaken: 'One or more of the CNAMEs you provided are already associated with a different resource.',
} as const;

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });
}

/** Forwarded request headers: all but hop-by-hop ones and `expect` (Node answers 100-continue itself). */
function forwardHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'expect'].includes(name)) continue;
    out[name] = value;
  }
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['connection', 'keep-alive', 'transfer-encoding'].includes(name)) continue;
    out[name] = value;
  }
  return out;
}

type CloudFrontOp =
  | { kind: 'create' }
  | { kind: 'update'; id: string }
  | { kind: 'get'; id: string }
  | { kind: 'delete'; id: string }
  | { kind: 'list' }
  | { kind: 'other' };

function classifyCloudFront(method: string, pathname: string): CloudFrontOp {
  const rest = pathname.slice(CLOUDFRONT_PREFIX.length);
  if (rest === 'distribution') return method === 'POST' ? { kind: 'create' } : { kind: 'list' };
  const m = /^distribution\/([^/]+)(\/config)?$/.exec(rest);
  if (m?.[1] !== undefined) {
    const id = decodeURIComponent(m[1]);
    if (m[2] !== undefined) return method === 'PUT' ? { kind: 'update', id } : { kind: 'other' };
    if (method === 'GET') return { kind: 'get', id };
    if (method === 'DELETE') return { kind: 'delete', id };
  }
  return { kind: 'other' };
}

/**
 * Starts the gateway in front of moto on 127.0.0.1.
 * @see docs/sandbox.md for what it forwards and what it repairs.
 */
export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const target = new URL(options.target);
  const records = new Map<string, RecordedDistribution>();
  const oai = createOaiEmulator();
  let injector: FaultInjector | undefined;
  let inProgressMs = options.inProgressMs ?? 0;
  const sockets = new Set<Socket>();
  // Reads certificates from moto's ACM (us-east-1, moto's default account) to check aliases.
  const acm = new ACMClient({
    endpoint: options.target,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIASANDBOXGATEWAY00', secretAccessKey: 'sandbox-gateway-not-a-secret' },
    maxAttempts: 1,
  });

  /**
   * What CloudFront answers instead of accepting a DistributionConfig with aliases: an issued ACM
   * certificate from us-east-1 must cover every alias, and no other distribution may use one.
   * IAM server certificates (`IAMCertificateId`) are not emulated and pass unchecked.
   */
  const aliasProblem = async (
    configXml: string,
    selfId: string | undefined,
  ): Promise<{ status: number; code: string; message: string } | undefined> => {
    const { aliases } = parseDistributionConfig(configXml);
    if (aliases.length === 0) return undefined;
    const viewer = parseViewerCertificate(configXml);
    if (viewer.iamCertificateId === undefined) {
      const arn = viewer.acmCertificateArn;
      if (arn === undefined)
        return {
          status: 400,
          code: 'InvalidViewerCertificate',
          message: VIEWER_CERTIFICATE_ERRORS.noCertificate,
        };
      const cert =
        arn.split(':')[3] === 'us-east-1'
          ? await acm.send(new DescribeCertificateCommand({ CertificateArn: arn })).then(
              (r) => r.Certificate,
              () => undefined,
            )
          : undefined;
      if (cert?.Status !== 'ISSUED')
        return { status: 400, code: 'InvalidViewerCertificate', message: VIEWER_CERTIFICATE_ERRORS.invalid };
      const names = [cert.DomainName ?? '', ...(cert.SubjectAlternativeNames ?? [])];
      if (!aliases.every((a) => certificateCovers(names, a)))
        return {
          status: 400,
          code: 'InvalidViewerCertificate',
          message: VIEWER_CERTIFICATE_ERRORS.notCovered,
        };
    }
    for (const rec of records.values()) {
      if (rec.id !== selfId && rec.aliases.some((a) => aliases.includes(a)))
        return { status: 409, code: 'CNAMEAlreadyExists', message: VIEWER_CERTIFICATE_ERRORS.cnameTaken };
    }
    return undefined;
  };

  const statusFor = (id: string): 'InProgress' | undefined => {
    const rec = records.get(id);
    return rec !== undefined && Date.now() - rec.changedAt < inProgressMs ? 'InProgress' : undefined;
  };

  /**
   * Puts back into a distribution's origins what moto dropped (the OAC id, the OAI), from the
   * recorded config, so clients reading the distribution see what they wrote (as on AWS).
   */
  const restoreOrigins = (id: string, body: string): string => {
    const rec = records.get(id);
    if (rec === undefined) return body;
    return body.replace(/<Origin>([\s\S]*?)<\/Origin>/g, (block: string, inner: string) => {
      const originId = firstText(inner, 'Id');
      const origin = rec.origins.find((o) => o.id === originId);
      if (origin === undefined) return block;
      let out = inner;
      const oac = origin.originAccessControlId ?? '';
      if (/<OriginAccessControlId>[\s\S]*?<\/OriginAccessControlId>|<OriginAccessControlId\/>/.test(out)) {
        out = out.replace(
          /<OriginAccessControlId>[\s\S]*?<\/OriginAccessControlId>|<OriginAccessControlId\/>/,
          `<OriginAccessControlId>${oac}</OriginAccessControlId>`,
        );
      } else if (oac !== '') {
        out = `${out}<OriginAccessControlId>${oac}</OriginAccessControlId>`;
      }
      const oai = origin.originAccessIdentity;
      if (oai !== undefined) {
        const filled = `<S3OriginConfig><OriginAccessIdentity>${oai}</OriginAccessIdentity></S3OriginConfig>`;
        if (/<S3OriginConfig>[\s\S]*?<\/S3OriginConfig>|<S3OriginConfig\/>/.test(out)) {
          out = out.replace(/<S3OriginConfig>[\s\S]*?<\/S3OriginConfig>|<S3OriginConfig\/>/, filled);
        } else {
          out = `${out}${filled}`;
        }
      }
      return `<Origin>${out}</Origin>`;
    });
  };

  /** Rewrites a buffered CloudFront response: AWS-form ARNs, restored origins, simulated deployment status. */
  const rewriteCloudFront = (op: CloudFrontOp, body: string): string => {
    let out = body.replace(MOTO_ARN_RE, 'arn:$1:cloudfront::$2:');
    if (op.kind === 'get' || op.kind === 'update') out = restoreOrigins(op.id, out);
    if (op.kind === 'create') {
      const created = firstText(out, 'Id');
      if (created !== undefined) out = restoreOrigins(created, out);
    }
    if (inProgressMs > 0) {
      if (op.kind === 'get' || op.kind === 'update') {
        if (statusFor(op.id) !== undefined)
          out = out.replace('<Status>Deployed</Status>', '<Status>InProgress</Status>');
      } else if (op.kind === 'list') {
        out = out.replace(/<DistributionSummary>[\s\S]*?<\/DistributionSummary>/g, (summary) => {
          const id = firstText(summary, 'Id');
          return id !== undefined && statusFor(id) !== undefined
            ? summary.replace('<Status>Deployed</Status>', '<Status>InProgress</Status>')
            : summary;
        });
      }
    }
    return out;
  };

  const record = (op: CloudFrontOp, requestBody: string, responseBody: string): void => {
    if (op.kind === 'delete') {
      records.delete(op.id);
      return;
    }
    if (op.kind !== 'create' && op.kind !== 'update') return;
    // CreateDistributionWithTags wraps the config in <DistributionConfigWithTags>; elements() finds it either way.
    const [config] = elements(requestBody, 'DistributionConfig');
    if (config === undefined) return;
    const id = op.kind === 'update' ? op.id : firstText(responseBody, 'Id');
    if (id === undefined) return;
    records.set(id, { id, ...parseDistributionConfig(config), changedAt: Date.now() });
  };

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const service = sigV4Service(req.headers);
    const isCloudFront =
      url.pathname.startsWith(CLOUDFRONT_PREFIX) && (service ?? 'cloudfront') === 'cloudfront';
    if (isCloudFront && oai.matches(url.pathname)) {
      // moto has no OAI API: answered here (src/sandbox/oai.ts).
      const body = ['POST', 'PUT'].includes(req.method ?? '') ? (await readBody(req)).toString('utf8') : '';
      const inUse = (id: string): boolean =>
        [...records.values()].some((r) =>
          r.origins.some((o) => o.originAccessIdentity === `origin-access-identity/cloudfront/${id}`),
        );
      const answer = oai.handle(req.method ?? 'GET', url, req.headers, body, inUse);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    const op = isCloudFront ? classifyCloudFront(req.method ?? 'GET', url.pathname) : undefined;
    let path = req.url ?? '/';
    if (isCloudFront && url.pathname === `${CLOUDFRONT_PREFIX}tagging`) {
      // Tagging takes the ARN in ?Resource=; moto keys tags by its own ARN form.
      const resource = url.searchParams.get('Resource');
      if (resource !== null) {
        url.searchParams.set('Resource', resource.replace(AWS_ARN_RE, 'arn:$1:cloudfront:$2:'));
        path = url.pathname + url.search;
      }
    }
    const needsRequestBody = op !== undefined && (op.kind === 'create' || op.kind === 'update');
    const requestBody = needsRequestBody ? await readBody(req) : undefined;
    if (requestBody !== undefined && op !== undefined) {
      const [config] = elements(requestBody.toString('utf8'), 'DistributionConfig');
      const problem =
        config === undefined
          ? undefined
          : await aliasProblem(config, op.kind === 'update' ? op.id : undefined);
      if (problem !== undefined) {
        res.writeHead(problem.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() });
        res.end(awsErrorBody('cloudfront', problem.code, problem.message));
        return;
      }
    }
    const headers = forwardHeaders(req.headers);
    if (requestBody !== undefined) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(requestBody.length);
    }

    const upstream = httpRequest({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path,
      headers,
    });
    upstream.on('response', (up) => {
      const status = up.statusCode ?? 502;
      if (op === undefined || up.headers['content-encoding'] !== undefined) {
        res.writeHead(status, responseHeaders(up.headers));
        up.pipe(res);
        return;
      }
      readBody(up).then(
        (buf) => {
          const text = buf.toString('utf8');
          if (status >= 200 && status < 300) record(op, requestBody?.toString('utf8') ?? '', text);
          const body = Buffer.from(rewriteCloudFront(op, text), 'utf8');
          const h = responseHeaders(up.headers);
          h['content-length'] = String(body.length);
          res.writeHead(status, h);
          res.end(body);
        },
        () => res.destroy(),
      );
    });
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // moto is down or dropped us: a 502 the SDK treats as a retryable server error.
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`stsctl sandbox gateway: moto unreachable: ${err.message}\n`);
    });
    if (requestBody !== undefined) upstream.end(requestBody);
    else req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const info: GatewayRequestInfo = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      service: sigV4Service(req.headers),
    };
    const fault = injector?.(info);
    const run = async (): Promise<void> => {
      if (fault?.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'respond') {
        req.resume();
        res.writeHead(fault.status, { 'x-amzn-requestid': requestId(), ...fault.headers });
        res.end(fault.body ?? '');
        return;
      }
      if (fault?.kind === 'delay') await sleep(fault.ms);
      await forward(req, res);
    };
    run().catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    distribution: (id) => records.get(id),
    distributions: () => [...records.values()],
    setFaultInjector(next) {
      injector = next;
    },
    setInProgressMs(ms) {
      inProgressMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        acm.destroy();
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
