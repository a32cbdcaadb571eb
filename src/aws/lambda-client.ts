import { createHash, createHmac, type Hash } from 'node:crypto';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { partitionForRegion } from '../core/partitions.js';

/**
 * The AWS Lambda control-plane calls stsctl makes for `--hosting lambda`, over Lambda's REST-JSON
 * protocol (https://docs.aws.amazon.com/lambda/latest/api/), signed with SigV4 by the SDK's own
 * signer (`@smithy/signature-v4`) and sent through the same Node HTTP handler (and so the same
 * proxies) as the SDK clients. Written here because `@aws-sdk/client-lambda` is not a dependency
 * of stsctl; each method maps one API action, and an error carries AWS's error code as `name`
 * and `$metadata`, exactly like an SDK v3 service error, so `src/aws/errors.ts` maps it unchanged.
 */

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SigV4's hash (SHA-256, or HMAC-SHA-256 with a secret), as the signer's `sha256` option wants it. */
class Sha256 {
  readonly #h: Hash | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#h.digest()));
  }
}

/** An AWS error as the SDK v3 shapes it (name = AWS's error code). */
export class LambdaServiceError extends Error {
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  constructor(name: string, message: string, status: number, requestId: string | undefined) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status, ...(requestId === undefined ? {} : { requestId }) };
  }
}

export interface FunctionConfiguration {
  readonly FunctionName?: string;
  readonly FunctionArn?: string;
  readonly Runtime?: string;
  readonly Role?: string;
  readonly Handler?: string;
  readonly CodeSha256?: string;
  readonly State?: string;
  readonly LastUpdateStatus?: string;
  readonly Environment?: { readonly Variables?: Readonly<Record<string, string>> };
}

export interface FunctionUrlConfig {
  readonly FunctionUrl?: string;
  readonly FunctionArn?: string;
  readonly AuthType?: string;
  readonly Cors?: { readonly AllowMethods?: readonly string[]; readonly AllowOrigins?: readonly string[] };
}

export interface CreateFunctionInput {
  readonly FunctionName: string;
  readonly Runtime: string;
  readonly Role: string;
  readonly Handler: string;
  readonly Description: string;
  readonly ZipFile: Buffer;
  readonly Environment: Readonly<Record<string, string>>;
  readonly Tags: Readonly<Record<string, string>>;
}

export interface AddPermissionInput {
  readonly StatementId: string;
  readonly Action: string;
  readonly Principal: string;
  readonly FunctionUrlAuthType?: string;
  readonly InvokedViaFunctionUrl?: boolean;
}

export interface LambdaClientOptions {
  readonly region: string;
  /** The endpoint; default `https://lambda.<region>.<dnsSuffix>`. */
  readonly endpoint?: string | undefined;
  /** The SDK's credential provider (the standard chain, or static credentials). */
  readonly credentials: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }>;
  readonly handler: NodeHttpHandler;
}

async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer | string>)
    chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

/** Lambda's control plane for one region. */
export class LambdaClient {
  readonly region: string;
  readonly #endpoint: URL;
  readonly #signer: SignatureV4;
  readonly #handler: NodeHttpHandler;

