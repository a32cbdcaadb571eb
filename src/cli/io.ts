/** The streams and environment a CLI run uses; injected so tests can run the program in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export const SCHEMA_VERSION = 1;

/** Exit codes, documented in docs/commands.md. */
export const EXIT = {
  ok: 0,
  /** The world failed (AWS, network, disk) or findings of error severity. */
  failure: 1,
  /** Bad usage or bad input: nothing was changed. */
  usage: 2,
} as const;

/**
 * Thrown by a command that finished its work but must end with another exit code than 0 (not an
 * error: nothing more is printed), e.g. `plan --detailed-exitcode` with changes to make.
 */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'CliExit';
  }
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
