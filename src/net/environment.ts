import { readFileSync } from 'node:fs';
import { StsctlError } from '../core/errors.js';
import type { IssuerView } from '../webidentity/types.js';
import { createIssuerFetcher } from './issuer-fetch.js';
import { proxyForUrl } from './proxy.js';

/**
 * The issuer fetcher's proxy rule for the real internet: `HTTPS_PROXY` unless `NO_PROXY` matches.
 * (The sandbox's public names route to its local edge, so the sandbox never uses a proxy.)
 */
export function environmentProxy(env: NodeJS.ProcessEnv): (url: URL) => URL | undefined {
  return (url) => proxyForUrl(url, env);
}

/**
 * The issuer fetcher for where stsctl runs: the real internet with Node's root store, or — when
 * `eval "$(stsctl sandbox env)"` set `STSCTL_SANDBOX_EDGE` — the sandbox, whose public host names
 * all route to its HTTPS edge and whose CA plays AWS's trusted CA library.
 */
export function issuerFetcherFromEnvironment(
  env: NodeJS.ProcessEnv,
  options: { timeoutMs?: number } = {},
): IssuerView {
  const edge = env['STSCTL_SANDBOX_EDGE'];
  if (edge === undefined || edge === '')
    return createIssuerFetcher({
      proxy: environmentProxy(env),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  const m = /^([^:]+):(\d+)$/.exec(edge);
  if (m === null)
    throw new StsctlError('INVALID_ENVIRONMENT', `STSCTL_SANDBOX_EDGE "${edge}" is not host:port`);
  const target = { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
  const caFile = env['STSCTL_SANDBOX_CA_BUNDLE'] ?? env['AWS_CA_BUNDLE'];
  let trustedCaPems: string[] | undefined;
  if (caFile !== undefined && caFile !== '') {
    try {
      trustedCaPems = [readFileSync(caFile, 'utf8')];
    } catch (e) {
      throw new StsctlError(
        'INVALID_ENVIRONMENT',
        `cannot read the sandbox CA bundle: ${(e as Error).message}`,
        { file: caFile },
      );
    }
  }
  return createIssuerFetcher({
    ...(trustedCaPems === undefined ? {} : { trustedCaPems }),
    connectTo: (_host, port) => (port === 443 ? target : undefined),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}

/**
 * SHA-1 thumbprints IAM would register for an issuer: the last certificate the server sends (the
 * top intermediate), uppercase hex, as ccoctl and AWS's documented openssl procedure compute it
 * (ccoctl.md §3.5, aws-sts-oidc.md §4). Through a proxy the TLS session is end to end (CONNECT), so
 * the chain is the issuer's. When the chain cannot be read, says why.
 */
export async function liveThumbprints(
  fetcher: IssuerView,
  issuer: string,
): Promise<
  { readonly thumbprints: string[]; readonly trustedByCaLibrary: boolean } | { readonly problem: string }
> {
  const seen = await fetcher.fetch(`${issuer}/.well-known/openid-configuration`);
  const chain = seen.tls?.chain ?? [];
  const last = chain[chain.length - 1];
  if (last !== undefined)
    return {
      thumbprints: [last.sha1.toUpperCase()],
      trustedByCaLibrary: seen.tls?.trustedByCaLibrary === true,
    };
  return { problem: seen.ok ? 'the server sent no certificate' : `${seen.error}: ${seen.message}` };
}
