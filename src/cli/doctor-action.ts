import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createIdentityObserver } from '../aws/observe-identity.js';
import { StsctlError } from '../core/errors.js';
import { validateRegion } from '../core/partitions.js';
import type { DoctorContext } from '../doctor/context.js';
import { gatherCluster, gatherManifestsDir } from '../doctor/gather.js';
import { createKubeClient } from '../doctor/kube/client.js';
import { loadKubeconfig } from '../doctor/kube/kubeconfig.js';
import { explainStsError, renderStsErrorExplanation } from '../doctor/explain.js';
import { shellQuote } from '../doctor/fix.js';
import type { DoctorReport } from '../doctor/report.js';
import { renderHtml } from '../doctor/render/html.js';
import type { AwsBehaviour } from '../webidentity/behaviour.js';
import { renderJson } from '../doctor/render/json.js';
import { renderText } from '../doctor/render/text.js';
import { runDoctor } from '../doctor/run.js';
import type { DoctorTarget } from '../doctor/target.js';
import { environmentProxy } from '../net/environment.js';
import { createIssuerFetcher, type IssuerFetcherOptions } from '../net/issuer-fetch.js';
import { readAll, type CliIo } from './io.js';

/**
 * The `stsctl doctor` action, loaded when the command runs (doctor-commands.ts defines the flags):
 * flags → a target (token, issuer, cluster or exported manifests) → the checks →
 * a renderer. Exit 0 when no finding has error severity, 1 when one does (or the world failed),
 * 2 on bad usage (docs/commands.md).
 */

export interface DoctorOptions {
  token?: string;
  roleArn?: string;
  issuer?: string;
  kubeconfig?: string;
  context?: string;
  manifestsDir?: string;
  live: boolean;
  aws: boolean;
  region?: string;
  profile?: string;
  sessionName?: string;
  durationSeconds?: string;
  output: 'text' | 'json' | 'html';
  outputFile?: string;
  awsBehaviour?: AwsBehaviour;
  fix?: boolean;
  yes?: boolean;
}

function usage(message: string): StsctlError {
  return new StsctlError('DOCTOR_USAGE', message, { kind: 'usage', hint: 'run stsctl doctor --help' });
}

/**
 * Reaches issuers the way the validating STS does inside the sandbox (`STSCTL_SANDBOX_EDGE`,
 * `STSCTL_SANDBOX_CA_BUNDLE`, written by `stsctl sandbox env`): every public host on port 443 goes
 * to the edge, and the sandbox CA plays AWS's CA library. Otherwise: real DNS, Node's root store.
 */
async function issuerFetcherOptions(env: NodeJS.ProcessEnv): Promise<IssuerFetcherOptions> {
  const edge = env['STSCTL_SANDBOX_EDGE'];
  const bundle = env['STSCTL_SANDBOX_CA_BUNDLE'];
  if (edge === undefined || edge === '' || bundle === undefined || bundle === '')
    return { proxy: environmentProxy(env) };
  const m = /^(.+):(\d+)$/.exec(edge);
  if (m?.[1] === undefined || m[2] === undefined) {
    throw usage(`STSCTL_SANDBOX_EDGE "${edge}" is not host:port`);
  }
  const target = { host: m[1], port: Number(m[2]) };
  let pem: string;
  try {
    pem = await readFile(bundle, 'utf8');
  } catch (e) {
    throw new StsctlError(
      'SANDBOX_CA_UNREADABLE',
      `cannot read STSCTL_SANDBOX_CA_BUNDLE: ${(e as Error).message}`,
      {
        file: bundle,
      },
    );
  }
  return { trustedCaPems: [pem], connectTo: (_host, port) => (port === 443 ? target : undefined) };
}

async function readToken(io: CliIo, file: string): Promise<string> {
  try {
    const text = file === '-' ? await readAll(io.stdin) : await readFile(resolve(io.cwd, file), 'utf8');
    return text.trim();
  } catch (e) {
    throw new StsctlError('TOKEN_FILE_UNREADABLE', `cannot read the token: ${(e as Error).message}`, {
      file,
    });
  }
}

async function buildTarget(io: CliIo, o: DoctorOptions): Promise<DoctorTarget> {
  const modes = [o.token, o.kubeconfig, o.manifestsDir].filter((m) => m !== undefined).length;
  if (modes > 1) throw usage('give one of --token, --kubeconfig and --manifests-dir');
  if (modes === 0 && o.issuer === undefined) {
    throw usage(
      'nothing to diagnose: give --token FILE with --role-arn, --issuer URL, --kubeconfig FILE or --manifests-dir DIR',
    );
  }
  if (o.token !== undefined && o.roleArn === undefined)
    throw usage('--token needs --role-arn (the role the token is for)');
  if (o.token === undefined && o.roleArn !== undefined) throw usage('--role-arn goes with --token');
  if (o.durationSeconds !== undefined && !/^\d+$/.test(o.durationSeconds)) {
    throw usage(`--duration-seconds must be a whole number (got "${o.durationSeconds}")`);
  }
  const common = {
    live: o.live,
    ...(o.sessionName === undefined ? {} : { sessionName: o.sessionName }),
    ...(o.durationSeconds === undefined ? {} : { durationSeconds: o.durationSeconds }),
  };
  if (o.token !== undefined && o.roleArn !== undefined) {
    const token = await readToken(io, o.token);
    return {
      mode: 'token',
      ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
      components: [{ name: 'token', serviceAccounts: [], roleArn: o.roleArn, tokens: [{ token }] }],
      ...common,
    };
  }
  if (o.kubeconfig !== undefined) {
    const connection = await loadKubeconfig(resolve(io.cwd, o.kubeconfig), o.context, { env: io.env });
    const target = await gatherCluster(createKubeClient(connection), {
      ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
    });
    return { ...target, ...common };
  }
  if (o.manifestsDir !== undefined) {
    const target = await gatherManifestsDir(resolve(io.cwd, o.manifestsDir), {
      ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
    });
    return { ...target, ...common };
  }
  return {
    mode: 'issuer',
    ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
    components: [],
    ...common,
  };
}

