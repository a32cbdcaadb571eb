import type { IncomingMessage } from 'node:http';
import type { AwsError } from '../webidentity/types.js';
import { SERVICE_UNAVAILABLE, STS_API_VERSION, invalidAction } from './errors.js';
import type { Forwarder } from './forward.js';
import type { QueryParameters } from './query-request.js';
import { answerHeaders, sendError, type Reply } from './respond.js';
import type { StsCounters } from './stats.js';

/** Answers a request this server does not handle with an AWS error, counted and logged. */
export function refuse(
  counters: StsCounters,
  reply: Reply,
  error: AwsError,
  action: string,
  options: { readonly namespace?: string; readonly headers?: Readonly<Record<string, string>> } = {},
): void {
  counters.failed++;
  counters.countError(error.code);
  sendError(reply, error, options.namespace, options.headers);
  counters.log(action || 'no-action', '-', error.code, reply.started);
}

/**
 * Hands an allow-listed STS call to the forward endpoint (moto) and streams its answer back;
 * without one, the action is unknown here (`InvalidAction`). A target that cannot be reached or
 * does not answer in time gives `ServiceUnavailable` (503).
 */
export async function answerByForwarding(
  deps: { readonly counters: StsCounters; readonly forwarder: Forwarder | undefined },
  req: IncomingMessage,
  params: QueryParameters,
  reply: Reply,
  action: string,
): Promise<void> {
  const { counters, forwarder } = deps;
  if (forwarder === undefined) {
    refuse(counters, reply, invalidAction(action, STS_API_VERSION), action);
    return;
  }
  counters.forwarded++;
  try {
    const status = await forwarder.forward(req, params, reply.res, answerHeaders(reply));
    counters.log(action, '-', `forwarded:${status}`, reply.started);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    counters.warn(`sts forward of ${action} to ${forwarder.endpoint} failed: ${message}`);
    if (reply.res.headersSent) {
      reply.res.destroy();
      return;
    }
    sendError(reply, SERVICE_UNAVAILABLE);
  }
}
