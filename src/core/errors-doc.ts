import {
  ERROR_CODES,
  ERROR_CODE_LIST,
  ERROR_GROUPS,
  KIND_EXIT_CODES,
  type ErrorGroup,
} from './error-codes.js';

/**
 * docs/errors.md, generated from the error-code registry (STYLE.md §5), the way docs/findings.md is
 * generated from the findings registry: `npm run docs:errors` writes it, and a unit test fails when
 * the committed file differs from what this returns.
 */

/** Prose in a table cell: `|` would end the cell, and `<name>` would be read as an HTML tag. */
function prose(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

/** Verbatim text in a table cell: a code span long enough to hold the backticks inside it. */
function verbatim(text: string): string {
  const span = text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
  return span.replace(/\|/g, '\\|');
}

/** The Markdown of docs/errors.md. */
export function renderErrorsDoc(): string {
  const lines: string[] = [
    '# Errors',
    '',
    '<!-- Generated from src/core/error-codes.ts by `npm run docs:errors`. Do not edit by hand. -->',
    '',
    'Every error stsctl raises on purpose carries a stable code from one registry. The CLI prints the',
    'message as `error: <file>, document <n>, <field>: <message>` (the location when there is one) and,',
    'when there is something to do about it, a `hint:` line, both on stderr. The code decides the exit',
    'code: **2** when the input or the flags are wrong (nothing was changed in AWS or on disk), **1** when',
    'the world did not cooperate (AWS, the network, the disk, the cluster). Library callers get a',
    '`StsctlError` with `code`, `kind` (`usage` or `failure`), `hint`, and, where they apply, `file`,',
    "`document`, `path`, `requestId` and `awsErrorCode` (AWS's own error code, such as `AccessDenied`).",
    '',
    'Messages below show their shape, with `{placeholders}` for what the error names.',
    '',
    `Exit codes: ${Object.entries(KIND_EXIT_CODES)
      .map(([kind, exit]) => `${exit} = \`${kind}\``)
      .join(', ')}; 0 is success. \`stsctl doctor\` findings have codes of their own: see`,
    '[findings.md](findings.md).',
  ];
  for (const group of Object.keys(ERROR_GROUPS) as ErrorGroup[]) {
    const codes = ERROR_CODE_LIST.filter((code) => ERROR_CODES[code].group === group);
    lines.push(
      '',
      `## ${ERROR_GROUPS[group]}`,
      '',
      '| code | exit | meaning | message | what to do |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const code of codes) {
      const def = ERROR_CODES[code];
      const hint = 'hint' in def ? prose(def.hint) : '—';
      lines.push(
        `| \`${code}\` | ${KIND_EXIT_CODES[def.kind]} | ${prose(def.title)} | ${verbatim(def.message)} | ${hint} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
