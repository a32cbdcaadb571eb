import { Command, Option } from 'commander';
import { StsctlError } from '../core/errors.js';
import { validateIssuerUrl } from '../core/issuer.js';
import { terminalSafe } from '../core/terminal-text.js';
import type { CliIo } from './io.js';

/**
 * `stsctl serve`'s flags. The server (src/serve) is loaded when the command runs, so `--help`
 * loads none of it. Exit 0 after a graceful shutdown (SIGINT/SIGTERM), 2 when the documents, the
 * TLS files or a flag are wrong (nothing is served), 1 when it cannot listen (docs/commands.md).
 */

interface ServeFlags {
  readonly issuerDir: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly host: string;
  readonly port: string;
  readonly issuerUrl?: string;
  readonly accessLog: 'json' | 'text' | 'none';
  readonly maxConnections: string;
  readonly healthPath: string;
  readonly pollInterval: string;
  readonly shutdownTimeout: string;
}

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new StsctlError(
      'INVALID_FLAG',
      `${flag} must be a whole number from ${min} to ${max} (got "${value}")`,
    );
  }
  return n;
}

function milliseconds(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new StsctlError('INVALID_FLAG', `${flag} must be a positive number of seconds (got "${value}")`);
  }
  return Math.round(n * 1000);
}

/** A health path is one plain absolute path: no query, no dot or empty segment, no escape. */
function healthPath(value: string): string {
  const segments = value.split('/').slice(1);
  if (
    !/^\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/.test(value) ||
    segments.some((s) => s === '.' || s === '..')
  ) {
    throw new StsctlError(
      'INVALID_FLAG',
      `--health-path must be an absolute path of letters, digits and - . _ ~ segments (got "${terminalSafe(value)}")`,
    );
  }
  return value;
}

/** Registers `stsctl serve`. */
export function addServeCommands(program: Command, io: CliIo): void {
  program
    .command('serve')
    .summary('Serve a self-hosted issuer: its discovery document and JWKS over HTTPS')
    .description(
      'Serves exactly the issuer documents (discovery and JWKS, at the paths the discovery document names) over HTTPS, with caching and security headers, ETags, a health endpoint and access logs; reloads the documents and the certificate when their files change; shuts down gracefully on SIGINT/SIGTERM (exit 0).',
    )
    .requiredOption(
      '--issuer-dir <dir>',
      'the issuer documents: the --output-dir of create-identity-provider --dry-run (02-openid-configuration, 03-keys.json) or a directory with .well-known/openid-configuration and keys.json',
    )
    .requiredOption('--cert-file <pem>', 'the certificate chain: the leaf first, then the intermediates')
    .requiredOption('--key-file <pem>', "the leaf certificate's unencrypted private key")
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8443')
    .option('--issuer-url <url>', "refuse to start unless the discovery document's issuer is this URL")
    .addOption(
      new Option('--access-log <format>', 'access log on stdout, one line per request')
        .choices(['json', 'text', 'none'])
        .default('json'),
    )
    .option('--max-connections <n>', 'most open connections at once', '256')
    .option('--health-path <path>', 'path of the health endpoint', '/healthz')
    .option('--poll-interval <seconds>', 'how often the files are checked for changes', '2')
    .option('--shutdown-timeout <seconds>', 'how long requests in flight may finish on shutdown', '10')
    .action(async (o: ServeFlags) => {
      const options = {
        issuerDir: o.issuerDir,
        certFile: o.certFile,
        keyFile: o.keyFile,
        host: o.host,
        port: integer(o.port, '--port', 0, 65535),
        issuerUrl: o.issuerUrl === undefined ? undefined : validateIssuerUrl(o.issuerUrl, '--issuer-url'),
        healthPath: healthPath(o.healthPath),
        accessLog: o.accessLog,
        maxConnections: integer(o.maxConnections, '--max-connections', 1, 1_000_000),
        pollIntervalMs: milliseconds(o.pollInterval, '--poll-interval'),
      };
      const shutdownMs = milliseconds(o.shutdownTimeout, '--shutdown-timeout');
      const { startIssuerServer } = await import('../serve/index.js');
      const server = await startIssuerServer({
        ...options,
        accessLogStream: io.stdout,
        logger: {
          info: (m) => io.stderr.write(`${terminalSafe(m)}\n`),
          warn: (m) => io.stderr.write(`warning: ${terminalSafe(m)}\n`),
        },
      });
      const routes = server.routes();
      io.stderr.write(
        `serving ${terminalSafe(routes.issuer)} on ${server.url}: discovery ${terminalSafe(routes.discoveryPath)}, JWKS ${terminalSafe(routes.jwksPath)}, health ${options.healthPath}\n`,
      );
      // The server shuts down gracefully by itself: no immediate stop line and exit 130/143.
      const { handOverSignals } = await import('./interrupt.js');
      handOverSignals();
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const on = (s: NodeJS.Signals): void => {
          process.off('SIGINT', on);
          process.off('SIGTERM', on);
          resolve(s);
        };
        process.on('SIGINT', on);
        process.on('SIGTERM', on);
      });
      io.stderr.write(`${signal}: shutting down (requests in flight get ${shutdownMs / 1000} s)\n`);
      const { forced } = await server.shutdown(shutdownMs);
      io.stderr.write(
        forced === 0
          ? 'stopped\n'
          : `stopped; ${forced} connection${forced === 1 ? '' : 's'} cut at the deadline\n`,
      );
    });
}
