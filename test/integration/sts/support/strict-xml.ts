import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Parses each document with Python's `xml.etree.ElementTree` (expat, a strict XML 1.0 parser:
 * it rejects control characters, unbalanced tags and bad references), the parser boto3 itself
 * uses for STS answers. Returns one entry per document: undefined when well-formed, else expat's
 * error. No new dependency: python3 is already here for moto and boto3.
 */
export async function strictXmlErrors(documents: readonly string[]): Promise<(string | undefined)[]> {
  const script = [
    'import json, sys, xml.etree.ElementTree as ET',
    'out = []',
    'for doc in json.load(sys.stdin):',
    '    try:',
    '        ET.fromstring(doc.encode("utf-8"))',
    '        out.append(None)',
    '    except ET.ParseError as e:',
    '        out.append(str(e))',
    'print(json.dumps(out))',
  ].join('\n');
  const child = run('python3', ['-c', script], { maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin?.end(JSON.stringify(documents));
  const { stdout } = await child;
  return (JSON.parse(stdout) as (string | null)[]).map((e) => e ?? undefined);
}
