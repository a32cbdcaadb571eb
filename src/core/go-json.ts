/**
 * JSON the way Go's `encoding/json.Marshal` writes it, for byte-compatibility with ccoctl's dry-run
 * files: compact, `<` `>` `&` and U+2028/U+2029 escaped as `\u003c` `\u003e` `\u0026` `\u2028` `\u2029`.
 * Go sorts map keys; struct fields keep declaration order. Callers decide which is which: pass
 * `sortKeys` for values that are Go maps (the whole value here), or build objects in field order.
 */
export function goJsonMarshal(value: unknown, options: { sortKeys?: boolean } = {}): string {
  const prepared = options.sortKeys === true ? sortDeep(value) : value;
  return escapeGoHtml(JSON.stringify(prepared));
}

/** Escapes the characters Go's encoder escapes for HTML safety. */
export function escapeGoHtml(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A deep copy whose object keys are sorted (Go's order for maps: byte-wise). */
export function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(byteCompare))
      out[key] = sortDeep((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
