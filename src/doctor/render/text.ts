import { terminalSafe } from '../../core/terminal-text.js';
import { stepShellLines } from '../fix.js';
import type { CheckResult, ComponentReport, DoctorReport, Finding, Verdict } from '../report.js';

/**
 * The text form of a report: one block per group (the cluster, each issuer, each component), the
 * first broken link first, each finding with the AWS error it predicts and the fix. Pure and
 * colourless; the CLI decides about colour.
 *
 * Every line is built with the {@link t} tag, which passes each interpolated value through
 * {@link terminalSafe}: values come from token claims, fetched documents and AWS answers, and a
 * claim holding `ESC ] 8 ;;` or `ESC [ 2 J` must not drive the user's terminal. The literal parts
 * are ours and stay as written.
 */

/** A line of our layout: the literals as written, every interpolated value made terminal-safe. */
function t(literals: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  let out = literals[0] ?? '';
  values.forEach((v, i) => {
    out += terminalSafe(String(v)) + (literals[i + 1] ?? '');
  });
  return out;
}

const MARK: Readonly<Record<Finding['severity'], string>> = {
  error: 'ERROR',
  warning: 'WARN ',
  info: 'INFO ',
};

function verdictLine(v: Verdict): string {
  const who = v.serviceAccount === undefined ? '' : t` (${v.serviceAccount})`;
  return v.ok
    ? `  STS answers${who}: ` + t`credentials for ${v.assumedRoleArn}`
    : `  STS answers${who}: ` + t`${v.error.code} (${v.error.status}) ${v.error.message}`;
}

const AFTER_FIRST: Readonly<Record<NonNullable<Finding['afterFirst']>, string>> = {
  blocks: 'also wrong: STS would still refuse because of this once the first error is fixed',
  consequence: 'follows from the first error: goes away when it is fixed',
  independent: 'also wrong: does not by itself make STS refuse this call',
};

function findingLines(f: Finding): string[] {
  const lines = [`  ${MARK[f.severity]} ` + t`${f.code}  ${f.title}`];
  for (const d of f.detail.split('\n')) lines.push(t`        ${d}`);
  if (f.afterFirst !== undefined) lines.push(`        (${AFTER_FIRST[f.afterFirst]})`);
  if (f.predictedError !== undefined) {
    const e = f.predictedError;
    lines.push(t`        AWS answers: ${e.code} (${e.status}) ${e.message}`);
  }
  if (f.remedy !== undefined) {
    // Copy-pasteable: each step's here-documents and command line, nothing else on those lines.
    // A fix without steps is a change outside AWS: nothing for --fix to apply.
    if (f.remedy.steps.length === 0) lines.push(t`        fix: ${f.remedy.summary}`);
    else lines.push(t`        fix: ${f.remedy.summary} (stsctl doctor --fix applies it)`);
    for (const step of f.remedy.steps) {
      lines.push(t`          # ${step.description}`);
      for (const l of stepShellLines(step)) lines.push(t`          ${l}`);
    }
  } else if (f.fix.length > 0) {
    lines.push('        fix:');
    for (const step of f.fix) lines.push(t`          - ${step}`);
  }
  return lines;
}

function checkLine(c: CheckResult): string | undefined {
  if (c.outcome.status === 'could-not-check')
    return t`    ? ${c.title}: could not check: ${c.outcome.reason}`;
  if (c.outcome.status === 'pass')
    return t`    ✓ ${c.title}` + (c.outcome.detail === '' ? '' : t`: ${c.outcome.detail}`);
  return undefined;
}

function groupTitle(c: ComponentReport): string {
  const kind = c.kind === 'issuer' ? 'issuer ' : c.kind === 'cluster' ? '' : '';
  const state =
    c.brokenHop !== undefined
      ? `✗ broken at ${c.brokenHop}`
      : c.findings.length > 0
        ? '! ok with notes'
        : '✓ ok';
  return `${state}  ${kind}` + t`${c.name}` + (c.roleArn === undefined ? '' : t`  (role ${c.roleArn})`);
}

/** Renders a report as text. */
export function renderText(report: DoctorReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(
    t`stsctl doctor (${report.mode})` + (report.issuer === undefined ? '' : t` — issuer ${report.issuer}`),
  );
  out.push(
    `${s.healthy ? 'Healthy' : 'Broken'}: ` +
      t`${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} note(s); ${s.couldNotCheck} check(s) could not run`,
  );
  // A finding shared by several groups (an issuer fault is also the cause of every token verdict
  // that depends on it) is printed in full once, then referred to.
  const printed = new Map<string, string>();
  for (const c of report.components) {
    out.push('');
    out.push(groupTitle(c));
    for (const v of c.verdicts) out.push(verdictLine(v));
    for (const l of c.live) {
      out.push(
        '  live AWS' +
          (l.serviceAccount === undefined ? '' : t` (${l.serviceAccount})`) +
          ': ' +
          (l.ok
            ? t`credentials for ${l.assumedRoleArn ?? ''}`
            : t`${l.error?.code ?? ''} ${l.error?.message ?? ''}`) +
          ` — ${l.matchesPrediction ? 'as predicted' : 'NOT as predicted'}`,
      );
    }
    for (const f of c.findings) {
      const key = `${f.code}\u0000${f.detail}`;
      const where = printed.get(key);
      if (where === undefined) {
        printed.set(key, c.kind === 'issuer' ? `issuer ${c.name}` : c.name);
        out.push(...findingLines(f));
      } else {
        out.push(`  ${MARK[f.severity]} ` + t`${f.code}  ${f.title} (as above, under ${where})`);
      }
    }
    const lines = c.checks.map(checkLine).filter((l): l is string => l !== undefined);
    if (lines.length > 0) {
      out.push('  checks:');
      out.push(...lines);
    }
  }
  return `${out.join('\n')}\n`;
}
