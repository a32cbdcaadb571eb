import { FINDINGS, FINDING_CODES, HOPS, type FindingDefinition, type TemplateVars } from './registry.js';

/**
 * docs/findings.md, generated from the registry (STYLE.md §5): `npm run docs:findings` writes it,
 * and a unit test fails when the committed file differs from what this returns.
 */

/** Placeholder values shown in the documentation's predicted messages. */
const DOC_VARS: TemplateVars = { iss: '<iss>', now: '<now>', exp: '<exp>' };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function predicted(def: FindingDefinition): string {
  if (def.predicts === undefined) return '—';
  const e = def.predicts(DOC_VARS);
  // Placeholders like <iss> are kept; the rest is AWS's exact text (two spaces included).
  const today = `\`${e.code}\` (${e.status}) \`${e.message}\``;
  // Where the 2025-12 behaviour profile answered otherwise, both are shown (aws-sts-2026.md §1).
  const before = def.predicts(DOC_VARS, '2025-12');
  return before.message === e.message ? today : `${today}; before 2026: \`${before.message}\``;
}

/** The Markdown of docs/findings.md. */
export function renderFindingsDoc(): string {
  const lines: string[] = [
    '# Doctor findings',
    '',
    '<!-- Generated from src/doctor/findings/registry.ts by `npm run docs:findings`. Do not edit by hand. -->',
    '',
    '`stsctl doctor` reports each problem as a finding with a stable code. Severity `error` makes the',
    'command exit 1. "AWS answers" is the exact error `AssumeRoleWithWebIdentity` returns because of it',
    "(the web-identity model's catalogue, docs/webidentity.md); in a report the decisive finding carries",
    "the model's answer for the actual token, with the token's `iss` and times filled in. Fix steps name",
    'your resources in a report; here they show `{placeholders}`.',
    '',
    `Hops of the credential path: ${HOPS.map((h) => `\`${h}\``).join(' → ')}.`,
    '',
    '| code | severity | hop | title | AWS answers |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const code of FINDING_CODES) {
    const def: FindingDefinition = FINDINGS[code];
    lines.push(
      `| [\`${code}\`](#${code.toLowerCase()}) | ${def.severity} | ${def.hop} | ${cell(def.title)} | ${cell(predicted(def))} |`,
    );
  }
  for (const code of FINDING_CODES) {
    const def: FindingDefinition = FINDINGS[code];
    lines.push(
      '',
      `## ${code}`,
      '',
      `**${def.severity}**, hop \`${def.hop}\`: ${def.title}.`,
      '',
      def.why,
      '',
    );
    if (def.predicts !== undefined) lines.push(`AWS answers: ${predicted(def)}`, '');
    lines.push('Fix:', '', ...def.fix.map((f) => `- \`${f.replace(/`/g, "'")}\``));
  }
  return `${lines.join('\n')}\n`;
}
