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
 * - moto serves unsigned S3 reads by its own, wrong, access rules; the gateway judges unsigned
 *   `GET`/`HEAD` of objects and bucket listings with the S3 evaluator, as the edge does
 *   (src/sandbox/edge-s3-reads.ts). Signed requests go to moto unchanged.
 * - IAM writes: the shared-IdP control on trust policies (moto has none), and the hooks that keep
 *   the validating STS's IAM view current (src/sandbox/iam-writes.ts).
 *
 * Fault injection: {@link Gateway.setFaultInjector} decides per request to answer with an error,
 * delay, or drop the connection, before moto sees it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACMClient } from '@aws-sdk/client-acm';
import { awsErrorBody, awsRequestId, sigV4Service } from './aws-wire.js';
import { aliasProblem } from './cloudfront-aliases.js';
import { AWS_ARN_RE, CLOUDFRONT_PREFIX, classifyCloudFront } from './cloudfront-operations.js';
import type { RecordedDistribution } from './distribution-config.js';
import { DistributionRecords } from './distribution-records.js';
import type { FaultAction, FaultInjector, GatewayRequestInfo } from './gateway-faults.js';
import { answerOidcProviderWrite } from './iam-oidc-emulation.js';
import { createOaiEmulator, type OaiEmulator } from './oai.js';
import { forwardHeaders, responseHeaders } from './proxy-headers.js';
import { accessDenied, decodePath, type Answer } from './edge-answer.js';
import { S3Reads } from './edge-s3-reads.js';
import {
  classifyIamRequest,
  sharedIdpRefusalFor,
  type IamRequest,
  type IamWriteHooks,
} from './iam-writes.js';
import { elements } from './xml-text.js';

export { awsErrorBody, sigV4Service } from './aws-wire.js';
export {
  serverErrorFault,
  throttlingFault,
  type CountedFaultOptions,
  type FaultAction,
  type FaultInjector,
  type GatewayRequestInfo,
} from './gateway-faults.js';
export {
  parseDistributionConfig,
  parseViewerCertificate,
  type RecordedDistribution,
  type RecordedOrigin,
} from './distribution-config.js';

/** Options for {@link startGateway}. */
export interface StartGatewayOptions {
  /** moto's endpoint, e.g. `http://127.0.0.1:5000`. */
  readonly target: string;
  /** Report `InProgress` for this long after a create/update, ms. Default 0 (moto's behaviour). */
  readonly inProgressMs?: number;
  /** Port to listen on; default 0 (free port). */
  readonly port?: number;
  /** Account that owns moto's buckets (moto's default `123456789012`). */
  readonly accountId?: string;
  /** Told about every IAM write (see {@link Gateway.setIamWriteHooks}). */
  readonly iamWrites?: IamWriteHooks;
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
  /** Installs (or with undefined removes) what is told about IAM writes (the validating STS). */
  setIamWriteHooks(hooks: IamWriteHooks | undefined): void;
  /** Changes the simulated deployment time, ms. */
  setInProgressMs(ms: number): void;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
}

/** What a proxied request needs: moto's address, the records, the OAI emulator and ACM. */
interface ProxyContext {
  readonly target: URL;
  readonly records: DistributionRecords;
  readonly oai: OaiEmulator;
  readonly acm: ACMClient;
  /** S3 reads judged by S3's rules, for unsigned requests. */
  readonly s3: S3Reads;
  iamWrites: IamWriteHooks | undefined;
}

