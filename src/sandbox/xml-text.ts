/**
 * Just enough XML text handling for the sandbox: reading a few known elements out of
 * machine-written AWS REST-XML bodies and escaping values we write into error documents.
 *
 * Written by hand on purpose: the bodies come from SDKs and moto (well formed, no CDATA, no
 * comments), we read a handful of leaf elements, and pulling in a full XML parser for that would
 * add a dependency the rest of stsctl does not need.
 */

/** Escapes text for an XML element or attribute value. */
export function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** Reverses {@link escapeXml} plus numeric character references. */
export function unescapeXml(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, ref: string) => {
    switch (ref) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          ref.startsWith('#x') ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10),
        );
    }
  });
}

/** The inner text of each `<name>…</name>` (or empty `<name/>`) in `xml`, in document order. */
export function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}>)`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** The unescaped text of the first `<name>` element, or undefined. */
export function firstText(xml: string, name: string): string | undefined {
  const [inner] = elements(xml, name);
  return inner === undefined ? undefined : unescapeXml(inner.trim());
}
