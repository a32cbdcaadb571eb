import type { AwsClients } from './clients.js';

/**
 * `--trace`: every AWS call with its duration, and a summary with the call count, the wall time
 * and the critical path (the longest chain of calls each of which started after the previous one
 * ended — what bounded concurrency cannot shorten).
 */
export interface TracedCall {
  readonly service: string;
  readonly operation: string;
  /** ms since the recorder was created. */
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
}

export class TraceRecorder {
  readonly calls: TracedCall[] = [];
  private readonly origin = performance.now();
  constructor(private readonly onCall?: (call: TracedCall) => void) {}

  now(): number {
    return performance.now() - this.origin;
  }

  record(call: TracedCall): void {
    this.calls.push(call);
    this.onCall?.(call);
  }

  summary(): TraceSummary {
    return summarizeTrace(this.calls);
  }
}

export interface TraceSummary {
  readonly calls: number;
  readonly wallMs: number;
  readonly criticalPathMs: number;
  readonly criticalPathCalls: number;
  /** Sum of all call durations: the time a strictly sequential run would spend waiting on AWS. */
  readonly sequentialMs: number;
}

/** Pure: the summary of a set of calls. */
export function summarizeTrace(calls: readonly TracedCall[]): TraceSummary {
  if (calls.length === 0)
    return { calls: 0, wallMs: 0, criticalPathMs: 0, criticalPathCalls: 0, sequentialMs: 0 };
  const sorted = [...calls].sort((a, b) => a.end - b.end);
  // best[i]: longest chain (by duration) ending with call i.
  const best: { ms: number; n: number }[] = [];
  let top = { ms: 0, n: 0 };
  sorted.forEach((c, i) => {
    let prev = { ms: 0, n: 0 };
    for (let j = 0; j < i; j++) {
      const p = sorted[j];
      const b = best[j];
      if (p !== undefined && b !== undefined && p.end <= c.start && b.ms > prev.ms) prev = b;
    }
    const mine = { ms: prev.ms + (c.end - c.start), n: prev.n + 1 };
    best.push(mine);
    if (mine.ms > top.ms) top = mine;
  });
  const start = Math.min(...calls.map((c) => c.start));
  const end = Math.max(...calls.map((c) => c.end));
  return {
    calls: calls.length,
    wallMs: end - start,
    criticalPathMs: top.ms,
    criticalPathCalls: top.n,
    sequentialMs: calls.reduce((s, c) => s + (c.end - c.start), 0),
  };
}

interface MiddlewareContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

type Handler = (args: unknown) => Promise<unknown>;

/** The part of the SDK's middleware stack used here (the same for every client). */
interface Stack {
  add(
    middleware: (next: Handler, context: MiddlewareContext) => Handler,
    options: { step: 'initialize'; name: string; override: boolean },
  ): void;
}

/** Records every call the clients make. */
export function attachTrace(clients: AwsClients, recorder: TraceRecorder): void {
  for (const client of [clients.s3, clients.iam, clients.cloudfront, clients.sts, clients.acm]) {
    // Every v3 client has the same middleware stack API; the union of their types is not callable.
    const stack = client.middlewareStack as unknown as Stack;
    stack.add(
      (next, context) => async (args) => {
        const start = recorder.now();
        let ok = false;
        try {
          const out = await next(args);
          ok = true;
          return out;
        } finally {
          recorder.record({
            service: (context.clientName ?? 'Client').replace(/Client$/, ''),
            operation: (context.commandName ?? 'Command').replace(/Command$/, ''),
            start,
            end: recorder.now(),
            ok,
          });
        }
      },
      { step: 'initialize', name: 'stsctlTrace', override: true },
    );
  }
}
