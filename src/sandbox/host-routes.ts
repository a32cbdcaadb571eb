/**
 * Public host names the sandbox sends to a server of their own instead of the edge: a self-hosted
 * issuer served by its operator's server (`stsctl serve`) with its own certificate chain. On the
 * internet its DNS name resolves to that server and STS connects to it directly; here the sandbox
 * resolver does the same for the hosts listed, on port 443 (issuer URLs carry no port), so the
 * validating STS sees the server's own TLS chain — a private CA's, whose thumbprint decides.
 */
import type { ConnectTo } from '../net/issuer-fetch.js';
import { normalizeHost } from './hosts.js';
import type { SandboxResolver } from './resolver.js';

/** Where one host is really served. */
export interface HostTarget {
  readonly host: string;
  readonly port: number;
}

/** The table of hosts routed to their own servers, and the resolver that honours it. */
export class HostRoutes {
  readonly #routes = new Map<string, HostTarget>();

  /** Routes `host` (port 443) to `target`, e.g. `{ host: '127.0.0.1', port: <stsctl serve's port> }`. */
  set(host: string, target: HostTarget): void {
    this.#routes.set(normalizeHost(host), target);
  }

  /** Stops routing `host`: it resolves as before (the edge, or nowhere). */
  delete(host: string): void {
    this.#routes.delete(normalizeHost(host));
  }

  /** The target of `host` on `port`, when routed. */
  targetOf(host: string, port: number): HostTarget | undefined {
    return port === 443 ? this.#routes.get(normalizeHost(host)) : undefined;
  }

  /** `resolver` with the routed hosts answered first. */
  wrap(resolver: SandboxResolver): SandboxResolver {
    const connectTo: ConnectTo = (host, port) => this.targetOf(host, port) ?? resolver.connectTo(host, port);
    return {
      connectTo,
      connectToSync: (host, port) => this.targetOf(host, port) ?? resolver.connectToSync(host, port),
    };
  }
}
