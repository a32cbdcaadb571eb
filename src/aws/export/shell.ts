import { StsctlError } from '../../core/errors.js';
import { PLACEHOLDER } from './subject.js';

/**
 * POSIX shell text for the exported script. Values go in single quotes (nothing inside is
 * interpreted); values known only when the script runs are shell variables, spliced in by name.
 * Pure.
 */

/** The shell variable standing for each placeholder, set by the script when it creates the value. */
export const SHELL_VARIABLE: Readonly<Record<string, string>> = {
  [PLACEHOLDER.issuerHost]: 'ISSUER_HOST',
  [PLACEHOLDER.providerArn]: 'PROVIDER_ARN',
  [PLACEHOLDER.distributionArn]: 'DISTRIBUTION_ARN',
  [PLACEHOLDER.originAccessControlId]: 'OAC_ID',
  [PLACEHOLDER.callerReference]: 'CALLER_REFERENCE',
};

const PLACEHOLDER_RE = /@@STSCTL_[A-Z_]+@@/g;

/** Whether `text` holds a value known only when the script runs. */
export function hasPlaceholder(text: string): boolean {
  return new RegExp(PLACEHOLDER_RE.source).test(text);
}

function variableOf(placeholder: string): string {
  const v = SHELL_VARIABLE[placeholder];
  if (v === undefined)
    throw new StsctlError(
      'EXPORT_UNKNOWN_KIND',
      `the export holds a value (${placeholder}) the script has no variable for`,
      {
        kind: 'failure',
      },
    );
  return v;
}

/** One shell word: single-quoted, placeholders as `"${VAR}"` between quoted parts. */
export function shellWord(value: string): string {
  const quoted = `'${value.replace(/'/g, `'\\''`)}'`;
  return quoted.replace(PLACEHOLDER_RE, (p) => `'"\${${variableOf(p)}}"'`).replace(/^''(?=.)|(?<=.)''$/g, '');
}

/**
 * Writes `content` to `path` (a shell word), byte for byte, with a here-document. Without
 * placeholders the delimiter is quoted, so the shell reads the text verbatim; with them, `\\`, `$`
 * and `` ` `` are escaped (the only characters an unquoted here-document interprets) and the
 * placeholders become `${VAR}`. A here-document always ends in a newline: content without one
 * (the discovery document) goes through `printf '%s' "$(…)"`, whose command substitution drops
 * exactly that newline.
 */
export function hereDocument(path: string, content: string): string {
  const endsInNewline = content.endsWith('\n');
  const body = endsInNewline ? content : `${content}\n`;
  let delimiter = 'STSCTL_EOF';
  while (body.split('\n').includes(delimiter)) delimiter += '_';
  const text = hasPlaceholder(body)
    ? `<<${delimiter}\n${body
        .replace(/[\\$`]/g, (c) => `\\${c}`)
        .replace(PLACEHOLDER_RE, (p) => `\${${variableOf(p)}}`)}${delimiter}`
    : `<<'${delimiter}'\n${body}${delimiter}`;
  return endsInNewline ? `cat > ${path} ${text}` : `printf '%s' "$(cat ${text}\n)" > ${path}`;
}

/** A `#` comment line per line of `text` (control characters removed). */
export function comment(text: string): string {
  return (
    text
      .split('\n')
      // eslint-disable-next-line no-control-regex
      .map((l) => `# ${l.replace(/[\u0000-\u001f\u007f]/g, ' ')}`.trimEnd())
      .join('\n')
  );
}
