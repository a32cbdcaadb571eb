import { Command, Option } from 'commander';
import type { CliIo } from './io.js';
import type { DoctorOptions } from './doctor-action.js';

/**
 * `stsctl doctor`'s flags. The action (doctor-action.ts) is loaded when the command runs, so
 * `--help` loads neither the AWS SDK nor the checks. Exit 0 when no finding has error severity, 1
 * when one does (or the world failed), 2 on bad usage (docs/commands.md).
 */

/** Registers `stsctl doctor`. */
export function addDoctorCommands(program: Command, io: CliIo, now: () => Date = () => new Date()): void {
  const doctor = program
    .command('doctor')
    .summary('Find the broken link of a web-identity setup, the AWS error it causes, and the fix')
    .description(
      'Checks a token and role, an issuer, a live cluster or exported manifests in the order STS works, and predicts the exact error AssumeRoleWithWebIdentity returns (exit 0 healthy, 1 error findings, 2 bad usage).',
    )
    .option('--token <file>', 'a service-account token file, or - for standard input (needs --role-arn)')
    .option('--role-arn <arn>', 'the role the token is used for')
    .option('--issuer <url>', 'the issuer to check (alone: hosting, discovery, JWKS and provider only)')
    .option(
      '--kubeconfig <file>',
      'diagnose a live cluster (reads CRs and Secrets, requests tokens with audience openshift)',
    )
    .option('--context <name>', 'kubeconfig context (default: current-context)')
    .option('--manifests-dir <dir>', 'diagnose exported manifests (oc get … -o yaml output or a must-gather)')
    .option('--live', 'also call AssumeRoleWithWebIdentity for real and compare with the prediction', false)
    .option('--no-aws', 'do not read AWS (AWS checks then report could-not-check)')
    .option('--region <region>', 'AWS region for S3 and STS (default: AWS_REGION, else us-east-1)')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--session-name <name>', 'RoleSessionName of the evaluated call', 'stsctl-doctor')
    .option('--duration-seconds <n>', 'DurationSeconds of the evaluated call')
    .addOption(
      new Option('--output <format>', 'result format on stdout')
        .choices(['text', 'json', 'html'])
        .default('text'),
    )
    .option('--output-file <file>', 'write the result to a file instead of standard output')
    .addOption(
      new Option('--aws-behaviour <profile>', "which AWS to predict: today's or the one before mid-2026")
        .choices(['2026-11', '2025-12'])
        .default('2026-11'),
    )
    .option('--fix', 'show the fix steps of the error findings, ask, apply them, then diagnose again', false)
    .option('--yes', 'with --fix: apply without asking (needed without a terminal)', false)
    .action(async (o: DoctorOptions) => {
      const { runDoctorCommand } = await import('./doctor-action.js');
      await runDoctorCommand(io, o, now);
    });
  doctor
    .command('explain')
    .summary('Explain an STS error text: candidate causes and the doctor command that decides')
    .description(
      'Reads an AssumeRoleWithWebIdentity error as any SDK or the aws CLI prints it (argument, or - for standard input) and lists the causes, most likely first, with the doctor command that decides between them (exit 0 when recognised, 1 when not).',
    )
    .argument('<text>', 'the error text, or - to read it from standard input')
    .addOption(
      new Option('--output <format>', 'result format on stdout').choices(['text', 'json']).default('text'),
    )
    .action(async (text: string, o: { output: 'text' | 'json' | 'html' }, cmd: Command) => {
      // `doctor` has an --output of its own, and commander lets a parent's option be given after
      // the sub-command: `doctor explain - --output json` sets the parent's. Either one counts.
      const parent = cmd.parent?.opts<{ output?: string }>().output;
      const output = o.output === 'json' || parent === 'json' ? 'json' : parent === 'html' ? 'html' : 'text';
      const { runDoctorExplain } = await import('./doctor-action.js');
      await runDoctorExplain(io, text, { output });
    });
}
