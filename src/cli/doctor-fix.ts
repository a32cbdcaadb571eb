import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { StsctlError } from '../core/errors.js';
import { stepShellLines, type Fix, type FixStep } from '../doctor/fix.js';
import type { DoctorReport, Finding } from '../doctor/report.js';
import { renderText } from '../doctor/render/text.js';
import { confirmOrRefuse } from './confirm.js';
import type { CliIo } from './io.js';

/**
 * `stsctl doctor --fix`: the fixes of the report's error findings, first error first, shown, asked
 * for (`--yes` for scripts; without a terminal and without `--yes` it refuses, exit 2), applied
 * step by step — each its own process through `execFile`, no shell, with the user's environment,
 * its files written into the current directory first — then the diagnosis runs again and its
 * verdict is printed. Loaded only when `--fix` is given.
 */

const run = promisify(execFile);

/** The fixes to apply: one per distinct remedy, in the report's order (the decisive one first). */
export function fixesToApply(report: DoctorReport): { finding: Finding; fix: Fix }[] {
  const seen = new Set<string>();
  const out: { finding: Finding; fix: Fix }[] = [];
  for (const c of report.components) {
    for (const f of c.findings) {
      // A fix without steps changes nothing in AWS: there is nothing to apply.
      if (f.severity !== 'error' || f.remedy === undefined || f.remedy.steps.length === 0) continue;
      const key = JSON.stringify(f.remedy.steps);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ finding: f, fix: f.remedy });
    }
  }
  return out;
}

function preview(fixes: readonly { finding: Finding; fix: Fix }[]): string {
  const lines: string[] = [];
  for (const { finding, fix } of fixes) {
    lines.push(`${finding.code}: ${fix.summary}`);
    for (const step of fix.steps) {
      lines.push(`  # ${step.description}`);
      for (const l of stepShellLines(step)) lines.push(`  ${l}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The program a step runs: `aws` from PATH; `stsctl` is this very CLI. */
function program(step: FixStep): { file: string; args: string[] } {
  if (step.kind === 'stsctl') {
    const script = process.argv[1];
    if (script === undefined) throw new StsctlError('DOCTOR_FIX_FAILED', 'cannot locate the stsctl CLI');
    return { file: process.execPath, args: [script, ...step.argv.slice(1)] };
  }
  return { file: step.argv[0] ?? 'aws', args: step.argv.slice(1) };
}

/** Applies the report's fixes and returns the report of the diagnosis run again afterwards. */
export async function applyDoctorFixes(
  io: CliIo,
  report: DoctorReport,
  options: { readonly yes: boolean; readonly json: boolean },
  diagnose: () => Promise<DoctorReport>,
): Promise<DoctorReport> {
  const fixes = fixesToApply(report);
  const log = options.json ? io.stderr : io.stdout;
  if (fixes.length === 0) {
    if (options.json)
      io.stdout.write(
        `${JSON.stringify({ schemaVersion: 1, before: report, fixes: [], after: report }, null, 2)}\n`,
      );
    else io.stdout.write(renderText(report));
    if (!report.summary.healthy)
      log.write('No error finding has fix steps the doctor could write; see the fixes above.\n');
    return report;
  }
  const shown = `${renderText(report)}\nFix steps:\n${preview(fixes)}`;
  if (!options.yes) await confirmOrRefuse(io, shown, 'Apply these steps?', 'apply the fix steps');
  else if (!options.json) io.stdout.write(shown);
  const applied: { code: string; steps: (FixStep & { exitCode: number })[] }[] = [];
  for (const { finding, fix } of fixes) {
    const done: (FixStep & { exitCode: number })[] = [];
    applied.push({ code: finding.code, steps: done });
    for (const step of fix.steps) {
      for (const f of step.files ?? []) await writeFile(resolve(io.cwd, f.name), f.content);
      const { file, args } = program(step);
      log.write(`applying: ${step.argv.join(' ')}\n`);
      try {
        await run(file, args, { env: io.env, cwd: io.cwd, maxBuffer: 16 * 1024 * 1024 });
        done.push({ ...step, exitCode: 0 });
      } catch (e) {
        const err = e as { code?: number | string; stderr?: string; message: string };
        throw new StsctlError(
          'DOCTOR_FIX_FAILED',
          `fix step failed (${step.argv.slice(0, 3).join(' ')}): ${(err.stderr ?? err.message).trim()}`,
          { kind: 'failure' },
        );
      }
    }
  }
  const after = await diagnose();
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ schemaVersion: 1, before: report, fixes: applied, after }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(`\nAfter the fix:\n${renderText(after)}`);
  }
  return after;
}
