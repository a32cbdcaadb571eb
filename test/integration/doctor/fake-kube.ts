import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { AwsClients } from '../../../src/aws/clients.js';
import { ensureOidcProvider, ensureRole } from '../../../src/aws/operations.js';
import {
  credentialsIni,
  issuerHostPath,
  mintServiceAccountToken,
  permissionsPolicy,
  readCredentialsRequests,
  renderPolicy,
  roleName,
  trustPolicyForRequest,
  type PrivateKeyInfo,
} from '../../../src/core/index.js';

/**
 * A local HTTPS server answering the Kubernetes API requests the doctor makes, with real-shaped
 * objects (the shapes of `oc get -o json`): the `Authentication` and `CloudCredential` CRs, a
 * `CredentialsRequestList`, Secrets, and the TokenRequest subresource, which signs tokens with a
 * key the way kube-apiserver does. Bearer-token and client-certificate authentication; `Status`
 * objects for 401 and 404. Without OpenShift (`openshift: false`) its API groups answer 404 as on
 * EKS; ServiceAccounts are listed cluster-wide (IRSA annotations) and the API server's issuer
 * discovery document is served. Binds 127.0.0.1 on a free port.
 */

export interface FakeCluster {
  readonly authentication: unknown;
  readonly cloudCredential: unknown;
  readonly credentialsRequests: readonly unknown[];
  /** `<ns>/<name>` → Secret object. */
  readonly secrets: Map<string, unknown>;
  /** `<ns>/<name>` of existing service accounts. */
  readonly serviceAccounts: Set<string>;
  readonly signer: PrivateKeyInfo;
  readonly issuer: string;
  /** false: no OpenShift API groups (404 for them, as on EKS or a self-managed cluster). */
  readonly openshift?: boolean;
  /** ServiceAccount objects listed by `GET /api/v1/serviceaccounts` besides `serviceAccounts`. */
  readonly serviceAccountObjects?: readonly unknown[];
  /** Serve the API server's `/.well-known/openid-configuration` (issuer discovery). */
  readonly discovery?: boolean;
  /** Artificial latency per request, ms. */
  delayMs?: number;
}

export interface FakeKube {
  readonly url: string;
  readonly requests: string[];
  stop(): Promise<void>;
}

function status(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Starts the server. `token` is the accepted bearer token; `clientCaPem` the accepted client CA. */
export async function startFakeKube(
  cluster: FakeCluster,
  tls: { keyPem: string; certPem: string; token: string; clientCaPem?: string },
): Promise<FakeKube> {
  const requests: string[] = [];
  const server: Server = createServer(
    {
      key: tls.keyPem,
      cert: tls.certPem,
      requestCert: tls.clientCaPem !== undefined,
      rejectUnauthorized: false,
      ...(tls.clientCaPem === undefined ? {} : { ca: tls.clientCaPem }),
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const send = (code: number, body: unknown): void => {
            res.writeHead(code, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
          };
          requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
          if (cluster.delayMs !== undefined) await new Promise((r) => setTimeout(r, cluster.delayMs));
          const socket: unknown = req.socket;
          const certified = socket instanceof TLSSocket && socket.authorized;
          const bearer = req.headers.authorization === `Bearer ${tls.token}`;
          if (!bearer && !certified) {
            send(401, status(401, 'Unauthorized', 'Unauthorized'));
            return;
          }
          const url = new URL(req.url ?? '/', 'https://x');
          const path = url.pathname;
          let m: RegExpExecArray | null;
          const saName = (o: unknown): string => {
            const md = (o as { metadata?: { namespace?: string; name?: string } }).metadata;
            return `${md?.namespace ?? ''}/${md?.name ?? ''}`;
          };
          const annotated = cluster.serviceAccountObjects ?? [];
          if (cluster.openshift === false && /^\/apis\/[^/]*openshift\.io\//.test(path)) {
            send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
          } else if (req.method === 'GET' && path === '/api/v1/serviceaccounts') {
            const listed = new Set(annotated.map(saName));
            const plain = [...cluster.serviceAccounts]
              .filter((k) => !listed.has(k))
              .map((k) => {
                const [namespace = '', name = ''] = k.split('/');
                return { metadata: { name, namespace, uid: `uid-${name}` } };
              });
            send(200, {
              apiVersion: 'v1',
              kind: 'ServiceAccountList',
              metadata: { resourceVersion: '1' },
              items: [...plain, ...annotated].map((o) => ({
                ...(o as object),
                apiVersion: 'v1',
                kind: 'ServiceAccount',
              })),
            });
          } else if (
            req.method === 'GET' &&
            path === '/.well-known/openid-configuration' &&
            cluster.discovery === true
          ) {
            send(200, {
              issuer: cluster.issuer,
              jwks_uri: 'https://10.0.0.1:443/openid/v1/jwks',
              response_types_supported: ['id_token'],
              subject_types_supported: ['public'],
              id_token_signing_alg_values_supported: ['RS256'],
            });
          } else if (
            req.method === 'GET' &&
            path === '/apis/config.openshift.io/v1/authentications/cluster'
          ) {
            send(200, cluster.authentication);
          } else if (
            req.method === 'GET' &&
            path === '/apis/operator.openshift.io/v1/cloudcredentials/cluster'
          ) {
            send(200, cluster.cloudCredential);
          } else if (
            req.method === 'GET' &&
            path === '/apis/cloudcredential.openshift.io/v1/credentialsrequests'
          ) {
            send(200, {
              apiVersion: 'cloudcredential.openshift.io/v1',
              kind: 'CredentialsRequestList',
              metadata: { resourceVersion: '1' },
              items: cluster.credentialsRequests,
            });
          } else if (
            req.method === 'GET' &&
            (m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path))
          ) {
            const secret = cluster.secrets.get(`${m[1] ?? ''}/${m[2] ?? ''}`);
            if (secret === undefined) send(404, status(404, 'NotFound', `secrets "${m[2] ?? ''}" not found`));
            else send(200, secret);
          } else if (
            req.method === 'POST' &&
            (m = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/.exec(path))
          ) {
            const [ns, sa] = [m[1] ?? '', m[2] ?? ''];
            if (
              !cluster.serviceAccounts.has(`${ns}/${sa}`) &&
              !annotated.some((o) => saName(o) === `${ns}/${sa}`)
            ) {
              send(404, status(404, 'NotFound', `serviceaccounts "${sa}" not found`));
              return;
            }
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              spec: { audiences: string[]; expirationSeconds: number };
            };
            const token = await mintServiceAccountToken({
              issuer: cluster.issuer,
              namespace: ns,
              serviceAccount: sa,
              audiences: body.spec.audiences,
              expirationSeconds: body.spec.expirationSeconds,
              privateKey: cluster.signer.key,
              kid: cluster.signer.publicKey.kid,
            });
            send(201, {
              kind: 'TokenRequest',
              apiVersion: 'authentication.k8s.io/v1',
              metadata: { name: sa, namespace: ns, creationTimestamp: null },
              spec: { ...body.spec, boundObjectRef: null },
              status: {
                token,
                expirationTimestamp: new Date(Date.now() + body.spec.expirationSeconds * 1000).toISOString(),
              },
            });
          } else {
            send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
          }
        })();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The AWS CredentialsRequest objects of the real fixtures (`kind: CredentialsRequest`, AWS only). */
export async function fixtureCredentialsRequests(dir: string, files: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJS() as { kind?: string; spec?: { providerSpec?: { kind?: string } } } | null;
      if (obj?.kind === 'CredentialsRequest' && obj.spec?.providerSpec?.kind === 'AWSProviderSpec')
        out.push(obj);
    }
  }
  return out;
}

