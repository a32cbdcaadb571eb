import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { quoteForMessage, terminalSafe } from '../../../src/core/terminal-text.js';

/** Every character a terminal acts on instead of showing (C0, DEL, C1, line separators, bidi controls). */
// eslint-disable-next-line no-control-regex -- looking for control characters
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('terminalSafe', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['ANSI colour (CSI SGR)', '\x1b[31mred\x1b[0m', '\\u001b[31mred\\u001b[0m'],
    ['screen clear', '\x1b[2J\x1b[H', '\\u001b[2J\\u001b[H'],
    [
      'OSC 8 hyperlink ended by BEL',
      '\x1b]8;;https://evil.example\x07click\x1b]8;;\x07',
      '\\u001b]8;;https://evil.example\\u0007click\\u001b]8;;\\u0007',
    ],
    ['OSC window title ended by ST', '\x1b]0;pwned\x1b\\', '\\u001b]0;pwned\\u001b\\'],
    ['carriage return overwriting the line', 'ok\r✓ healthy', 'ok\\u000d✓ healthy'],
    ['newline and tab inside a value', 'a\nb\tc', 'a\\u000ab\\u0009c'],
    ['NUL and DEL', 'a\u0000b\u007f', 'a\\u0000b\\u007f'],
    ['C1 CSI (U+009B)', '\u009b31m', '\\u009b31m'],
    ['right-to-left override (Trojan Source)', 'role\u202Etxt.exe', 'role\\u202etxt.exe'],
    ['left-to-right isolate and pop', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    [
      'plain text, non-ASCII kept',
      'system:serviceaccount:ns:sa — ✓ é 日本',
      'system:serviceaccount:ns:sa — ✓ é 日本',
    ],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.equal(terminalSafe(input), expected));
  }

  test('property: the result never holds a control character, and safe text is unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const safe = terminalSafe(s);
        assert.doesNotMatch(safe, UNSAFE);
        if (!UNSAFE.test(s)) assert.equal(safe, s);
        // Nothing is dropped: every unsafe character leaves a visible six-character escape.
        const unsafeCount = s.match(new RegExp(UNSAFE.source, 'gu'))?.length ?? 0;
        assert.equal(safe.length, s.length + unsafeCount * 5);
      }),
    );
  });
});

describe('quoteForMessage', () => {
  test('quotes, escapes and cuts long values, saying how long they were', () => {
    assert.equal(quoteForMessage('a\x1bb'), '"a\\u001bb"');
    const quoted = quoteForMessage('x'.repeat(500));
    assert.equal(quoted, `"${'x'.repeat(80)}…" (500 characters)`);
  });
});
