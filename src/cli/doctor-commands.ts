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
  program
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
    .action(async (o: DoctorOptions) => {
      const { runDoctorCommand } = await import('./doctor-action.js');
      await runDoctorCommand(io, o, now);
    });
}
