import { spawn } from 'node:child_process';
import { StsctlError } from '../../core/errors.js';

/**
 * Kubernetes client-go credential plugins (`users[].user.exec`): the kubeconfig names a command
 * (`oc`-style login helpers, `aws eks get-token`, `kubelogin`, ...) that prints an
 * `ExecCredential` with a bearer token or a client certificate. stsctl runs it the way kubectl
 * does: `apiVersion` `client.authentication.k8s.io/v1` or `v1beta1`; `args` and `env` from the
 * kubeconfig; the request in `KUBERNETES_EXEC_INFO` (`spec.interactive: false`, and `spec.cluster`
 * when `provideClusterInfo`); a command containing a path separator is relative to the
 * kubeconfig's folder, a bare name is looked up in `PATH`. The doctor never asks questions, so an
 * `interactiveMode: Always` plugin is refused with a clear message. The credential is kept in
 * memory only and never printed.
 */

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

/** `users[].user.exec`, as read from the kubeconfig. */
export interface ExecConfig {
  readonly apiVersion: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly installHint?: string;
  readonly provideClusterInfo: boolean;
  readonly interactiveMode?: string;
}

/** What the plugin gave. */
export interface ExecCredentialResult {
  readonly token?: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
}

/** How a plugin run is described to the runner (injectable for tests). */
export interface ExecInvocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly timeoutMs: number;
}

export type ExecRunner = (invocation: ExecInvocation) => Promise<{
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: NodeJS.ErrnoException;
}>;

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads `exec` from a kubeconfig user entry; errors name the field. */
export function readExecConfig(
  exec: unknown,
  fail: (path: string, message: string) => StsctlError,
): ExecConfig {
  if (!isRecord(exec)) throw fail('exec', 'must be a mapping');
  const apiVersion = exec['apiVersion'];
  if (typeof apiVersion !== 'string' || apiVersion === '')
    throw fail('exec.apiVersion', 'is missing (client.authentication.k8s.io/v1 or v1beta1)');
  if (!EXEC_API_VERSIONS.includes(apiVersion))
    throw fail(
      'exec.apiVersion',
      `"${apiVersion}" is not supported (client.authentication.k8s.io/v1 or v1beta1)`,
    );
  const command = exec['command'];
  if (typeof command !== 'string' || command === '') throw fail('exec.command', 'is missing');
  const rawArgs = exec['args'] ?? [];
  if (!Array.isArray(rawArgs) || rawArgs.some((a) => typeof a !== 'string'))
    throw fail('exec.args', 'must be a list of strings');
  const rawEnv = exec['env'] ?? [];
  if (!Array.isArray(rawEnv)) throw fail('exec.env', 'must be a list of {name, value}');
  const env = rawEnv.map((e, i) => {
    if (!isRecord(e) || typeof e['name'] !== 'string' || typeof e['value'] !== 'string')
      throw fail(`exec.env[${i}]`, 'must have a string name and value');
    return { name: e['name'], value: e['value'] };
  });
  const rawMode = exec['interactiveMode'];
  const interactiveMode = typeof rawMode === 'string' ? rawMode : undefined;
  if (rawMode !== undefined && !['Never', 'IfAvailable', 'Always'].includes(interactiveMode ?? ''))
    throw fail('exec.interactiveMode', `${JSON.stringify(rawMode)} is not Never, IfAvailable or Always`);
  if (apiVersion === 'client.authentication.k8s.io/v1' && interactiveMode === undefined)
    throw fail('exec.interactiveMode', 'is required with client.authentication.k8s.io/v1');
  return {
    apiVersion,
    command,
    args: rawArgs as string[],
    env,
    ...(typeof exec['installHint'] === 'string' ? { installHint: exec['installHint'] } : {}),
    provideClusterInfo: exec['provideClusterInfo'] === true,
    ...(interactiveMode === undefined ? {} : { interactiveMode }),
  };
}

