import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StsctlError } from '../core/errors.js';
import type { OutputFile } from '../core/output-layout.js';

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

/**
 * Checks, without writing, that the files can be written: no existing private key would be
 * replaced by a different one and no path is a directory.
 */
export async function checkOutputFiles(outputDir: string, files: readonly OutputFile[]): Promise<void> {
  for (const f of files) {
    const target = join(outputDir, f.path);
    let stat;
    try {
      stat = await lstat(target);
    } catch {
      continue;
    }
    if (stat.isDirectory()) {
      throw new StsctlError('OUTPUT_IS_DIRECTORY', `${target} is a directory; expected a file`, {
        file: target,
      });
    }
    if (f.secret === true) {
      const current = await readFile(target, 'utf8');
      if (current !== f.content) {
        throw new StsctlError(
          'KEY_EXISTS_DIFFERENT',
          'a different private key is already there; refusing to overwrite it (tokens signed by it would stop working)',
          {
            file: target,
            hint: 'move it away, or use it: stsctl reuses an existing serviceaccount-signer.private',
          },
        );
      }
    }
  }
}

/**
 * Writes `files` under `outputDir` (created with mode 0700 if missing, parents included).
 * @returns one outcome per file, in input order.
 */
export async function writeOutputFiles(
  outputDir: string,
  files: readonly OutputFile[],
): Promise<WriteOutcome[]> {
  await checkOutputFiles(outputDir, files);
  const createdDirs: string[] = [];
  const temps: { temp: string; target: string; file: OutputFile; action: WriteOutcome['action'] }[] = [];
  const suffix = `.stsctl-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    for (const f of files) {
      const target = join(outputDir, f.path);
      createdDirs.push(...(await mkdirp(dirname(target), 0o700)));
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
