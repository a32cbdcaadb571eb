import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Forwarded request headers: all but hop-by-hop ones and `expect` (Node answers 100-continue itself). */
export function forwardHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'expect'].includes(name)) continue;
    out[name] = value;
  }
  return out;
}

export function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['connection', 'keep-alive', 'transfer-encoding'].includes(name)) continue;
    out[name] = value;
  }
  return out;
}