/** Runs `stsctl doctor` with parsed flags; throws `DOCTOR_FINDINGS` when a finding has error severity. */
export async function runDoctorCommand(io: CliIo, o: DoctorOptions, now: () => Date): Promise<void> {
  const region = validateRegion(
    o.region ?? io.env['AWS_REGION'] ?? io.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
  );
  if (o.yes === true && o.fix !== true) throw usage('--yes goes with --fix');
  if (o.fix === true && o.output === 'html') throw usage('--fix prints text or JSON, not HTML');
  const target = await buildTarget(io, o);
  const issuerOptions = await issuerFetcherOptions(io.env);
  const diagnose = async (): Promise<DoctorReport> => {
    // A fresh observer and fetcher per diagnosis: after --fix the second run must see the new state.
    const aws = o.aws
      ? createIdentityObserver({ region, ...(o.profile === undefined ? {} : { profile: o.profile }) }, io.env)
      : undefined;
    const ctx: DoctorContext = {
      issuer: createIssuerFetcher(issuerOptions),
      aws,
      ...(o.aws ? {} : { awsUnavailableReason: 'AWS not read (--no-aws)' }),
      ...(o.awsBehaviour === undefined ? {} : { behaviour: o.awsBehaviour }),
      now,
    };
    try {
      return await runDoctor(target, ctx);
    } finally {
      aws?.destroy();
    }
  };
  let report = await diagnose();
  if (o.fix === true) {
    const { applyDoctorFixes } = await import('./doctor-fix.js');
    report = await applyDoctorFixes(io, report, { yes: o.yes === true, json: o.output === 'json' }, diagnose);
  } else {
    const rendered =
      o.output === 'json'
        ? renderJson(report)
        : o.output === 'html'
          ? renderHtml(report)
          : renderText(report);
    if (o.outputFile !== undefined) await writeFile(resolve(io.cwd, o.outputFile), rendered);
    else io.stdout.write(rendered);
  }
  if (!report.summary.healthy) {
    const first = report.components.flatMap((c) => c.findings).find((f) => f.severity === 'error');
    throw new StsctlError(
      'DOCTOR_FINDINGS',
      `${report.summary.errors} error finding(s)${first === undefined ? '' : `; first: ${first.code}`}`,
      { kind: 'failure' },
    );
  }
}

/** A role ARN named in an error text (the SDKs and the aws CLI often print the request's). */
function roleArnIn(text: string): string | undefined {
  return /arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+/.exec(text)?.[0];
}

/**
 * `stsctl doctor explain "<error text>"` (or `-` for standard input): what the text means, the
 * candidate causes most likely first, and the doctor command that decides between them, filled
 * with what the text names (the role ARN, the issuer).
 */
export async function runDoctorExplain(
  io: CliIo,
  text: string,
  o: { output: 'text' | 'json' | 'html' },
): Promise<void> {
  if (o.output === 'html') throw usage('doctor explain prints text or JSON, not HTML');
  const input = text === '-' ? await readAll(io.stdin) : text;
  if (input.trim() === '')
    throw usage('doctor explain needs the error text (an argument, or - with the text on standard input)');
  const explanation = explainStsError(input);
  const roleArn = roleArnIn(input);
  const iss = explanation.values['iss'];
  // The token itself is never in an error text: the command reads it from standard input.
  const command =
    roleArn !== undefined
      ? [
          'stsctl',
          'doctor',
          '--token',
          '-',
          '--role-arn',
          roleArn,
          ...(iss === undefined ? [] : ['--issuer', iss]),
        ]
      : iss !== undefined
        ? ['stsctl', 'doctor', '--issuer', iss]
        : undefined;
  if (o.output === 'json') {
    io.stdout.write(
      `${JSON.stringify({ schemaVersion: 1, ...explanation, ...(roleArn === undefined ? {} : { roleArn }), ...(command === undefined ? {} : { doctorCommand: command }) }, null, 2)}\n`,
    );
  } else {
    let out = renderStsErrorExplanation(explanation);
    if (explanation.recognised) {
      out +=
        command === undefined
          ? '\nTo decide: run stsctl doctor --token FILE --role-arn ARN with the token and role of the failing call.\n'
          : `\nTo decide${roleArn === undefined ? '' : ' (pipe the token of the failing call into it)'}:\n  ${command.map(shellQuote).join(' ')}\n`;
    }
    io.stdout.write(out);
  }
  if (!explanation.recognised) {
    throw new StsctlError('DOCTOR_EXPLAIN_UNRECOGNISED', 'the text holds no AWS STS error the doctor knows', {
      kind: 'failure',
    });
  }
}