/** Answers an OAI API call: moto has none, so src/sandbox/oai.ts plays it. */
async function answerOai(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const body = ['POST', 'PUT'].includes(req.method ?? '') ? (await buffer(req)).toString('utf8') : '';
  const answer = ctx.oai.handle(req.method ?? 'GET', url, req.headers, body, (id) => ctx.records.usesOai(id));
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/** Object GET parameters that select what is read, not another sub-resource. */
const OBJECT_READ_PARAMS = /^(versionId|partNumber|response-[a-z-]+|x-id)$/;
/** Bucket GET parameters of ListObjects / ListObjectsV2. */
const LIST_PARAMS =
  /^(list-type|prefix|delimiter|max-keys|marker|continuation-token|start-after|encoding-type|fetch-owner|x-id)$/;

/** Writes a buffered answer (no body for HEAD). */
function writeAnswer(res: ServerResponse, method: string, answer: Answer): void {
  answer.headers['content-length'] = String(answer.body.length);
  res.writeHead(answer.status, answer.headers);
  res.end(method === 'HEAD' ? undefined : answer.body);
}

/**
 * An unsigned S3 `GET`/`HEAD` (path style: `/<bucket>[/<key>]`), judged as S3 judges an anonymous
 * request. Object reads are answered here; a bucket listing S3 would allow goes on to moto; true
 * when answered. Sub-resource reads (`?acl`, `?policy`…) are left to moto (not judged).
 */
async function answerUnsignedS3(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const m = /^\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
  if (m?.[1] === undefined) return false;
  const bucket = decodePath(m[1]);
  const key = decodePath(m[2] ?? '');
  const params = [...url.searchParams.keys()];
  if (key !== '') {
    if (!params.every((p) => OBJECT_READ_PARAMS.test(p))) return false;
    req.resume();
    writeAnswer(res, method, await ctx.s3.read({ kind: 'anonymous' }, bucket, key));
    return true;
  }
  if (!params.every((p) => LIST_PARAMS.test(p))) return false;
  const decision = await ctx.s3.listing({ kind: 'anonymous' }, bucket);
  // A missing bucket: moto's NoSuchBucket is S3's answer too.
  if (decision === undefined || decision.allowed) return false;
  req.resume();
  writeAnswer(res, method, accessDenied());
  return true;
}

/** An unsigned request: no SigV4/SigV2 header and no presigned query. */
function isUnsigned(headers: IncomingMessage['headers'], url: URL): boolean {
  return (
    headers.authorization === undefined &&
    !url.searchParams.has('X-Amz-Signature') &&
    !url.searchParams.has('Signature')
  );
}

/** Answers an IAM error in IAM's Query XML shape. */
function writeIamError(res: ServerResponse, error: { code: string; status: number; message: string }): void {
  const body = awsErrorBody('iam', error.code, error.message);
  res.writeHead(error.status, {
    'content-type': 'text/xml',
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': awsRequestId(),
  });
  res.end(body);
}

/**
 * Forwards one request to moto: bodies streamed unchanged, except CloudFront distribution calls,
 * whose configs are checked (aliases) and recorded, and whose answers are rewritten.
 */
async function proxyToMoto(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const service = sigV4Service(req.headers);
  const isCloudFront =
    url.pathname.startsWith(CLOUDFRONT_PREFIX) && (service ?? 'cloudfront') === 'cloudfront';
  if (isCloudFront && ctx.oai.matches(url.pathname)) {
    await answerOai(ctx, req, res, url);
    return;
  }
  const method = req.method ?? 'GET';
  if (
    (method === 'GET' || method === 'HEAD') &&
    !isCloudFront &&
    !url.pathname.startsWith('/moto-api') &&
    isUnsigned(req.headers, url) &&
    (await answerUnsignedS3(ctx, req, res, url))
  ) {
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
  const isIam = service === 'iam';
  const needsRequestBody = isIam || (op !== undefined && (op.kind === 'create' || op.kind === 'update'));
  const requestBody = needsRequestBody ? await buffer(req) : undefined;
  let iamWrite: IamRequest | undefined;
  if (isIam && requestBody !== undefined) {
    // IAM speaks the Query protocol: parameters in a form body (POST) or the query string.
    const params = new URLSearchParams(url.search);
    for (const [k, v] of new URLSearchParams(requestBody.toString('utf8'))) params.append(k, v);
    const iamRequest = classifyIamRequest(params);
    const refusal = iamRequest === undefined ? undefined : sharedIdpRefusalFor(iamRequest, params);
    if (refusal !== undefined) {
      writeIamError(res, refusal);
      return;
    }
    if (iamRequest?.write === true) {
      iamWrite = iamRequest;
      await ctx.iamWrites?.before(iamRequest);
      if (
        await answerOidcProviderWrite(ctx.target, params, req.headers, res, () =>
          ctx.iamWrites?.after(iamRequest),
        )
      )
        return;
    }
  }
  if (requestBody !== undefined && op !== undefined) {
    const [config] = elements(requestBody.toString('utf8'), 'DistributionConfig');
    const problem =
      config === undefined
        ? undefined
        : await aliasProblem(ctx.acm, ctx.records.all(), config, op.kind === 'update' ? op.id : undefined);
    if (problem !== undefined) {
      res.writeHead(problem.status, { 'content-type': 'text/xml', 'x-amzn-requestid': awsRequestId() });
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
    protocol: ctx.target.protocol,
    hostname: ctx.target.hostname,
    port: ctx.target.port,
    method: req.method,
    path,
    headers,
  });
  upstream.on('response', (up) => {
    const status = up.statusCode ?? 502;
    // moto has applied the write when it answers: STS must see it before the client does.
    if (iamWrite !== undefined) ctx.iamWrites?.after(iamWrite);
    if (op === undefined || up.headers['content-encoding'] !== undefined) {
      res.writeHead(status, responseHeaders(up.headers));
      up.pipe(res);
      return;
    }
    buffer(up).then(
      (buf) => {
        const text = buf.toString('utf8');
        if (status >= 200 && status < 300) ctx.records.record(op, requestBody?.toString('utf8') ?? '', text);
        const body = Buffer.from(ctx.records.rewrite(op, text), 'utf8');
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
}

/** Applies a fault (answer, drop, delay) and then, unless it answered, proxies the request. */
async function serveWithFault(
  ctx: ProxyContext,
  fault: FaultAction | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (fault?.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'respond') {
    req.resume();
    res.writeHead(fault.status, { 'x-amzn-requestid': awsRequestId(), ...fault.headers });
    res.end(fault.body ?? '');
    return;
  }
  if (fault?.kind === 'delay') await sleep(fault.ms);
  await proxyToMoto(ctx, req, res);
}

/**
 * Starts the gateway in front of moto on 127.0.0.1.
 * @see docs/sandbox.md for what it forwards and what it repairs.
 */
export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const ctx: ProxyContext = {
    target: new URL(options.target),
    records: new DistributionRecords(options.inProgressMs ?? 0),
    oai: createOaiEmulator(),
    // Reads certificates from moto's ACM (us-east-1, moto's default account) to check aliases.
    acm: new ACMClient({
      endpoint: options.target,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASANDBOXGATEWAY00', secretAccessKey: 'sandbox-gateway-not-a-secret' },
      maxAttempts: 1,
    }),
    s3: new S3Reads(options.target, options.accountId ?? '123456789012'),
    iamWrites: options.iamWrites,
  };
  let injector: FaultInjector | undefined;

  const server = createServer((req, res) => {
    const info: GatewayRequestInfo = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      service: sigV4Service(req.headers),
    };
    serveWithFault(ctx, injector?.(info), req, res).catch(() => res.destroy());
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
    distribution: (id) => ctx.records.get(id),
    distributions: () => ctx.records.all(),
    setFaultInjector(next) {
      injector = next;
    },
    setIamWriteHooks(hooks) {
      ctx.iamWrites = hooks;
    },
    setInProgressMs(ms) {
      ctx.records.inProgressMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        ctx.acm.destroy();
        ctx.s3.destroy();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
