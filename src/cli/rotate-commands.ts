import { Command, Option } from 'commander';
import { join, resolve } from 'node:path';
import type { Reporter } from '../core/reporter.js';
import {
  addRotationKey,
  NEXT_KEY_DIR,
  NEXT_SIGNER_SECRET_PATH,
  retireRotationKeys,
  type RotationResult,
} from '../commands/rotate-keys.js';
import { JWKS_OBJECT_KEY } from '../core/issuer.js';
import { confirmOrRefuse } from './confirm.js';
import { SCHEMA_VERSION, type CliIo } from './io.js';

interface Context {
  readonly io: CliIo;
  reporter(): Reporter;
}

interface CommonFlags {
  name: string;
  region: string;
  outputDir?: string;
  dryRun: boolean;
  profile?: string;
  output: string;
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--name <name>', 'The --name the issuer was created with (bucket <name>-oidc)')
    .requiredOption('--region <region>', 'AWS region of the issuer bucket')
    .option('--output-dir <dir>', 'The directory create-all wrote to (holds the current key; next/ is added)')
    .option('--dry-run', 'Show what would change; change nothing in AWS or on disk', false)
    .option(
      '--profile <name>',
      'AWS profile from the shared config files (default: the standard credential chain)',
    )
    .addOption(
      new Option('--output <format>', 'Result format on stdout').choices(['text', 'json']).default('text'),
    );
}

function renderJson(command: string, r: RotationResult, dryRun: boolean): string {
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

function renderText(
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

/** `stsctl rotate-keys add|retire`. */
export function addRotateCommands(program: Command, ctx: Context): void {
  const rotate = program
    .command('rotate-keys')
    .summary('Rotate the service-account signing key with an overlap (add a key, later retire the old one)')
    .description(
      'Rotate the key that signs service-account tokens without a moment when valid tokens are refused: "add" publishes a new key next to the current one, "retire" unpublishes the old one once its tokens have expired.',
    );

  common(
    rotate
      .command('add')
      .summary('Generate (or take) a new key and publish it next to the current ones')
      .option(
        '--public-key-file <file>',
        'Publish this public key instead of generating a pair in <output-dir>/next/',
      ),
  ).action(async (opts: CommonFlags & { publicKeyFile?: string }) => {
    const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
    const result = await addRotationKey(
      {
        name: opts.name,
        region: opts.region,
        outputDir,
        dryRun: opts.dryRun,
        profile: opts.profile,
        publicKeyFile: opts.publicKeyFile === undefined ? undefined : resolve(ctx.io.cwd, opts.publicKeyFile),
      },
      ctx.reporter(),
      { env: ctx.io.env },
    );
    ctx.io.stdout.write(
      opts.output === 'json'
        ? renderJson('rotate-keys add', result, opts.dryRun)
        : renderText('add', result, { ...opts, outputDir }),
    );
  });

  common(
    rotate
      .command('retire')
      .summary('Unpublish old keys (after their tokens have expired)')
      .requiredOption('--kid <kid>', 'kid of a key to retire (repeatable)', (v: string, acc?: string[]) => [
        ...(acc ?? []),
        v,
      ])
      .option('--yes', 'Do not ask for confirmation', false),
  ).action(async (opts: CommonFlags & { kid: string[]; yes: boolean }) => {
    const outputDir = resolve(ctx.io.cwd, opts.outputDir ?? '');
    const base = {
      name: opts.name,
      region: opts.region,
      outputDir,
      profile: opts.profile,
      kids: opts.kid,
    };
    if (!opts.dryRun && !opts.yes) {
      const preview = await retireRotationKeys({ ...base, dryRun: true }, ctx.reporter(), {
        env: ctx.io.env,
      });
      await confirmOrRefuse(
        ctx.io,
        renderText('retire', preview, { ...opts, outputDir, dryRun: true }),
        `Retire ${opts.kid.join(', ')}? Tokens signed by ${opts.kid.length === 1 ? 'it' : 'them'} will be refused.`,
        'retire keys',
      );
    }
    const result = await retireRotationKeys({ ...base, dryRun: opts.dryRun }, ctx.reporter(), {
      env: ctx.io.env,
    });
    ctx.io.stdout.write(
      opts.output === 'json'
        ? renderJson('rotate-keys retire', result, opts.dryRun)
        : renderText('retire', result, { ...opts, outputDir }),
    );
  });
}
