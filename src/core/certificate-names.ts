/**
 * Which host names a TLS certificate is valid for: the rule TLS clients apply to the names of a
 * certificate (RFC 6125 §6.4.3), and the one CloudFront applies to an alternate domain name and
 * the ACM certificate attached to it. A name covers a host when it equals it (case-insensitively),
 * or when it is a wildcard `*.<rest>` and the host is exactly one more label in front of `<rest>`:
 * `*.example.com` covers `oidc.example.com`, not `example.com` and not `a.oidc.example.com`.
 */

function canonical(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Whether one certificate name (exact or `*.` wildcard) covers `host`. */
export function certificateNameCovers(name: string, host: string): boolean {
  const n = canonical(name);
  const h = canonical(host);
  if (n === '' || h === '') return false;
  if (!n.startsWith('*.')) return n === h;
  const rest = n.slice(2);
  // Only a whole leftmost label may be a wildcard, and the rest must itself be a name with a dot
  // (no `*.com`).
  if (rest.includes('*') || !rest.includes('.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest;
}

/** Whether any of a certificate's names covers `host`. */
export function certificateCovers(names: readonly string[], host: string): boolean {
  return names.some((n) => certificateNameCovers(n, host));
}
