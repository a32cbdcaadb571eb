/**
 * The sandbox resolver: issuer URLs keep AWS's real form (`https://x-oidc.s3.us-east-1.amazonaws.com`,
 * port 443 implied) and the resolver sends every host the edge serves to `127.0.0.1:<edge port>`.
 * Hosts the edge does not serve do not resolve, as on the internet (NXDOMAIN → `dns` failure).
 */
import type { Agent } from 'node:https';
import { createResolvingAgent, type ConnectTo } from '../net/issuer-fetch.js';
import type { Edge } from './edge.js';

/** A resolver for fetchers and HTTPS agents. */
export interface SandboxResolver {
  /** For `createIssuerFetcher({ connectTo })`: refreshes the edge's distribution list on a miss. */
  readonly connectTo: ConnectTo;
  /** Synchronous form for agents; does not see distributions the edge has not listed yet. */
  readonly connectToSync: (host: string, port: number) => { host: string; port: number } | undefined;
}

/** Builds the resolver for an edge. Only port 443 is mapped: issuer URLs carry no port. */
export function createSandboxResolver(edge: Pick<Edge, 'port' | 'serves' | 'servesFresh'>): SandboxResolver {
  const target = { host: '127.0.0.1', port: edge.port };
  return {
    connectTo: async (host, port) => (port === 443 && (await edge.servesFresh(host)) ? target : undefined),
    connectToSync: (host, port) => (port === 443 && edge.serves(host) ? target : undefined),
  };
}

/**
 * An https.Agent for clients (e.g. the AWS SDK's `NodeHttpHandler({ httpsAgent })`) that must reach
 * sandbox public host names: trusts the sandbox root and routes through the resolver. Unknown hosts
 * fall through to ordinary DNS.
 */
export function createSandboxAgent(resolver: SandboxResolver, trustedCaPems: readonly string[]): Agent {
  return createResolvingAgent({ trustedCaPems, connectTo: resolver.connectToSync });
}