  constructor(o: LambdaClientOptions) {
    this.region = o.region;
    this.#endpoint = new URL(
      o.endpoint ?? `https://lambda.${o.region}.${partitionForRegion(o.region).dnsSuffix}`,
    );
    this.#signer = new SignatureV4({
      service: 'lambda',
      region: o.region,
      credentials: o.credentials,
      sha256: Sha256,
    });
    this.#handler = o.handler;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const base = this.#endpoint.pathname.replace(/\/$/, '');
    const request = {
      method,
      protocol: this.#endpoint.protocol,
      hostname: this.#endpoint.hostname,
      ...(this.#endpoint.port === '' ? {} : { port: Number(this.#endpoint.port) }),
      path: `${base}${path.split('?')[0] ?? ''}`,
      // The signer canonicalises the query from this map, not from the path.
      query: Object.fromEntries(new URLSearchParams(path.split('?')[1] ?? '')),
      headers: {
        host: this.#endpoint.host,
        ...(payload === undefined
          ? {}
          : {
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(payload)),
            }),
      } as Record<string, string>,
      ...(payload === undefined ? {} : { body: payload }),
    };
    const signed = await this.#signer.sign(request);
    // The handler reads only HttpRequest's fields (method, protocol, hostname, port, path, query,
    // headers, body); the class itself lives in @smithy/protocol-http, not a dependency of stsctl.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    const { response } = await this.#handler.handle(signed as Parameters<NodeHttpHandler['handle']>[0]);
    const text = await readBody(response.body);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return (text === '' ? {} : JSON.parse(text)) as T;
    const headers = response.headers;
    let parsed: { Type?: string; message?: string; Message?: string; __type?: string } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // A non-JSON error (a proxy's page): the status names it below.
    }
    // Lambda names the error in x-amzn-errortype (`Code:namespace`) or the body's __type/Type.
    const code =
      (headers['x-amzn-errortype'] ?? parsed.__type ?? '').split(':')[0]?.split('#').pop() || `Http${status}`;
    throw new LambdaServiceError(
      code,
      parsed.message ?? parsed.Message ?? text.slice(0, 200),
      status,
      headers['x-amzn-requestid'],
    );
  }

  /** GetFunction: the configuration and tags. */
  getFunction(
    name: string,
  ): Promise<{ Configuration?: FunctionConfiguration; Tags?: Record<string, string> }> {
    return this.#call('GET', `/2015-03-31/functions/${encodeURIComponent(name)}`);
  }

  /** ListFunctions, every page. */
  async listFunctions(): Promise<FunctionConfiguration[]> {
    const all: FunctionConfiguration[] = [];
    let marker: string | undefined;
    do {
      const q = marker === undefined ? '' : `?Marker=${encodeURIComponent(marker)}`;
      const page = await this.#call<{ Functions?: FunctionConfiguration[]; NextMarker?: string }>(
        'GET',
        `/2015-03-31/functions/${q}`,
      );
      all.push(...(page.Functions ?? []));
      marker = page.NextMarker ?? undefined;
    } while (marker !== undefined && marker !== '');
    return all;
  }

  /** CreateFunction from a zip package. */
  createFunction(i: CreateFunctionInput): Promise<FunctionConfiguration> {
    return this.#call('POST', '/2015-03-31/functions', {
      FunctionName: i.FunctionName,
      Runtime: i.Runtime,
      Role: i.Role,
      Handler: i.Handler,
      Description: i.Description,
      Code: { ZipFile: i.ZipFile.toString('base64') },
      Environment: { Variables: i.Environment },
      Tags: i.Tags,
      Publish: false,
    });
  }

  /** UpdateFunctionCode with a zip package. */
  updateFunctionCode(name: string, zip: Buffer): Promise<FunctionConfiguration> {
    return this.#call('PUT', `/2015-03-31/functions/${encodeURIComponent(name)}/code`, {
      ZipFile: zip.toString('base64'),
    });
  }

  /** UpdateFunctionConfiguration: role, handler, runtime and environment. */
  updateFunctionConfiguration(
    name: string,
    c: { Role: string; Handler: string; Runtime: string; Environment: Readonly<Record<string, string>> },
  ): Promise<FunctionConfiguration> {
    return this.#call('PUT', `/2015-03-31/functions/${encodeURIComponent(name)}/configuration`, {
      Role: c.Role,
      Handler: c.Handler,
      Runtime: c.Runtime,
      Environment: { Variables: c.Environment },
    });
  }

  /** DeleteFunction (its URL config and resource policy go with it). */
  deleteFunction(name: string): Promise<unknown> {
    return this.#call('DELETE', `/2015-03-31/functions/${encodeURIComponent(name)}`);
  }

  /** GetFunctionUrlConfig. */
  getFunctionUrlConfig(name: string): Promise<FunctionUrlConfig> {
    return this.#call('GET', `/2021-10-31/functions/${encodeURIComponent(name)}/url`);
  }

  /** CreateFunctionUrlConfig. */
  createFunctionUrlConfig(
    name: string,
    c: { AuthType: string; Cors: NonNullable<FunctionUrlConfig['Cors']> },
  ): Promise<FunctionUrlConfig> {
    return this.#call('POST', `/2021-10-31/functions/${encodeURIComponent(name)}/url`, c);
  }

  /** UpdateFunctionUrlConfig. */
  updateFunctionUrlConfig(
    name: string,
    c: { AuthType: string; Cors: NonNullable<FunctionUrlConfig['Cors']> },
  ): Promise<FunctionUrlConfig> {
    return this.#call('PUT', `/2021-10-31/functions/${encodeURIComponent(name)}/url`, c);
  }

  /** DeleteFunctionUrlConfig. */
  deleteFunctionUrlConfig(name: string): Promise<unknown> {
    return this.#call('DELETE', `/2021-10-31/functions/${encodeURIComponent(name)}/url`);
  }

  /** GetPolicy: the function's resource policy, JSON text. */
  getPolicy(name: string): Promise<{ Policy?: string }> {
    return this.#call('GET', `/2015-03-31/functions/${encodeURIComponent(name)}/policy`);
  }

  /** AddPermission: one statement of the resource policy. */
  addPermission(name: string, p: AddPermissionInput): Promise<unknown> {
    return this.#call('POST', `/2015-03-31/functions/${encodeURIComponent(name)}/policy`, p);
  }

  /** RemovePermission: one statement, by its id. */
  removePermission(name: string, statementId: string): Promise<unknown> {
    return this.#call(
      'DELETE',
      `/2015-03-31/functions/${encodeURIComponent(name)}/policy/${encodeURIComponent(statementId)}`,
    );
  }

  /** TagResource. */
  tagResource(arn: string, tags: Readonly<Record<string, string>>): Promise<unknown> {
    return this.#call('POST', `/2017-03-31/tags/${encodeURIComponent(arn)}`, { Tags: tags });
  }
}
