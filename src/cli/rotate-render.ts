import { dirname, join } from 'node:path';
import { NEXT_KEY_DIR, NEXT_SIGNER_SECRET_PATH, type RotationResult } from '../commands/rotate-keys.js';
import { SCHEMA_VERSION } from './io.js';
import type { CommonFlags } from './rotate-commands.js';

/** What `stsctl rotate-keys add|retire` print (loaded with the command, see rotate-commands.ts). */

/** The result as one JSON document (`--output json`). */
export function renderJson(command: string, r: RotationResult, dryRun: boolean): string {
  return `${JSON.stringify(
    {
      schemaVersion: SCHEMA_VERSION,
      command,
      dryRun,
      ...(r.bucket === undefined ? {} : { bucket: r.bucket }),
      location: r.location,
      ...(r.publishAt === undefined ? {} : { publishAt: r.publishAt }),
      before: r.before,
      after: r.after,
      added: r.added,
      removed: r.removed,
      changed: r.changed,
      ...(r.nextKid === undefined ? {} : { nextKid: r.nextKid }),
      written: r.written.map((w) => w.path),
      ...(r.retiredTo === undefined ? {} : { retiredTo: r.retiredTo }),
    },
    null,
    2,
  )}\n`;
}

/** The flags that name the issuer again, as the user gave them (for the next command to run). */
function issuerFlags(o: CommonFlags): string {
  return [
    `--name ${o.name}`,
    ...(o.region === undefined ? [] : [`--region ${o.region}`]),
    ...(o.hosting === undefined ? [] : [`--hosting ${o.hosting}`]),
    ...(o.sharedIssuer === undefined ? [] : [`--shared-issuer ${o.sharedIssuer}`]),
  ].join(' ');
}

/**
 * A self-hosted issuer's file is served by the operator's server, not by stsctl: until it serves
 * the new file, STS sees the old keys. `stsctl serve` re-reads its files when they change
 * (src/serve/server.ts polls them every --poll-interval, 2 s by default).
 */
function publishLines(r: RotationResult): string[] {
  const at = r.publishAt === undefined ? '' : ` at ${r.publishAt}`;
  return [
    `Publish ${r.location}${at}: stsctl serve --issuer-dir ${dirname(r.location)} serves the new file`,
    '     within its --poll-interval (2 s by default); another web server needs it copied to where it',
    '     serves the issuer. STS sees the change only once the file is served.',
  ];
}

/** The result for people (`--output text`). */
export function renderText(
  step: 'add' | 'retire',
  r: RotationResult,
  o: CommonFlags & { outputDir: string },
): string {
  const lines: string[] = [];
  const would = o.dryRun ? ' (dry run: nothing changed)' : '';
  const selfHosted = r.bucket === undefined;
  lines.push(`${r.location}${would}`);
  lines.push(`  before: ${r.before.join(', ')}`);
  lines.push(`  after:  ${r.after.join(', ')}${r.changed ? '' : '  (no change)'}`);
  if (step === 'add') {
    const old = r.before.filter((k) => k !== r.nextKid);
    const secret = join(o.outputDir, NEXT_KEY_DIR, NEXT_SIGNER_SECRET_PATH);
    if (r.nextKid !== undefined && r.written.length > 0)
      lines.push(`Next key ${r.nextKid}: ${join(o.outputDir, NEXT_KEY_DIR)}/ (private key mode 0600)`);
    lines.push('Next steps:');
    // A self-hosted issuer has one more step first: serving the rewritten file.
    const n = selfHosted ? 2 : 1;
    if (selfHosted) lines.push(`  1. ${publishLines(r).join('\n')}`);
    lines.push(`  ${n}. Sign new tokens with the new key. OpenShift: oc apply -f ${secret}`);
    lines.push(
      '     (the kube-apiserver-operator rolls it out). Other Kubernetes: --service-account-signing-key-file',
    );
    lines.push('     = the new private key, and both public keys in --service-account-key-file.');
    lines.push(
      `  ${n + 1}. Wait until tokens signed by the old key have expired: their lifetime (1 h by default) plus 5 min.`,
    );
    lines.push(
      `  ${n + 2}. stsctl rotate-keys retire ${issuerFlags(o)} --output-dir ${o.outputDir}${old.length === 0 ? '' : ` --kid ${old.join(' --kid ')}`}`,
    );
  } else {
    if (r.retiredTo !== undefined)
      lines.push(
        `Promoted key ${r.nextKid ?? ''} into ${o.outputDir}; the retired key files are in ${r.retiredTo}`,
      );
    else if (o.dryRun && r.nextKid !== undefined)
      lines.push(`Would promote the next key ${r.nextKid} into ${o.outputDir}`);
    if (selfHosted) {
      lines.push(publishLines(r).join('\n'));
      lines.push(
        `Once it is served, tokens signed by ${r.removed.join(', ')} are refused with InvalidIdentityToken.`,
      );
    } else {
      lines.push(`Tokens signed by ${r.removed.join(', ')} are now refused with InvalidIdentityToken.`);
    }
  }
  return `${lines.join('\n')}\n`;
}
