import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { StsctlError } from '../../core/errors.js';
import { readExecConfig, runExecCredential, type ExecRunner } from './exec-credential.js';

/**
 * The part of a kubeconfig the doctor needs: the current context's server, its CA, and the user's
 * bearer token or client certificate. Parsed from `unknown` with path-addressed errors, the way
 * kubernetes-client reports `clusters[0].cluster.server is missing` (STYLE.md §7). Credential
 * plugins (`exec`) are run as kubectl runs them (./exec-credential.ts); of the deprecated
 * `auth-provider`s only `oidc`'s stored `id-token` is used (no refresh).
 */

/** Connection settings for one cluster. */
export interface KubeConnection {
  readonly server: string;
  readonly contextName: string;
  /** PEM of the CA that signs the API server's certificate; undefined = Node's roots. */
  readonly caPem?: string;
  /** `insecure-skip-tls-verify: true` in the kubeconfig: a named opt-in, honoured and reported. */
  readonly insecureSkipTlsVerify: boolean;
  readonly token?: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(file: string, path: string, message: string): StsctlError {
  return new StsctlError('KUBECONFIG_INVALID', message, { file, path });
}

function named(list: unknown, name: string, field: string, file: string): { entry: Json; path: string } {
  if (!Array.isArray(list)) throw fail(file, field, 'expected a list');
  const index = list.findIndex((e) => isRecord(e) && e['name'] === name);
  const entry: unknown = list[index];
  if (index < 0 || !isRecord(entry)) throw fail(file, field, `no entry named "${name}"`);
  return { entry, path: `${field}[${index}]` };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Reads a file the kubeconfig names, relative to the kubeconfig's folder. */
type FileReader = (path: string) => Promise<string>;

/**
 * Parses kubeconfig text. File references (`certificate-authority`, `client-certificate`,
 * `client-key`, `tokenFile`) are resolved relative to the kubeconfig's folder and read through
 * `readText`.
 */
export async function parseKubeconfig(
  text: string,
  file: string,
  options: {
    readonly context?: string;
    readonly readText?: FileReader;
    /** Environment of credential plugins (default: this process's). */
    readonly env?: NodeJS.ProcessEnv;
    /** Runs credential plugins (default: spawns them). */
    readonly runExec?: ExecRunner;
  } = {},
): Promise<KubeConnection> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new StsctlError('KUBECONFIG_INVALID', `not YAML: ${(cause as Error).message}`, { file, cause });
  }
  if (!isRecord(doc)) throw fail(file, '', 'a kubeconfig must be a mapping');
  const readText: FileReader = options.readText ?? ((p) => readFile(p, 'utf8'));
  const base = dirname(file);
  const fromFile = (p: string): Promise<string> => readText(isAbsolute(p) ? p : resolve(base, p));

  const contextName = options.context ?? str(doc['current-context']);
  if (contextName === undefined) throw fail(file, 'current-context', 'is missing (or pass --context)');
  const context = named(doc['contexts'], contextName, 'contexts', file);
  const ctx = context.entry['context'];
  if (!isRecord(ctx)) throw fail(file, `${context.path}.context`, 'is missing');
  const clusterName = str(ctx['cluster']);
  const userName = str(ctx['user']);
  if (clusterName === undefined) throw fail(file, `${context.path}.context.cluster`, 'is missing');

  const clusterEntry = named(doc['clusters'], clusterName, 'clusters', file);
  const cluster = clusterEntry.entry['cluster'];
  if (!isRecord(cluster)) throw fail(file, `${clusterEntry.path}.cluster`, 'is missing');
  const server = str(cluster['server']);
  if (server === undefined) throw fail(file, `${clusterEntry.path}.cluster.server`, 'is missing');
  const caData = str(cluster['certificate-authority-data']);
  const caFile = str(cluster['certificate-authority']);
  const caPem =
    caData !== undefined
      ? Buffer.from(caData, 'base64').toString('utf8')
      : caFile !== undefined
        ? await fromFile(caFile)
        : undefined;

  let token: string | undefined;
  let clientCertPem: string | undefined;
  let clientKeyPem: string | undefined;
  if (userName !== undefined) {
    const userEntry = named(doc['users'], userName, 'users', file);
    const user = userEntry.entry['user'];
    if (isRecord(user)) {
      token = str(user['token']);
      const tokenFile = str(user['tokenFile']);
      if (token === undefined && tokenFile !== undefined) token = (await fromFile(tokenFile)).trim();
      const certData = str(user['client-certificate-data']);
      const certFile = str(user['client-certificate']);
      const keyData = str(user['client-key-data']);
      const keyFile = str(user['client-key']);
      clientCertPem =
        certData !== undefined
          ? Buffer.from(certData, 'base64').toString('utf8')
          : certFile !== undefined
            ? await fromFile(certFile)
            : undefined;
      clientKeyPem =
        keyData !== undefined
          ? Buffer.from(keyData, 'base64').toString('utf8')
          : keyFile !== undefined
            ? await fromFile(keyFile)
            : undefined;
      if ((clientCertPem === undefined) !== (clientKeyPem === undefined)) {
        throw fail(
          file,
          `${userEntry.path}.user`,
          'has a client certificate without its key (or the reverse)',
        );
      }
      const authProvider = user['auth-provider'];
      if (token === undefined && clientCertPem === undefined && user['exec'] !== undefined) {
        const exec = readExecConfig(user['exec'], (path, message) =>
          fail(file, `${userEntry.path}.user.${path}`, message),
        );
        const got = await runExecCredential({
          exec,
          kubeconfigDir: base,
          cluster: {
            server,
            ...(caPem === undefined ? {} : { caPem }),
            insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
          },
          file,
          userPath: `${userEntry.path}.user`,
          ...(options.env === undefined ? {} : { env: options.env }),
          ...(options.runExec === undefined ? {} : { runner: options.runExec }),
        });
        token = got.token;
        clientCertPem = got.clientCertPem;
        clientKeyPem = got.clientKeyPem;
      } else if (token === undefined && clientCertPem === undefined && isRecord(authProvider)) {
        const config = authProvider['config'];
        const idToken = isRecord(config) ? str(config['id-token']) : undefined;
        if (authProvider['name'] === 'oidc' && idToken !== undefined) token = idToken;
        else
          throw fail(
            file,
            `${userEntry.path}.user.auth-provider`,
            `the "${String(authProvider['name'])}" auth-provider is not supported (kubectl removed it too); use an exec plugin, a token (oc login, then oc whoami -t) or a client certificate`,
          );
      }
    }
  }
  return {
    server: server.replace(/\/+$/, ''),
    contextName,
    ...(caPem === undefined ? {} : { caPem }),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(token === undefined ? {} : { token }),
    ...(clientCertPem === undefined ? {} : { clientCertPem }),
    ...(clientKeyPem === undefined ? {} : { clientKeyPem }),
  };
}

/** Reads and parses a kubeconfig file. */
export async function loadKubeconfig(
  file: string,
  context?: string,
  options: { readonly env?: NodeJS.ProcessEnv; readonly runExec?: ExecRunner } = {},
): Promise<KubeConnection> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new StsctlError(
      'KUBECONFIG_UNREADABLE',
      `cannot read the kubeconfig: ${(cause as Error).message}`,
      {
        file,
        cause,
      },
    );
  }
  return parseKubeconfig(text, file, { ...options, ...(context === undefined ? {} : { context }) });
}
