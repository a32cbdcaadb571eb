import { join } from 'node:path';
import { NEXT_KEY_DIR, NEXT_SIGNER_SECRET_PATH, type RotationResult } from '../commands/rotate-keys.js';
import { JWKS_OBJECT_KEY } from '../core/issuer.js';
import { SCHEMA_VERSION } from './io.js';
import type { CommonFlags } from './rotate-commands.js';

/** What `stsctl rotate-keys add|retire` print (loaded with the command, see rotate-commands.ts). */

export function renderJson(command: string, r: RotationResult, dryRun: boolean): string {
  return `${JSON.stringify(
    {
      schemaVersion: SCHEMA_VERSION,
      command,
      dryRun,
      bucket: r.bucket,
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

export function renderText(
  step: 'add' | 'retire',
  r: RotationResult,
  o: CommonFlags & { outputDir: string },
): string {
  const lines: string[] = [];
  const would = o.dryRun ? ' (dry run: nothing changed)' : '';
  lines.push(`s3://${r.bucket}/${JWKS_OBJECT_KEY}${would}`);
  lines.push(`  before: ${r.before.join(', ')}`);
  lines.push(`  after:  ${r.after.join(', ')}${r.changed ? '' : '  (no change)'}`);
  if (step === 'add') {
    const old = r.before.filter((k) => k !== r.nextKid);
    const secret = join(o.outputDir, NEXT_KEY_DIR, NEXT_SIGNER_SECRET_PATH);
    if (r.nextKid !== undefined && r.written.length > 0)
      lines.push(`Next key ${r.nextKid}: ${join(o.outputDir, NEXT_KEY_DIR)}/ (private key mode 0600)`);
    lines.push('Next steps:');
    lines.push(`  1. Sign new tokens with the new key. OpenShift: oc apply -f ${secret}`);
    lines.push(
      '     (the kube-apiserver-operator rolls it out). Other Kubernetes: --service-account-signing-key-file',
    );
    lines.push('     = the new private key, and both public keys in --service-account-key-file.');
    lines.push(
      '  2. Wait until tokens signed by the old key have expired: their lifetime (1 h by default) plus 5 min.',
    );
    lines.push(
      `  3. stsctl rotate-keys retire --name ${o.name} --region ${o.region} --output-dir ${o.outputDir}${old.length === 0 ? '' : ` --kid ${old.join(' --kid ')}`}`,
    );
  } else {
    if (r.retiredTo !== undefined)
      lines.push(
        `Promoted key ${r.nextKid ?? ''} into ${o.outputDir}; the retired key files are in ${r.retiredTo}`,
      );
    else if (o.dryRun && r.nextKid !== undefined)
      lines.push(`Would promote the next key ${r.nextKid} into ${o.outputDir}`);
    lines.push(`Tokens signed by ${r.removed.join(', ')} are now refused with InvalidIdentityToken.`);
  }
  return `${lines.join('\n')}\n`;
}
