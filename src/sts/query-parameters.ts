import type { QueryParameters } from './query-request.js';

/**
 * The parameters of a Query request, in one linear pass, first occurrence winning.
 *
 * Why not `URLSearchParams#set` per body parameter, as before: each `set` scans the whole list,
 * so 100,000 distinct parameters cost 10^10 steps (the sandbox froze for up to a minute). Why
 * the first occurrence: AWS's Query front end keeps the first value of a repeated parameter
 * (aws-sts-2026.md §4, probe), and a later `Action=` must not change which action runs.
 * Names are case-sensitive (`action` is not `Action`), as in AWS's API reference.
 */
export class FirstWinsParameters implements QueryParameters {
  readonly #values = new Map<string, string>();

  /** Adds the pairs of an `application/x-www-form-urlencoded` string (a query string or a form body). */
  addForm(text: string): void {
    if (text.length === 0) return;
    // URLSearchParams parses in one pass (WHATWG form-urlencoded: `+` is a space, bad escapes kept).
    for (const [name, value] of new URLSearchParams(text)) {
      if (!this.#values.has(name)) this.#values.set(name, value);
    }
  }

  get(name: string): string | null {
    return this.#values.get(name) ?? null;
  }

  /** How many distinct names. */
  get size(): number {
    return this.#values.size;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#values.entries();
  }
}

/**
 * How many parameters a form-urlencoded string holds at most (its `&`-separated pieces), counted
 * without parsing, so an oversized request is refused before any work is spent on it.
 */
export function countFormPieces(text: string): number {
  if (text.length === 0) return 0;
  let pieces = 1;
  let at = text.indexOf('&');
  while (at !== -1) {
    pieces++;
    at = text.indexOf('&', at + 1);
  }
  return pieces;
}
