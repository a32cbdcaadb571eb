import { stepShellLines } from '../fix.js';
import { HOPS, type Hop } from '../findings/registry.js';
import type { CheckResult, ComponentReport, DoctorReport, Finding } from '../report.js';

/**
 * The HTML form: one self-contained page (inline CSS and SVG, no scripts, no external resources)
 * with, per group, a diagram of the credential path — token → issuer → discovery → JWKS → IAM
 * provider → role → credentials — where the broken hop is marked, then the findings with the AWS
 * error each predicts and its fix, then the checks. Pure: `(report) => string`.
 */

const AFTER_FIRST: Readonly<Record<NonNullable<Finding['afterFirst']>, string>> = {
  blocks: 'Also wrong: STS would still refuse because of this once the first error is fixed.',
  consequence: 'Follows from the first error: goes away when it is fixed.',
  independent: 'Also wrong: does not by itself make STS refuse this call.',
};

const LABELS: Readonly<Record<Hop, string>> = {
  token: 'token',
  issuer: 'issuer',
  discovery: 'discovery',
  jwks: 'JWKS',
  provider: 'IAM provider',
  role: 'role',
  credentials: 'credentials',
};

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** States of the hops of one group: ok up to the broken one, broken, then not reached. */
function hopStates(c: ComponentReport): Readonly<Record<Hop, 'ok' | 'broken' | 'after' | 'warn'>> {
  const broken = c.brokenHop === undefined ? -1 : HOPS.indexOf(c.brokenHop);
  const warned = new Set(c.findings.filter((f) => f.severity === 'warning').map((f) => f.hop));
  const out = {} as Record<Hop, 'ok' | 'broken' | 'after' | 'warn'>;
  HOPS.forEach((hop, i) => {
    out[hop] =
      broken < 0 || i < broken ? (warned.has(hop) ? 'warn' : 'ok') : i === broken ? 'broken' : 'after';
  });
  return out;
}

/** The inline SVG diagram of the credential path for one group. */
export function renderDiagram(c: ComponentReport): string {
  const w = 132;
  const gap = 22;
  const h = 46;
  const states = hopStates(c);
  const parts: string[] = [];
  HOPS.forEach((hop, i) => {
    const x = 8 + i * (w + gap);
    const state = states[hop];
    const label = state === 'broken' ? `${LABELS[hop]} ✗` : LABELS[hop];
    parts.push(
      `<g class="hop ${state}" data-hop="${hop}" data-state="${state}"><title>${esc(`${LABELS[hop]}: ${state}`)}</title>` +
        `<rect x="${x}" y="8" width="${w}" height="${h}" rx="8"/>` +
        `<text x="${x + w / 2}" y="${8 + h / 2 + 5}" text-anchor="middle">${esc(label)}</text></g>`,
    );
    if (i < HOPS.length - 1) {
      const x1 = x + w;
      const next = HOPS[i + 1];
      const edge =
        state === 'broken' || state === 'after' || (next !== undefined && states[next] === 'broken')
          ? 'edge cut'
          : 'edge';
      parts.push(
        `<path class="${edge}" d="M${x1 + 2} ${8 + h / 2} H${x1 + gap - 4}" marker-end="url(#arrow)"/>`,
      );
    }
  });
  const width = 16 + HOPS.length * w + (HOPS.length - 1) * gap;
  return (
    `<svg class="path" role="img" aria-label="${esc(`credential path of ${c.name}${c.brokenHop === undefined ? ': no broken hop' : `: broken at ${c.brokenHop}`}`)}" ` +
    `viewBox="0 0 ${width} ${h + 16}" width="${width}" height="${h + 16}" xmlns="http://www.w3.org/2000/svg">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>` +
    `${parts.join('')}</svg>`
  );
}

function findingHtml(f: Finding): string {
  const predicted =
    f.predictedError === undefined
      ? ''
      : `<p class="aws">AWS answers: <code>${esc(f.predictedError.code)} (${f.predictedError.status})</code> <q>${esc(f.predictedError.message)}</q></p>`;
  const fix =
    f.remedy !== undefined && f.remedy.steps.length === 0
      ? `<p class="fix-summary">Fix: ${esc(f.remedy.summary)}</p>`
      : f.remedy !== undefined
        ? `<p class="fix-summary">Fix: ${esc(f.remedy.summary)} (<code>stsctl doctor --fix</code> applies it)</p><ol class="fix">${f.remedy.steps
            .map((s) => `<li>${esc(s.description)}<br><code>${esc(stepShellLines(s).join('\n'))}</code></li>`)
            .join('')}</ol>`
        : f.fix.length === 0
          ? ''
          : `<ol class="fix">${f.fix.map((s) => `<li><code>${esc(s)}</code></li>`).join('')}</ol>`;
  return (
    `<li class="finding ${f.severity}${f.decisive === true ? ' decisive' : ''}" data-code="${esc(f.code)}" data-hop="${f.hop}">` +
    `<p class="head"><span class="sev">${f.severity}</span> <code class="code">${esc(f.code)}</code> ${esc(f.title)}</p>` +
    `<p class="detail">${esc(f.detail)}</p>${f.afterFirst === undefined ? '' : `<p class="after">${AFTER_FIRST[f.afterFirst]}</p>`}${predicted}${fix}</li>`
  );
}

