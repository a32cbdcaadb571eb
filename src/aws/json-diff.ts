/**
 * Differences between two JSON values as `path: from → to` lines, for plan output (a trust policy
 * edited by hand shows the one condition that changed, not two walls of JSON). Pure.
 */
export interface JsonDifference {
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function jsonDiff(from: unknown, to: unknown, path = ''): JsonDifference[] {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => jsonDiff(from[k], to[k], path === '' ? k : `${path}.${k}`));
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((v, i) => jsonDiff(v, to[i], `${path}[${i}]`));
  }
  return JSON.stringify(from) === JSON.stringify(to)
    ? []
    : [{ path: path === '' ? '(document)' : path, from, to }];
}

/** Parses JSON text, or returns undefined when it is not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether two JSON documents (text) hold the same value. */
export function sameJson(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return jsonDiff(parseJson(a), parseJson(b)).length === 0;
}
