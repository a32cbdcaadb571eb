import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isCredentialsRequestFileName,
  readCredentialsRequests,
  type FilterOptions,
  type InputFile,
  type ReadResult,
} from '../core/credentials-requests.js';
import { StsctlError } from '../core/errors.js';

/**
 * Reads every CredentialsRequest file of a directory: `.yaml`, `.yml` and `.json`, not recursive,
 * sorted by name (ccoctl's `os.ReadDir` order, so the `05-<i>-…` indexes match ccoctl's).
 */
export async function readCredentialsRequestsDir(
  dir: string,
  options: FilterOptions = {},
): Promise<ReadResult & { files: string[] }> {
  let names: string[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) {
      throw new StsctlError('CREDREQ_DIR_INVALID', `${dir} is not a directory`, { file: dir });
    }
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof StsctlError) throw e;
    throw new StsctlError(
      'CREDREQ_DIR_INVALID',
      `cannot read the CredentialsRequests directory: ${(e as Error).message}`,
      {
        file: dir,
        cause: e,
      },
    );
  }
  const files: InputFile[] = [];
  for (const name of names.filter(isCredentialsRequestFileName).sort()) {
    const path = join(dir, name);
    const st = await stat(path);
    if (!st.isFile()) continue;
    files.push({ name: path, content: await readFile(path, 'utf8') });
  }
  return { ...readCredentialsRequests(files, options), files: files.map((f) => f.name) };
}
