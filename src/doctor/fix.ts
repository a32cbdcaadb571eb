/**
 * A doctor fix as data: the steps that repair what a finding names, each one program run with
 * every value filled from what the doctor observed (account, region, role, provider ARN, bucket,
 * subject, client ID…), never a `<placeholder>`. Files a step reads (`file://<name>` in its argv)
 * travel with it and are written into the current directory before it runs. Steps run in order,
 * each as its own process with the user's AWS environment, without a shell — so `doctor --fix`
 * and a test can apply them verbatim with `execFile` — and the text renderer prints them as
 * copy-pasteable POSIX shell lines.
 */

/** A file a step reads, written into the current directory before the step runs. */
export interface FixFile {
  readonly name: string;
  /** The complete file. */
  readonly content: string;
}

/** One program run. `argv[0]` is the program: `aws` or `stsctl`. */
export type FixStep =
  | {
      readonly kind: 'aws-cli';
      readonly argv: readonly string[];
      readonly files?: readonly FixFile[];
      readonly description: string;
    }
  | {
      readonly kind: 'stsctl';
      readonly argv: readonly string[];
      readonly files?: readonly FixFile[];
      readonly description: string;
    };

/** What repairs a finding: a summary and the steps, in order. */
export interface Fix {
  readonly summary: string;
  readonly steps: readonly FixStep[];
}

/** An `aws` CLI step. */
export function awsStep(description: string, argv: readonly string[], files?: readonly FixFile[]): FixStep {
  return {
    kind: 'aws-cli',
    argv: ['aws', ...argv],
    description,
    ...(files === undefined || files.length === 0 ? {} : { files }),
  };
}

/** An `stsctl` step. */
export function stsctlStep(description: string, argv: readonly string[]): FixStep {
  return { kind: 'stsctl', argv: ['stsctl', ...argv], description };
}

/**
 * Quotes one argument for POSIX sh: bare when it holds only characters sh never interprets,
 * otherwise in single quotes with each `'` written as `'\''` (POSIX XCU 2.2.2: nothing inside
 * single quotes is special).
 */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The step as shell lines: a here-document per file (quoted delimiter, so the content is taken
 * literally — POSIX XCU 2.7.4), then the command line.
 */
export function stepShellLines(step: FixStep): string[] {
  const lines: string[] = [];
  for (const f of step.files ?? []) {
    let delimiter = 'EOF';
    while (f.content.split('\n').includes(delimiter)) delimiter += '_';
    lines.push(`cat > ${shellQuote(f.name)} <<'${delimiter}'`);
    lines.push(...f.content.replace(/\n$/, '').split('\n'));
    lines.push(delimiter);
  }
  lines.push(step.argv.map(shellQuote).join(' '));
  return lines;
}

/** True when no value of the fix is an unfilled `<placeholder>`. */
export function isConcrete(fix: Fix): boolean {
  const texts = fix.steps.flatMap((s) => [...s.argv, ...(s.files ?? []).map((f) => f.content)]);
  return texts.every((t) => !/<[A-Za-z][A-Za-z]*>/.test(t));
}

/**
 * True when aws CLI v1 would read the value as a parameter file instead of passing it: its
 * "paramfile" handler downloads a value that starts with `http://` or `https://` (and reads one
 * starting with `file://`/`fileb://`), case-sensitively, for every parameter not listed in
 * `PARAMFILE_DISABLED` (awscli 1.45 `awscli/paramfile.py`, `get_paramfile` and
 * `URIArgumentHandler`). A one-element list is unwrapped first, so `--client-id-list https://x`
 * is fetched too. Of the IAM OIDC-provider parameters only
 * `iam.create-open-id-connect-provider.url` is exempt.
 */
export function cliFetchesValue(value: string): boolean {
  return value.startsWith('http://') || value.startsWith('https://');
}

/**
 * An `aws` step whose parameters travel in a `--cli-input-json file://<name>` document: the way to
 * pass values the CLI would otherwise fetch ({@link cliFetchesValue}), since values read from the
 * input JSON are never treated as parameter files.
 */
export function awsInputStep(
  description: string,
  command: readonly [service: string, operation: string],
  input: Readonly<Record<string, unknown>>,
  fileName: string,
): FixStep {
  return awsStep(
    description,
    [...command, '--cli-input-json', `file://${fileName}`],
    [{ name: fileName, content: `${JSON.stringify(input, null, 2)}\n` }],
  );
}
