import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { Reporter } from '../core/reporter.js';
import type { CliIo } from './io.js';

/** The rotation use cases (AWS SDK behind them), loaded when a command runs. */
const rotation = () => import('../commands/rotate-keys.js');
const render = () => import('./rotate-render.js');

interface Context {
  readonly io: CliIo;
  reporter(): Reporter;
}

export interface CommonFlags {
  name: string;
  region?: string;
  hosting?: 'public' | 'cloudfront' | 'lambda' | 'self';
  sharedIssuer?: string;
  outputDir?: string;
  dryRun: boolean;
  profile?: string;
  output: string;
}

function common(cmd: Command): Command {
  return (
    cmd
      .requiredOption('--name <name>', 'The --name the issuer was created with (bucket <name>-oidc)')
      // Not required by commander: a self-hosted issuer's rotation calls no AWS API (checked in
      // src/commands/rotate-keys.ts, MISSING_FLAG for the bucket hostings).
      .option('--region <region>', 'AWS region of the issuer bucket (required unless --hosting self)')
      .addOption(
        new Option(
          '--hosting <kind>',
          "The issuer's hosting: public, cloudfront and lambda rotate keys.json in the bucket (the default); self rotates <output-dir>/issuer/keys.json",
        ).choices(['public', 'cloudfront', 'lambda', 'self']),
      )
      .option(
        '--shared-issuer <fleet>',
        'The cluster is a member of this fleet issuer: rotate <name>/keys.json in the bucket <fleet>-oidc',
      )
      .option(
        '--output-dir <dir>',
        'The directory create-all wrote to (holds the current key; next/ is added)',
      )
      .option('--dry-run', 'Show what would change; change nothing in AWS or on disk', false)
      .option(
        '--profile <name>',
        'AWS profile from the shared config files (default: the standard credential chain)',
      )
      .addOption(
        new Option('--output <format>', 'Result format on stdout').choices(['text', 'json']).default('text'),
      )
  );
}

/** The flags that say which issuer's keys rotate. */
function issuerOf(opts: CommonFlags): {
  name: string;
  region: string | undefined;
  hosting: CommonFlags['hosting'];
  sharedIssuer: string | undefined;
} {
  return { name: opts.name, region: opts.region, hosting: opts.hosting, sharedIssuer: opts.sharedIssuer };
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
    const { addRotationKey } = await rotation();
    const { renderJson, renderText } = await render();
    const result = await addRotationKey(
      {
        ...issuerOf(opts),
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
      ...issuerOf(opts),
      outputDir,
      profile: opts.profile,
      kids: opts.kid,
    };
    const { retireRotationKeys } = await rotation();
    const { renderJson, renderText } = await render();
    if (!opts.dryRun && !opts.yes) {
      const { confirmOrRefuse } = await import('./confirm.js');
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
