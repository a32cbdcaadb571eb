import type { ApplyResult } from '../aws/apply.js';
import type { DeletionResult } from '../aws/delete.js';
import { planCounts, KNOWN_AFTER_APPLY, type Change, type Plan } from '../aws/plan.js';
import type { TraceRecorder } from '../aws/trace.js';
import type { ProvisionResult } from '../commands/provision.js';
import { SCHEMA_VERSION } from './io.js';

/** Pure renderers of provisioning results: text for people, JSON (with `schemaVersion`) for tools. */

const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', unchanged: '=' };

function truncate(value: string | undefined, max = 90): string {
  if (value === undefined) return '(none)';
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

export function renderChangesText(changes: readonly Change[], showUnchanged: boolean): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    if (c.action === 'unchanged' && !showUnchanged) continue;
    lines.push(`  ${SYMBOL[c.action]} ${c.action.padEnd(9)} ${c.kind.padEnd(22)} ${c.id}`);
    for (const f of c.fields) lines.push(`      ${f.field}: ${truncate(f.from)} → ${truncate(f.to)}`);
    for (const n of c.notes)
      if (c.action !== 'unchanged' || c.kind === 'distribution') lines.push(`      (${n})`);
  }
  return lines;
}

export function renderPlanText(p: Plan): string {
  const counts = planCounts(p);
  const lines = [`Plan for "${p.name}" in ${p.region} (account ${p.accountId}):`];
  lines.push(...renderChangesText(p.changes, true));
  if (p.migration !== undefined) {
    // Only when the issuer would change (src/aws/plan/identity.ts): a run refuses it without --migrate-issuer.
    lines.push(
      `Migration: the issuer changes from ${p.migration.from} to ${p.migration.to ?? KNOWN_AFTER_APPLY} (create-* refuse it without --migrate-issuer):`,
    );
    for (const c of p.migration.consequences) lines.push(`  - ${c}`);
  }
  lines.push(`Issuer: ${p.issuer ?? KNOWN_AFTER_APPLY}`);
  lines.push(
    counts.create + counts.update === 0
      ? `No changes: ${counts.unchanged} resources up to date.`
      : `Plan: ${counts.create} to create, ${counts.update} to update, ${counts.unchanged} unchanged.`,
  );
  return `${lines.join('\n')}\n`;
}

function planJson(p: Plan): object {
  return {
    name: p.name,
    region: p.region,
    accountId: p.accountId,
    issuer: p.issuer ?? null,
    providerArn: p.providerArn ?? null,
    migration: p.migration ?? null,
    counts: planCounts(p),
    changes: p.changes,
  };
}

export function renderPlanJson(p: Plan): string {
  return `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, command: 'plan', ...planJson(p) }, null, 2)}\n`;
}

export function traceLine(trace: TraceRecorder | undefined): string | undefined {
  if (trace === undefined) return undefined;
  const s = trace.summary();
  const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return `Trace: ${s.calls} AWS calls in ${sec(s.wallMs)}; critical path ${sec(s.criticalPathMs)} over ${s.criticalPathCalls} calls (the same calls one after another: ${sec(s.sequentialMs)})`;
}

export function renderProvisionText(
  command: string,
  r: ProvisionResult,
  outcome: ApplyResult,
  trace: TraceRecorder | undefined,
): string {
  const created = outcome.applied.filter((c) => c.action === 'create').length;
  const updated = outcome.applied.filter((c) => c.action === 'update').length;
  const lines = [
    outcome.applied.length === 0
      ? `${command}: no changes; everything was already up to date.`
      : `${command}: ${created} created, ${updated} updated.`,
    ...renderChangesText(outcome.applied, false),
    `Issuer: ${outcome.issuer}`,
  ];
  if (r.dnsRecord !== undefined) {
    lines.push(
      'DNS: create this record (or a Route 53 alias record to the distribution); until it resolves, STS cannot fetch the issuer:',
      `  ${r.dnsRecord.name}  ${r.dnsRecord.type}  ${r.dnsRecord.value}`,
    );
  }
  if (outcome.providerArn !== undefined) lines.push(`Identity provider: ${outcome.providerArn}`);
  if (outcome.roleArns.size > 0) {
    lines.push(`Roles (${outcome.roleArns.size}):`);
    for (const arn of outcome.roleArns.values()) lines.push(`  ${arn}`);
  }
  const remainingDrift = planCounts(outcome.final);
  if (remainingDrift.create + remainingDrift.update > 0) {
    lines.push(
      `warning: ${remainingDrift.create + remainingDrift.update} resources still differ after the run; run it again`,
    );
  }
  lines.push(`Wrote ${r.written.length} files`);
  const t = traceLine(trace);
  if (t !== undefined) lines.push(t);
  return `${lines.join('\n')}\n`;
}

export function renderProvisionJson(
  command: string,
  r: ProvisionResult,
  trace: TraceRecorder | undefined,
): string {
  const o = r.outcome;
  return `${JSON.stringify(
    {
      schemaVersion: SCHEMA_VERSION,
      command,
      issuer: o.issuer,
      providerArn: o.providerArn ?? null,
      dnsRecord: r.dnsRecord ?? null,
      kid: r.kid ?? null,
      roles: [...o.roleArns].map(([roleName, roleArn]) => ({ roleName, roleArn })),
      applied: o.applied,
      planBefore: planJson(o.initial),
      planAfter: planJson(o.final),
      files: r.written.map((w) => ({ path: w.path, action: w.action, mode: `0${w.mode.toString(8)}` })),
      skipped: r.skipped.map((s) => ({ file: s.source.file, document: s.source.document, reason: s.reason })),
      trace: trace === undefined ? null : { summary: trace.summary(), calls: trace.calls },
    },
    null,
    2,
  )}\n`;
}

export function renderDeletionText(
  r: DeletionResult,
  dryRun: boolean,
  trace: TraceRecorder | undefined,
): string {
  const lines: string[] = [];
  if (r.found.length === 0) lines.push('Nothing carries the ownership tag: nothing to delete.');
  else if (dryRun) {
    lines.push(`Would delete ${r.found.length}:`);
    for (const i of r.found) lines.push(`  - ${i.kind.padEnd(22)} ${i.id}`);
  } else {
    lines.push(`Deleted ${r.deleted.length} of ${r.found.length}:`);
    for (const i of r.deleted) lines.push(`  - ${i.kind.padEnd(22)} ${i.id}`);
  }
  if (r.foreignObjects.length > 0)
    lines.push(`Left alone (no ownership tag): ${r.foreignObjects.join(', ')}`);
  if (r.remaining.length > 0) {
    lines.push(`Remaining (${r.remaining.length}):`);
    for (const i of r.remaining) lines.push(`  ! ${i.kind.padEnd(22)} ${i.id}: ${i.reason}`);
  }
  const t = traceLine(trace);
  if (t !== undefined) lines.push(t);
  return `${lines.join('\n')}\n`;
}

export function renderDeletionJson(
  r: DeletionResult,
  dryRun: boolean,
  trace: TraceRecorder | undefined,
): string {
  return `${JSON.stringify(
    {
      schemaVersion: SCHEMA_VERSION,
      command: 'delete',
      dryRun,
      ...r,
      trace: trace === undefined ? null : trace.summary(),
    },
    null,
    2,
  )}\n`;
}
