/** Tiny readers for the STS XML in tests: enough to check element order and values. */

/** The inner text of the first `<name>` element. */
export function inner(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?: [^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  return match?.[1];
}

/** Names of the direct children of the first `<parent>` element, in document order. */
export function childNames(xml: string, parent: string): string[] {
  const body = inner(xml, parent);
  if (body === undefined) return [];
  const names: string[] = [];
  let depth = 0;
  for (const match of body.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (closing === '/') depth--;
    else {
      if (depth === 0 && name !== undefined) names.push(name);
      if (selfClosing !== '/') depth++;
    }
  }
  return names;
}

/** POSTs a Query form to `url`. */
export async function postForm(
  url: string,
  params: Record<string, string>,
  contentType = 'application/x-www-form-urlencoded; charset=utf-8',
): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}
