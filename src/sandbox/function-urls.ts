/**
 * Lambda function URLs in the sandbox. moto keeps the functions, their URL configs and resource
 * policies, but running a function would need Docker, so nothing is ever invoked through moto.
 * Instead, when the validating STS resolves `<url-id>.lambda-url.<region>.on.aws`, the sandbox
 * finds the function whose URL that is (moto's ListFunctions + GetFunctionUrlConfig), starts a
 * small HTTPS server for the host (certificate from the sandbox CA, which plays AWS's trusted CA
 * library: no thumbprint needed) and routes the host to it with `hostRoutes`. Each request is then
 * answered as Lambda would:
 *
 * - the URL config and resource policy are read again for every request, so drift shows at once:
 *   auth type `AWS_IAM` answers an unsigned request 403 `{"Message":"Forbidden"}`, and so does a
 *   resource policy that does not open the URL to everyone (urls-auth.html);
 * - stsctl's shipped handler (assets/issuer-function/index.mjs) runs in-process with a function
 *   URL event (payload format 2.0), reading the bucket named by the function's `ISSUER_BUCKET`
 *   through the gateway with the function role's view: the role's inline policies decide its
 *   identity-based access (`evaluateIdentityPolicies`, shared with the doctor) and
 *   `evaluateS3Access` applies S3's rules (bucket policy, blocks). A
 *   denied read rejects as the runtime's SDK would (AccessDenied), and the handler answers 502.
 *
 * What differs from Lambda is listed in docs/sandbox.md ("Lambda function URLs").
 */
import { GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import { GetBucketPolicyCommand, GetObjectCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsClients } from '../aws/clients.js';
import { awsCall } from '../aws/errors.js';
import {
  ISSUER_BUCKET_VARIABLE,
  allowsPublicUrlInvoke,
  issuerFunctionUrlHost,
} from '../aws/issuer-function.js';
import { LAMBDA_NOT_FOUND } from '../aws/observe-issuer-function.js';
import { evaluateS3Access } from '../core/s3-access.js';
import { evaluateIdentityPolicies } from '../core/identity-policy.js';
import { decodePolicyDocument } from '../webidentity/iam-view.js';
import type { CertificateAuthority } from './ca.js';
import type { HostRoutes } from './host-routes.js';
import { normalizeHost } from './hosts.js';

/** `<url-id>.lambda-url.<region>.on.aws` (Lambda's function URL host form). */
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

interface HandlerModule {
  createHandler(o: {
    readObject: (key: string) => Promise<string | undefined>;
  }): (event: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
}

/** The shipped function, loaded once (src/sandbox/ and dist/sandbox/ are two levels below the root). */
let handlerModule: Promise<HandlerModule> | undefined;
function loadHandlerModule(): Promise<HandlerModule> {
  handlerModule ??= import(
    new URL('../../assets/issuer-function/index.mjs', import.meta.url).href
  ) as Promise<HandlerModule>;
  return handlerModule;
}

export interface FunctionUrlHostsOptions {
  /** Clients on the gateway (moto), signed with the sandbox credentials. */
  readonly clients: AwsClients;
  /** The sandbox CA (AWS's trusted CA library). */
  readonly ca: CertificateAuthority;
  readonly hostRoutes: HostRoutes;
  readonly accountId: string;
}

/** The function URL servers of a sandbox. */
export interface FunctionUrlHosts {
  /** Serves `host` when it is a function URL moto knows; stops serving it when it is not any more. */
  ensure(host: string): Promise<void>;
  stop(): Promise<void>;
}

/** Creates the function URL servers (none runs until a URL host is resolved). */
export function createFunctionUrlHosts(o: FunctionUrlHostsOptions): FunctionUrlHosts {
  const servers = new Map<string, { server: Server; functionName: string }>();
  const { clients } = o;

  async function findFunction(host: string): Promise<string | undefined> {
    for await (const page of paginateListFunctions({ client: clients.lambda }, {})) {
      for (const fn of page.Functions ?? []) {
        const name = fn.FunctionName;
        if (name === undefined) continue;
        const url = await awsCall(
          `reading the function URL of ${name}`,
          () => clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name })),
          [...LAMBDA_NOT_FOUND],
        );
        if (url?.FunctionUrl !== undefined && issuerFunctionUrlHost(url.FunctionUrl) === host) return name;
      }
    }
    return undefined;
  }

  /** Reads `key` of `bucket` as the function's role may. */
  async function readAsRole(roleArn: string, bucket: string, key: string): Promise<string | undefined> {
    const roleName = roleArn.split('/').pop() ?? '';
    const names = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    const policies = await Promise.all(
      (names.PolicyNames ?? []).map(async (p) => {
        const got = await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: p }));
        return { name: p, document: decodePolicyDocument(got.PolicyDocument ?? '') };
      }),
    );
    const [policy, pab, object] = await Promise.all([
      awsCall(
        'reading the bucket policy',
        () => clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
        ['NoSuchBucketPolicy'],
      ),
      awsCall(
        'reading the public-access block',
        () => clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
        ['NoSuchPublicAccessBlockConfiguration'],
      ),
      awsCall(
        'reading the object',
        () => clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
        ['NoSuchKey', 'NotFound'],
      ),
    ]);
    const decision = evaluateS3Access({
      requester: {
        kind: 'iam',
        arn: roleArn,
        accountId: o.accountId,
        identityPolicy: evaluateIdentityPolicies(policies, 's3:GetObject', `arn:aws:s3:::${bucket}/${key}`)
          .effect,
      },
      action: 's3:GetObject',
      bucket,
      key,
      ...(policy?.Policy === undefined ? {} : { policy: policy.Policy }),
      ...(pab?.PublicAccessBlockConfiguration === undefined
        ? {}
        : { bucketPublicAccessBlock: pab.PublicAccessBlockConfiguration }),
      bucketOwnerAccountId: o.accountId,
      objectExists: object?.Body !== undefined,
    });
    if (decision.status === 404) return undefined;
    // The runtime's SDK rejects a denied read with S3's error, as the real function would see it.
    if (!decision.allowed) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    return object?.Body === undefined ? undefined : await object.Body.transformToString('utf8');
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    res.writeHead(status, { ...headers, 'x-amzn-requestid': crypto.randomUUID() });
    res.end(body);
  }

  async function answer(functionName: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const forbidden = (): void => {
      send(res, 403, { 'content-type': 'application/json' }, JSON.stringify({ Message: 'Forbidden' }));
    };
    const [url, policy, fn] = await Promise.all([
      awsCall(
        '',
        () => clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: functionName })),
        [...LAMBDA_NOT_FOUND],
      ),
      awsCall('', () => clients.lambda.send(new GetPolicyCommand({ FunctionName: functionName })), [
        ...LAMBDA_NOT_FOUND,
      ]),
      awsCall('', () => clients.lambda.send(new GetFunctionCommand({ FunctionName: functionName })), [
        ...LAMBDA_NOT_FOUND,
      ]),
    ]);
    if (url === undefined || fn?.Configuration === undefined) {
      send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ Message: 'Not Found' }));
      return;
    }
    const authType = url.AuthType ?? '';
    // AWS_IAM: only a SigV4-signed request gets in (STS fetches issuers unsigned).
    const signed = req.headers.authorization?.startsWith('AWS4-HMAC-SHA256') === true;
    if (authType === 'AWS_IAM' ? !signed : !allowsPublicUrlInvoke(authType, policy?.Policy)) {
      forbidden();
      return;
    }
    const config = fn.Configuration;
    const bucket = config.Environment?.Variables?.[ISSUER_BUCKET_VARIABLE] ?? '';
    const role = config.Role ?? '';
    const mod = await loadHandlerModule();
    const handler = mod.createHandler({ readObject: (key) => readAsRole(role, bucket, key) });
    const target = new URL(req.url ?? '/', 'https://function-url');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const method = req.method ?? 'GET';
    const result = await handler({
      version: '2.0',
      routeKey: '$default',
      rawPath: target.pathname,
      rawQueryString: target.search.replace(/^\?/, ''),
      headers,
      requestContext: {
        domainName: req.headers.host ?? '',
        http: {
          method,
          path: target.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress ?? '',
        },
      },
      isBase64Encoded: false,
    });
    send(res, result.statusCode, result.headers, method === 'HEAD' ? '' : result.body);
  }

  async function startServer(host: string, functionName: string): Promise<void> {
    const leaf = await o.ca.issueLeaf({ dnsNames: [host] });
    const server = createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (req, res) => {
      const entry = servers.get(host);
      answer(entry?.functionName ?? functionName, req, res).catch((e: unknown) => {
        // Lambda's own answer when the function fails: 502 with this body.
        if (!res.headersSent)
          send(
            res,
            502,
            { 'content-type': 'application/json' },
            JSON.stringify({ Message: 'Internal Server Error' }),
          );
        else res.destroy(e instanceof Error ? e : undefined);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    servers.set(host, { server, functionName });
    o.hostRoutes.set(host, { host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  }

  async function stopServer(host: string): Promise<void> {
    const entry = servers.get(host);
    if (entry === undefined) return;
    servers.delete(host);
    o.hostRoutes.delete(host);
    entry.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      entry.server.close(() => {
        resolve();
      });
    });
  }

  return {
    async ensure(rawHost) {
      const host = normalizeHost(rawHost);
      if (!FUNCTION_URL_HOST.test(host)) return;
      const functionName = await findFunction(host).catch(() => undefined);
      const running = servers.get(host);
      if (functionName === undefined) await stopServer(host);
      else if (running === undefined) await startServer(host, functionName);
      else if (running.functionName !== functionName) running.functionName = functionName;
    },
    async stop() {
      await Promise.all([...servers.keys()].map((h) => stopServer(h)));
    },
  };
}