/**
 * Provisions IAM for the requests in the sandbox (provider for `issuer`, one role per request
 * named as ccoctl does) and returns a cluster whose Secrets point at those roles.
 */
export async function provisionCluster(
  aws: AwsClients,
  options: {
    readonly name: string;
    readonly issuer: string;
    readonly signer: PrivateKeyInfo;
    readonly requests: readonly unknown[];
    /** Secrets to leave out (`<ns>/<name>`). */
    readonly withoutSecret?: readonly string[];
    /** Secrets to fill with static keys instead (`<ns>/<name>`). */
    readonly staticKeys?: readonly string[];
  },
): Promise<FakeCluster> {
  const provider = await ensureOidcProvider(aws, options.issuer);
  const parsed = readCredentialsRequests(
    options.requests.map((r, i) => ({ name: `request-${i}.json`, content: JSON.stringify(r) })),
  ).requests;
  const secrets = new Map<string, unknown>();
  const serviceAccounts = new Set<string>();
  await Promise.all(
    parsed.map(async (request) => {
      const ref = request.secretRef;
      const role = roleName(options.name, ref.namespace, ref.name);
      const created = await ensureRole(aws, {
        roleName: role.name,
        description: 'doctor test',
        trustPolicy: renderPolicy(
          trustPolicyForRequest(request, provider.arn, issuerHostPath(options.issuer)),
        ),
        permissionsPolicy: renderPolicy(permissionsPolicy(request)),
        tags: [],
      });
      for (const sa of request.serviceAccountNames) serviceAccounts.add(`${ref.namespace}/${sa}`);
      const key = `${ref.namespace}/${ref.name}`;
      if (options.withoutSecret?.includes(key) === true) return;
      const credentials =
        options.staticKeys?.includes(key) === true
          ? '[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\naws_secret_access_key = not-a-real-secret-value'
          : credentialsIni(created.arn);
      secrets.set(key, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: ref.name, namespace: ref.namespace, resourceVersion: '1', uid: `uid-${ref.name}` },
        type: 'Opaque',
        data: { credentials: Buffer.from(credentials).toString('base64') },
      });
    }),
  );
  return {
    authentication: {
      apiVersion: 'config.openshift.io/v1',
      kind: 'Authentication',
      metadata: { name: 'cluster', resourceVersion: '1' },
      spec: {
        oauthMetadata: { name: '' },
        serviceAccountIssuer: options.issuer,
        type: '',
        webhookTokenAuthenticator: { kubeConfig: { name: 'webhook-authentication-integrated-oauth' } },
      },
      status: { integratedOAuthMetadata: { name: 'oauth-openshift' } },
    },
    cloudCredential: {
      apiVersion: 'operator.openshift.io/v1',
      kind: 'CloudCredential',
      metadata: { name: 'cluster' },
      spec: {
        credentialsMode: 'Manual',
        logLevel: 'Normal',
        managementState: 'Managed',
        operatorLogLevel: 'Normal',
      },
    },
    credentialsRequests: options.requests,
    secrets,
    serviceAccounts,
    signer: options.signer,
    issuer: options.issuer,
  };
}
