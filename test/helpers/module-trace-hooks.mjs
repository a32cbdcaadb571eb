// Loader hooks for module-trace-register.mjs: appends each resolved URL to the trace file.
import { appendFileSync } from 'node:fs';

/** @type {string | undefined} */
let out;

/** @param {{ out: string }} data */
export function initialize(data) {
  out = data.out;
}

/**
 * @param {string} specifier
 * @param {unknown} context
 * @param {(s: string, c: unknown) => Promise<{ url: string }>} next
 */
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (out !== undefined) appendFileSync(out, `${result.url}\n`);
  return result;
}
