import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createConsoleReporter, spinnerUsable } from '../../../src/cli/console-reporter.js';

/** A stream that says it is a terminal of `columns` columns and records what is written. */
function fakeTerminal(columns: number | undefined, isTTY = true): NodeJS.WriteStream & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  Object.assign(stream, { isTTY, columns, text: () => chunks.join('') });
  return stream;
}

test('a spinner needs a terminal that reports a width', () => {
  assert.equal(spinnerUsable(fakeTerminal(80)), true);
  assert.equal(spinnerUsable(fakeTerminal(0)), false, 'a terminal of 0 columns');
  assert.equal(spinnerUsable(fakeTerminal(undefined)), false, 'no width at all');
  assert.equal(spinnerUsable(fakeTerminal(80, false)), false, 'not a terminal');
});

test('on a 0-column terminal a long step writes plain lines only, no escape codes', async () => {
  const stream = fakeTerminal(0);
  const reporter = createConsoleReporter({ stream, verbose: false, quiet: false });
  const result = await reporter.task('distribution.deploying', { id: 'E1' }, async () => {
    reporter.emit('distribution.still-deploying', { id: 'E1', elapsedMs: 30_000 });
    await new Promise((r) => setTimeout(r, 250));
    return 42;
  });
  assert.equal(result, 42);
  assert.ok(!stream.text().includes('\u001b'), 'no ANSI escape sequence');
  assert.match(stream.text(), /^.*E1.*…\n$/, 'the step is announced on one plain line');
});
