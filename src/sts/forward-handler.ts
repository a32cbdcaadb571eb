import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsError } from '../webidentity/types.js';
import { SERVICE_UNAVAILABLE, STS_API_VERSION, invalidAction } from './errors.js';
import type { Forwarder } from './forward.js';
import { sendError } from './respond.js';
import type { StsCounters } from './stats.js';

/** Answers a request this server does not handle with an AWS error, counted and logged. */
export function refuse(
  counters: StsCounters,
  res: ServerResponse,
  error: AwsError,
  action: string,
  requestId: string,
  started: number,
): void {
  counters.failed++;
  counters.countError(error.code);
  sendError(res, error, requestId);
  counters.log(action || 'no-action', '-', error.code, started);
}

/**
 * Hands a request to the forward endpoint (moto) and streams its answer back; without one, the
 * action is unknown here (`InvalidAction`). An unreachable target gives `ServiceUnavailable`.
 */
export async function answerByForwarding(
  deps: { readonly counters: StsCounters; readonly forwarder: Forwarder | undefined },
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  action: string,
  requestId: string,
  started: number,
): Promise<void> {
  const { counters, forwarder } = deps;
  if (forwarder === undefined) {
    refuse(counters, res, invalidAction(action, STS_API_VERSION), action, requestId, started);
    return;
  }
  counters.forwarded++;
  try {
    const status = await forwarder.forward(req, body, res);
    counters.log(action, '-', `forwarded:${status}`, started);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    counters.warn(`sts forward of ${action} to ${forwarder.endpoint} failed: ${message}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, SERVICE_UNAVAILABLE, requestId);
  }
}
