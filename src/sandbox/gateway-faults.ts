/**
 * Fault injection for the gateway: a {@link FaultInjector} decides per request to answer with an
 * error, delay, or drop the connection, before moto sees it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { awsErrorBody } from './aws-wire.js';

/** What a fault injector sees of a request (the body is not read). */
export interface GatewayRequestInfo {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Service from the SigV4 credential scope (`s3`, `iam`, `cloudfront`, `sts`), if signed. */
  readonly service: string | undefined;
}

/** What to do with a request instead of (or before) forwarding it. */
export type FaultAction =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  /** Close the connection without an answer (the SDK sees a socket hang-up). */
  | { readonly kind: 'drop' }
  /** Wait, then forward normally. */
  | { readonly kind: 'delay'; readonly ms: number };

/** Returns a fault for the request, or undefined to forward it untouched. */
export type FaultInjector = (request: GatewayRequestInfo) => FaultAction | undefined;

/** Options for the ready-made faults. */
export interface CountedFaultOptions {
  /** How many matching requests fail; after that the injector forwards everything. */
  readonly count: number;
  /** Only requests signed for this service (`s3`, `iam`, `cloudfront`, `sts`); default any. */
  readonly service?: string;
}

function counted(
  options: CountedFaultOptions,
  make: (service: string | undefined) => FaultAction,
): FaultInjector {
  let left = options.count;
  return (req) => {
    if (left <= 0) return undefined;
    if (options.service !== undefined && req.service !== options.service) return undefined;
    left -= 1;
    return make(req.service);
  };
}

/**
 * Throttles the next `count` matching requests the way AWS does: S3 answers 503 `SlowDown`, the
 * other services 400 `Throttling` "Rate exceeded". SDKs retry both (they are retryable errors).
 */
export function throttlingFault(options: CountedFaultOptions): FaultInjector {
  return counted(options, (service) =>
    service === 's3'
      ? {
          kind: 'respond',
          status: 503,
          headers: { 'content-type': 'application/xml' },
          body: awsErrorBody('s3', 'SlowDown', 'Please reduce your request rate.'),
        }
      : {
          kind: 'respond',
          status: 400,
          headers: { 'content-type': 'text/xml' },
          body: awsErrorBody(service, 'Throttling', 'Rate exceeded'),
        },
  );
}

/** Answers the next `count` matching requests with HTTP 500 `InternalError` / `InternalFailure`. */
export function serverErrorFault(options: CountedFaultOptions): FaultInjector {
  return counted(options, (service) => ({
    kind: 'respond',
    status: 500,
    headers: { 'content-type': service === 's3' ? 'application/xml' : 'text/xml' },
    body:
      service === 's3'
        ? awsErrorBody('s3', 'InternalError', 'We encountered an internal error. Please try again.')
        : awsErrorBody(service, 'InternalFailure', 'An internal error occurred.'),
  }));
}