/** The default runner: spawns the command with no stdin, collecting stdout and stderr. */
export const spawnExec: ExecRunner = (inv) =>
  new Promise((resolve) => {
    const child = spawn(inv.command, [...inv.args], {
      cwd: inv.cwd,
      env: inv.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: inv.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    let error: NodeJS.ErrnoException | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => (error = e));
    child.on('close', (code, signal) => {
      if (signal !== null && error === undefined)
        error = Object.assign(new Error(`killed by ${signal} after ${inv.timeoutMs} ms`), {
          code: 'ETIMEDOUT',
        });
      resolve({ code, stdout, stderr, ...(error === undefined ? {} : { error }) });
    });
  });

/** Runs the plugin and returns its credential. */
export async function runExecCredential(options: {
  readonly exec: ExecConfig;
  readonly kubeconfigDir: string;
  readonly cluster: {
    readonly server: string;
    readonly caPem?: string;
    readonly insecureSkipTlsVerify: boolean;
  };
  readonly file: string;
  readonly userPath: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly runner?: ExecRunner;
  readonly timeoutMs?: number;
}): Promise<ExecCredentialResult> {
  const { exec, file, userPath } = options;
  const fail = (message: string, hint?: string): StsctlError =>
    new StsctlError('KUBECONFIG_EXEC_FAILED', message, {
      file,
      path: `${userPath}.exec`,
      ...(hint === undefined ? {} : { hint }),
    });
  if (exec.interactiveMode === 'Always')
    throw fail(
      `the credential plugin "${exec.command}" needs an interactive terminal (interactiveMode: Always); stsctl doctor runs it non-interactively`,
      'log in first so the plugin has a cached credential, or use a kubeconfig with a token (oc whoami -t)',
    );
  const request = {
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo
        ? {
            cluster: {
              server: options.cluster.server,
              ...(options.cluster.caPem === undefined
                ? {}
                : { 'certificate-authority-data': Buffer.from(options.cluster.caPem).toString('base64') }),
              'insecure-skip-tls-verify': options.cluster.insecureSkipTlsVerify,
            },
          }
        : {}),
    },
  };
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const e of exec.env) env[e.name] = e.value;
  env['KUBERNETES_EXEC_INFO'] = JSON.stringify(request);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const hasSeparator = exec.command.includes('/');
  const command =
    hasSeparator && !exec.command.startsWith('/') ? `${options.kubeconfigDir}/${exec.command}` : exec.command;
  const result = await (options.runner ?? spawnExec)({
    command,
    args: exec.args,
    env,
    cwd: options.kubeconfigDir,
    timeoutMs,
  });
  if (result.error?.code === 'ENOENT')
    throw fail(`the credential plugin "${exec.command}" was not found`, exec.installHint?.trim());
  if (result.error !== undefined)
    throw fail(`the credential plugin "${exec.command}" failed: ${result.error.message}`);
  if (result.code !== 0) {
    // The plugin's own last words, bounded: they say why (expired login, missing profile).
    const said = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
    throw fail(
      `the credential plugin "${exec.command}" exited with code ${String(result.code)}${said === '' ? '' : `: ${said}`}`,
    );
  }
  let out: unknown;
  try {
    out = JSON.parse(result.stdout);
  } catch {
    throw fail(`the credential plugin "${exec.command}" did not print an ExecCredential (not JSON)`);
  }
  if (!isRecord(out) || out['kind'] !== 'ExecCredential')
    throw fail(`the credential plugin "${exec.command}" did not print an ExecCredential`);
  if (out['apiVersion'] !== exec.apiVersion)
    throw fail(
      `the credential plugin "${exec.command}" answered apiVersion ${JSON.stringify(out['apiVersion'])}, not the requested ${exec.apiVersion}`,
    );
  const status = out['status'];
  if (!isRecord(status)) throw fail(`the ExecCredential of "${exec.command}" has no status`);
  const token = typeof status['token'] === 'string' && status['token'] !== '' ? status['token'] : undefined;
  const cert =
    typeof status['clientCertificateData'] === 'string' ? status['clientCertificateData'] : undefined;
  const key = typeof status['clientKeyData'] === 'string' ? status['clientKeyData'] : undefined;
  if ((cert === undefined) !== (key === undefined))
    throw fail(
      `the ExecCredential of "${exec.command}" has a client certificate without its key (or the reverse)`,
    );
  if (token === undefined && cert === undefined)
    throw fail(`the ExecCredential of "${exec.command}" has neither status.token nor a client certificate`);
  return {
    ...(token === undefined ? {} : { token }),
    ...(cert === undefined || key === undefined ? {} : { clientCertPem: cert, clientKeyPem: key }),
  };
}
