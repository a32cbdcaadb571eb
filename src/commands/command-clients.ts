import { createAwsClients, requireCredentials, type AwsClients } from '../aws/clients.js';
import { attachTrace, type TraceRecorder } from '../aws/trace.js';

/** What a command may be handed instead of building its own clients (tests, library callers). */
export interface CommandDeps {
  readonly clients?: AwsClients;
  readonly env?: NodeJS.ProcessEnv;
  readonly trace?: TraceRecorder;
}

/**
 * Runs `work` with AWS clients for a command: the given ones, or clients built from the standard
 * chain (`profile`, retries for throttling), traced when asked, and destroyed afterwards. Without
 * credentials it fails at once (`AWS_CREDENTIALS`), before any AWS call.
 */
export async function withCommandClients<T>(
  o: { readonly region: string; readonly profile?: string | undefined },
  deps: CommandDeps,
  work: (clients: AwsClients) => Promise<T>,
): Promise<T> {
  const clients =
    deps.clients ??
    createAwsClients(
      { region: o.region, maxAttempts: 8, ...(o.profile === undefined ? {} : { profile: o.profile }) },
      deps.env ?? process.env,
    );
  if (deps.trace !== undefined) attachTrace(clients, deps.trace);
  try {
    await requireCredentials(clients);
    return await work(clients);
  } finally {
    if (deps.clients === undefined) clients.destroy();
  }
}
