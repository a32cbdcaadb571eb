import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import {
  access,
  chmod,
  lstat,
  mkdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { StsctlAggregateError, StsctlError, type ErrorCode } from '../core/errors.js';
import { roleArnOfRealSecret } from '../core/manifests.js';
import { outputPathProblem, type OutputFile } from '../core/output-layout.js';
import { terminalSafe } from '../core/terminal-text.js';

/**
 * Writes a computed set of output files as one unit.
 *
 * Every file is first written to a temporary sibling, then all are renamed into place; on any error
 * the temporaries (and the directories this call created) are removed, so a failed run leaves the
 * output directory as it was. Files marked `secret` (private keys) are never replaced by different
 * content: that would orphan every token the old key signed.
 */

export interface WriteOutcome {
  readonly path: string;
  readonly absolutePath: string;
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly mode: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates `dir` and its missing parents; returns the directories it created, outermost first. */
async function mkdirp(dir: string, mode: number): Promise<string[]> {
  const missing: string[] = [];
  let current = resolve(dir);
  while (!(await exists(current))) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const d of missing) await mkdir(d, { mode });
  return missing;
}

/** A file an operation will write: its path, and its content when already known. */
export interface PlannedOutput {
  /** Path relative to the output directory, `/`-separated. */
  readonly path: string;
  /** The content to be written, when known (a real run knows its Secrets only after AWS answers). */
  readonly content?: string;
  /** Holds a private key: a different existing one is never replaced. */
  readonly secret?: boolean;
}

export interface PreflightOptions {
  /**
   * The files are a dry run's: refuse to replace a Secret written by a real run (one holding a
   * role ARN) with different content; the cluster would otherwise be installed with placeholders.
   */
  readonly dryRun?: boolean;
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * The real path `dir` has or will have: the real path of its deepest existing ancestor (symlinks
 * resolved) joined with the segments still to be created. Also returns that ancestor, and fails
 * when it is not a directory (a file stands where a directory must be created).
 */
async function realPathToBe(dir: string): Promise<{ real: string; deepest: string; deepestIsDir: boolean }> {
  const rest: string[] = [];
  let current = resolve(dir);
  for (;;) {
    // ENOTDIR: a file stands on the way; its own ancestor is where the search ends.
    const st = await lstat(current).catch((e: unknown) => {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return undefined;
      throw e;
    });
    if (st !== undefined) {
      const real = await realpath(current);
      const deepestIsDir = (await stat(real)).isDirectory();
      return { real: join(real, ...rest), deepest: current, deepestIsDir };
    }
    const parent = dirname(current);
    if (parent === current) return { real: current, deepest: current, deepestIsDir: true };
    rest.unshift(basename(current));
    current = parent;
  }
}

class Problems {
  readonly list: StsctlError[] = [];
  private readonly seen = new Set<string>();

  add(code: ErrorCode, file: string, message: string, hint?: string): void {
    const key = `${code}\u0000${file}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(new StsctlError(code, message, { file, ...(hint === undefined ? {} : { hint }) }));
  }
}

/**
 * Checks one planned file: every directory on its way (which must be a directory, and a symlink
 * only to somewhere inside the output directory), the file itself, and what it would replace.
 * Returns the deepest existing directory on its way, whose writability the caller checks.
 */
async function preflightFile(
  outputDir: string,
  realOutputDir: string,
  f: PlannedOutput,
  options: PreflightOptions,
  problems: Problems,
): Promise<string | undefined> {
  const segments = f.path.split('/');
  let current = outputDir;
  for (const [i, segment] of segments.entries()) {
    const next = join(current, segment);
    const last = i === segments.length - 1;
    const st = await lstatOrUndefined(next);
    if (st === undefined) return current;
    let real = next;
    if (st.isSymbolicLink()) {
      try {
        real = await realpath(next);
      } catch {
        problems.add(
          'OUTPUT_PATH_ESCAPE',
          next,
          `${next} is a symbolic link to a missing target; refusing to write through it`,
        );
        return undefined;
      }
      if (!isInside(real, realOutputDir)) {
        problems.add(
          'OUTPUT_PATH_ESCAPE',
          next,
          `${next} is a symbolic link to ${real}, outside the output directory ${outputDir}; refusing to write through it`,
          'remove the link, or choose another --output-dir',
        );
        return undefined;
      }
    }
    const target = await stat(real);
    if (!last) {
      if (!target.isDirectory()) {
        problems.add(
          'OUTPUT_NOT_A_DIRECTORY',
          next,
          `${next} is a file, but ${f.path} must be written inside it as a directory`,
          'move the file away, or choose another --output-dir',
        );
        return undefined;
      }
      current = next;
      continue;
    }
    if (target.isDirectory()) {
      problems.add('OUTPUT_IS_DIRECTORY', next, `${next} is a directory; expected a file`);
      return undefined;
    }
    const existing = await readFile(real, 'utf8');
    if (f.secret === true && f.content !== undefined && existing !== f.content) {
      problems.add(
        'KEY_EXISTS_DIFFERENT',
        next,
        'a different private key is already there; refusing to overwrite it (tokens signed by it would stop working)',
        'move it away, or use it: stsctl reuses an existing serviceaccount-signer.private',
      );
    }
    if (options.dryRun === true && f.content !== undefined && existing !== f.content) {
      const arn = roleArnOfRealSecret(existing);
      if (arn !== undefined) {
        problems.add(
          'DRY_RUN_WOULD_REPLACE',
          next,
          `${next} is a Secret of a real run (role_arn = ${terminalSafe(arn)}); a dry run does not replace it with placeholder files`,
          'give the dry run its own --output-dir',
        );
      }
    }
    return current;
  }
  return current;
}

/**
 * Finds every problem with writing `files` under `outputDir`, without writing anything:
 * a path that is not a plain relative path, a file where a directory must be, a symbolic link
 * (on the way or at the file) that leads outside the output directory, a directory where a file
 * must be, a different private key already in place, a directory that cannot be written, and
 * (with `dryRun`) a real run's Secret that would be replaced.
 *
 * Call it before any AWS call, with every file the command will write (contents where known), so a
 * bad `--output-dir` is found before anything is created. {@link writeOutputFiles} runs it too.
 *
 * @throws StsctlError (a single problem) or StsctlAggregateError (`OUTPUT_DIR_INVALID`, all of them),
 *   each naming the file; usage errors (exit 2).
 */
export async function preflightOutputDirectory(
  outputDir: string,
  files: readonly PlannedOutput[],
  options: PreflightOptions = {},
): Promise<void> {
  const problems = new Problems();
  const dir = resolve(outputDir);
  let root: Awaited<ReturnType<typeof realPathToBe>>;
  try {
    root = await realPathToBe(dir);
  } catch (e) {
    throw new StsctlError(
      'OUTPUT_NOT_READABLE',
      `cannot inspect the output directory: ${(e as Error).message}`,
      {
        file: dir,
        cause: e,
      },
    );
  }
  if (!root.deepestIsDir) {
    problems.add(
      'OUTPUT_NOT_A_DIRECTORY',
      root.deepest,
      `${root.deepest} is a file, but the output directory ${outputDir} must be a directory there`,
      'choose another --output-dir',
    );
  } else {
    const writableChecked = new Set<string>();
    for (const f of files) {
      const pathProblem = outputPathProblem(f.path);
      if (pathProblem !== undefined) {
        problems.add(
          'OUTPUT_PATH_INVALID',
          terminalSafe(f.path),
          `refusing to write ${terminalSafe(f.path)}: ${pathProblem}`,
        );
        continue;
      }
      let deepest: string | undefined;
      try {
        deepest = await preflightFile(dir, root.real, f, options, problems);
      } catch (e) {
        problems.add(
          'OUTPUT_NOT_READABLE',
          join(dir, f.path),
          `cannot inspect ${join(dir, f.path)} before writing it: ${(e as Error).message}`,
        );
        continue;
      }
      // The directory that will receive the file or its new parents: outside the output
      // directory only when the output directory itself does not exist yet.
      const writable = deepest === undefined ? undefined : deepest === dir ? root.deepest : deepest;
      if (writable === undefined || writableChecked.has(writable)) continue;
      writableChecked.add(writable);
      try {
        await access(writable, constants.W_OK | constants.X_OK);
      } catch (e) {
        problems.add(
          'OUTPUT_NOT_WRITABLE',
          writable,
          `${writable} is not writable (${errnoOf(e) ?? 'error'})`,
          'choose another --output-dir, or fix its permissions',
        );
      }
    }
  }
  const [first, ...rest] = problems.list;
  if (first === undefined) return;
  if (rest.length === 0) throw first;
  throw new StsctlAggregateError('OUTPUT_DIR_INVALID', problems.list);
}

/**
 * Writes `files` under `outputDir` (created with mode 0700 if missing, parents included), after
 * {@link preflightOutputDirectory} found no problem.
 * @returns one outcome per file, in input order.
 */
export async function writeOutputFiles(
  outputDir: string,
  files: readonly OutputFile[],
  options: PreflightOptions = {},
): Promise<WriteOutcome[]> {
  await preflightOutputDirectory(outputDir, files, options);
  const realOutputDir = (await realPathToBe(outputDir)).real;
  const createdDirs: string[] = [];
  const temps: { temp: string; target: string; file: OutputFile; action: WriteOutcome['action'] }[] = [];
  const suffix = `.stsctl-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    for (const f of files) {
      const target = join(outputDir, f.path);
      createdDirs.push(...(await mkdirp(dirname(target), 0o700)));
      // Checked again where the file lands: a link swapped in since the preflight is still refused.
      if (!isInside(await realpath(dirname(target)), realOutputDir)) {
        throw new StsctlError(
          'OUTPUT_PATH_ESCAPE',
          `${dirname(target)} leads outside the output directory ${outputDir}; refusing to write through it`,
          { file: dirname(target) },
        );
      }
      let action: WriteOutcome['action'] = 'created';
      if (await exists(target)) {
        const current = await readFile(target, 'utf8');
        action = current === f.content ? 'unchanged' : 'updated';
      }
      const temp = `${target}${suffix}`;
      // `wx` + explicit mode: the private key is never readable by others, even for an instant.
      await writeFile(temp, f.content, { mode: f.mode, flag: 'wx' });
      await chmod(temp, f.mode);
      temps.push({ temp, target, file: f, action });
    }
    for (const t of temps) await rename(t.temp, t.target);
  } catch (cause) {
    await Promise.all(temps.map((t) => rm(t.temp, { force: true })));
    for (const d of [...createdDirs].reverse()) await rm(d, { recursive: true, force: true });
    if (cause instanceof StsctlError) throw cause;
    throw new StsctlError(
      'OUTPUT_WRITE_FAILED',
      `could not write the output files: ${(cause as Error).message}`,
      {
        kind: 'failure',
        cause,
      },
    );
  }
  return temps.map((t) => ({
    path: t.file.path,
    absolutePath: t.target,
    action: t.action,
    mode: t.file.mode,
  }));
}

/** Reads a file if it exists. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StsctlError('READ_FAILED', `cannot read ${path}: ${(e as Error).message}`, {
      file: path,
      cause: e,
    });
  }
}
