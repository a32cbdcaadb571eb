import { StsctlError } from '../core/errors.js';
import type { CliIo } from './io.js';

function readLine(stream: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolveLine) => {
    const onData = (chunk: Buffer | string): void => {
      stream.off('data', onData);
      stream.pause();
      resolveLine(chunk.toString());
    };
    stream.on('data', onData);
    stream.resume();
  });
}

/**
 * Asks before a destructive step: on a terminal, shows `preview` and asks `question`; elsewhere
 * prints the preview and refuses (exit 2), so scripts must say `--yes`.
 */
export async function confirmOrRefuse(
  io: CliIo,
  preview: string,
  question: string,
  verb: string,
): Promise<void> {
  if (!io.stdin.isTTY) {
    io.stdout.write(preview);
    throw new StsctlError(
      'CONFIRMATION_REQUIRED',
      `refusing to ${verb} without confirmation: run it again with --yes`,
    );
  }
  io.stderr.write(`${preview}${question} [y/N] `);
  const answer = (await readLine(io.stdin)).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes')
    throw new StsctlError('CANCELLED', `nothing done (${verb} cancelled)`);
}