function checkHtml(c: CheckResult): string {
  const o = c.outcome;
  const text =
    o.status === 'pass'
      ? o.detail
      : o.status === 'could-not-check'
        ? `could not check: ${o.reason}`
        : `${o.findings.length} finding(s)`;
  return `<li class="check ${o.status}" data-check="${esc(c.id)}"><span>${esc(c.title)}</span> — ${esc(text)}</li>`;
}

function groupHtml(c: ComponentReport): string {
  const verdicts = c.verdicts
    .map((v) => {
      const who = v.serviceAccount === undefined ? '' : ` (${esc(v.serviceAccount)})`;
      return v.ok
        ? `<p class="verdict ok">STS answers${who}: credentials for <code>${esc(v.assumedRoleArn)}</code></p>`
        : `<p class="verdict fail">STS answers${who}: <code>${esc(v.error.code)} (${v.error.status})</code> <q>${esc(v.error.message)}</q></p>`;
    })
    .join('');
  const live = c.live
    .map(
      (l) =>
        `<p class="live ${l.matchesPrediction ? 'ok' : 'fail'}">Live AWS: ${l.ok ? 'credentials' : esc(`${l.error?.code ?? ''}: ${l.error?.message ?? ''}`)} — ${l.matchesPrediction ? 'as predicted' : 'not as predicted'}</p>`,
    )
    .join('');
  const state = c.brokenHop === undefined ? 'healthy' : 'broken';
  return (
    `<section class="group ${state}" data-group="${esc(c.name)}" data-broken-hop="${c.brokenHop ?? ''}">` +
    `<h2>${c.kind === 'issuer' ? 'Issuer ' : ''}${esc(c.name)}${c.brokenHop === undefined ? '' : ` <span class="badge">broken at ${esc(c.brokenHop)}</span>`}</h2>` +
    (c.roleArn === undefined ? '' : `<p class="role">Role <code>${esc(c.roleArn)}</code></p>`) +
    renderDiagram(c) +
    verdicts +
    live +
    (c.findings.length === 0 ? '' : `<ul class="findings">${c.findings.map(findingHtml).join('')}</ul>`) +
    `<details><summary>${c.checks.length} check(s)</summary><ul class="checks">${c.checks.map(checkHtml).join('')}</ul></details>` +
    `</section>`
  );
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2430;background:#fafbfc}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}
.summary{margin:0 0 16px;padding:8px 12px;border-radius:6px;display:inline-block}
.summary.healthy{background:#e3f5e8}.summary.broken{background:#fde8e8}
.group{background:#fff;border:1px solid #d7dce3;border-radius:8px;padding:12px 16px;margin:0 0 16px}
.group.broken{border-left:6px solid #c62828}.group.healthy{border-left:6px solid #2e7d32}
.badge{background:#c62828;color:#fff;border-radius:4px;padding:1px 6px;font-size:12px;margin-left:6px}
svg.path{display:block;max-width:100%;height:auto;margin:6px 0 10px}
.hop rect{fill:#e3f5e8;stroke:#2e7d32;stroke-width:2}.hop text{font-size:13px;fill:#1d2430}
.hop.warn rect{fill:#fff6dd;stroke:#b7791f}
.hop.broken rect{fill:#c62828;stroke:#7f1010;stroke-width:3}.hop.broken text{fill:#fff;font-weight:700}
.hop.after rect{fill:#eef0f3;stroke:#9aa3af;stroke-dasharray:4 3}.hop.after text{fill:#6b7280}
.edge{stroke:#2e7d32;stroke-width:2;fill:none}.edge.cut{stroke:#9aa3af;stroke-dasharray:4 3}
marker path{fill:#6b7280}
.findings{list-style:none;padding:0;margin:8px 0}
.finding{border-left:4px solid #9aa3af;padding:4px 10px;margin:6px 0;background:#f6f7f9}
.finding.error{border-color:#c62828}.finding.warning{border-color:#b7791f}.finding.info{border-color:#2563eb}
.finding.decisive{background:#fdecec}
.finding p{margin:2px 0}.sev{text-transform:uppercase;font-size:11px;font-weight:700}
.fix{margin:4px 0 0 18px;padding:0}.fix code{white-space:pre-wrap;word-break:break-all}
.verdict.fail,.live.fail{color:#a11}.verdict.ok,.live.ok{color:#1b5e20}
.checks{margin:4px 0 0 18px;padding:0}.check.could-not-check{color:#6b7280}.check.fail{color:#a11}
q{white-space:pre-wrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
`;

/** Renders a report as one self-contained HTML page. */
export function renderHtml(report: DoctorReport): string {
  const s = report.summary;
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<title>stsctl doctor${report.issuer === undefined ? '' : ` — ${esc(report.issuer)}`}</title><style>${CSS}</style></head><body>` +
    `<h1>stsctl doctor <small>(${esc(report.mode)})</small></h1>` +
    (report.issuer === undefined ? '' : `<p>Issuer <code>${esc(report.issuer)}</code></p>`) +
    `<p class="summary ${s.healthy ? 'healthy' : 'broken'}" data-errors="${s.errors}">${s.healthy ? 'Healthy' : 'Broken'}: ${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} note(s); ${s.couldNotCheck} check(s) could not run. Generated ${esc(report.generatedAt)}.</p>` +
    report.components.map(groupHtml).join('') +
    `</body></html>\n`
  );
}
