/**
 * Making untrusted text safe to print on a terminal.
 *
 * A terminal interprets bytes, not just displays them: ESC starts ANSI/ECMA-48 control sequences
 * (CSI colours, cursor moves, screen clears) and OSC sequences (window titles, OSC 8 hyperlinks),
 * CR returns to the start of the line so later text overwrites what was printed, BEL rings, and
 * the C1 range (U+0080–U+009F) holds one-character forms of the same introducers (U+009B is CSI,
 * U+009D is OSC; ECMA-48 §5.3). The Unicode bidirectional embedding, override and isolate controls
 * (U+202A–U+202E, U+2066–U+2069) reorder what follows them, the "Trojan Source" technique
 * (CVE-2021-42574). A token claim, a document fetched from an issuer or an AWS answer can carry
 * any of these, so each is rendered as a visible `\uXXXX` escape: the user sees that something is
 * there, and the terminal does nothing with it.
 */

/**
 * C0 controls (U+0000–U+001F, newline and tab included: an interpolated value is one line of our
 * layout, so a newline inside it would forge a line of its own), DEL (U+007F), C1 controls
 * (U+0080–U+009F), the bidi embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
 * U+2028/U+2029 (line and paragraph separators) are included too: some terminals break lines at them.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Returns `value` with every terminal control character (C0 including `\n` and `\t`, DEL, C1) and
 * every bidi control replaced by its visible `\uXXXX` escape; everything else, other non-ASCII
 * text included, is kept as it is. `"\x1b[31m"` becomes `"\u001b[31m"` (printed literally).
 *
 * Apply it to each value that comes from outside (never to our own layout, whose newlines and
 * colours must survive).
 */
export function terminalSafe(value: string): string {
  return value.replace(UNSAFE, escapeChar);
}

/**
 * A value quoted for an error message: terminal-safe, in double quotes, and cut to `max`
 * characters (with the full length said) so a 10,000-character input does not flood the screen.
 */
export function quoteForMessage(value: string, max = 80): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  const suffix = value.length > max ? ` (${value.length} characters)` : '';
  return `"${terminalSafe(cut)}"${suffix}`;
}
