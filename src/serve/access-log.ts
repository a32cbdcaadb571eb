import { terminalSafe } from '../core/terminal-text.js';

/**
 * Access log lines, one per request, on stdout. Everything in an entry but the status, sizes and
 * times comes from the client, so each format keeps a hostile value from forging a line: JSON
 * escapes control characters by itself; text escapes them with `terminalSafe` and quotes `"`.
 */

/** The access log formats; `none` logs nothing. */
export type AccessLogFormat = 'json' | 'text' | 'none';
export const ACCESS_LOG_FORMATS: readonly AccessLogFormat[] = ['json', 'text', 'none'];

/** One served request. */
export interface AccessLogEntry {
  /** When the response was finished (ISO 8601). */
  readonly time: string;
  readonly remoteAddress: string;
  readonly method: string;
  /** The request target's path, without the query (which STS never sends and is not logged). */
  readonly path: string;
  readonly status: number;
  /** Body bytes sent. */
  readonly bytes: number;
  readonly durationMs: number;
  readonly userAgent: string;
}

/** The longest path or user agent logged, characters: a client must not be able to flood the log. */
export const MAX_LOGGED_FIELD = 512;

function clip(value: string): string {
  return value.length > MAX_LOGGED_FIELD ? `${value.slice(0, MAX_LOGGED_FIELD)}…` : value;
}

/** The path part of a request target, for the log: no query, no fragment, clipped. */
export function loggedPath(target: string): string {
  const end = target.search(/[?#]/);
  return clip(end === -1 ? target : target.slice(0, end));
}

/**
 * One log line (with its newline), or undefined for `none`.
 * - `json`: `{"time","remoteAddress","method","path","status","bytes","durationMs","userAgent"}`;
 * - `text`: `<time> <remote> "<method> <path>" <status> <bytes> <ms>ms "<user agent>"`.
 */
export function formatAccessLog(entry: AccessLogEntry, format: AccessLogFormat): string | undefined {
  const e = {
    ...entry,
    path: clip(entry.path),
    userAgent: clip(entry.userAgent),
    durationMs: Math.round(entry.durationMs * 1000) / 1000,
  };
  if (format === 'none') return undefined;
  if (format === 'json') return `${JSON.stringify(e)}\n`;
  const q = (v: string): string => terminalSafe(v.replaceAll('\\', '\\\\').replaceAll('"', '\\"'));
  return `${e.time} ${q(e.remoteAddress)} "${q(e.method)} ${q(e.path)}" ${e.status} ${e.bytes} ${e.durationMs}ms "${q(e.userAgent)}"\n`;
}
