/**
 * Server-side paths of imports. Clients name files relative to $TICKETLAB_HOME/imports; a name
 * must never reach outside it: no absolute path elsewhere, no `..`, and no symlink (of the file
 * or of any directory on the way) that resolves outside. Containment is checked on the real path
 * (fs.realpath), because a lexical check alone is fooled by symlinks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BadInputError } from '../kit/errors';

/** Where imports are read from (created on first use so an administrator sees where to put files). */
export function importsDir(home: string): string {
  return path.join(home, 'imports');
}

const MAX_PATH_CHARS = 1024;

/**
 * Resolves `given` (relative to the imports directory, or absolute inside it) to the real path of
 * an existing entry of the wanted type. Every failure is a BAD_USER_INPUT naming `field`.
 */
export function resolveImportPath(home: string, field: string, given: string, want: 'file' | 'directory'): string {
  const bad = (why: string): BadInputError => new BadInputError(`${field}: ${why}`);
  if (typeof given !== 'string' || given.trim() === '') throw bad('must name a path inside $TICKETLAB_HOME/imports');
  if (given.length > MAX_PATH_CHARS) throw bad(`longer than ${MAX_PATH_CHARS} characters`);
  if (given.includes('\0')) throw bad('contains a NUL character');
  const root = importsDir(home);
  fs.mkdirSync(root, { recursive: true });
  const rootReal = fs.realpathSync(root);
  if (given.split(/[\\/]+/).includes('..'))
    throw bad('must not contain ".." (paths are relative to $TICKETLAB_HOME/imports)');
  const lexical = path.isAbsolute(given) ? path.normalize(given) : path.join(root, given);
  if (!inside(path.resolve(root), lexical) && !inside(rootReal, lexical))
    throw bad('is outside $TICKETLAB_HOME/imports');
  let real: string;
  try {
    real = fs.realpathSync(lexical);
  } catch {
    throw bad(`${JSON.stringify(given)} does not exist in $TICKETLAB_HOME/imports`);
  }
  if (!inside(rootReal, real))
    throw bad(`${JSON.stringify(given)} resolves (through a symbolic link) outside $TICKETLAB_HOME/imports`);
  const st = fs.statSync(real);
  if (want === 'file' && !st.isFile()) throw bad(`${JSON.stringify(given)} is not a regular file`);
  if (want === 'directory' && !st.isDirectory()) throw bad(`${JSON.stringify(given)} is not a directory`);
  return real;
}

/** A file inside an already resolved import directory, checked the same way (it may be a symlink). */
export function resolveInside(
  home: string,
  field: string,
  dir: string,
  name: string,
  required: boolean,
): string | null {
  const full = path.join(dir, name);
  if (!fs.existsSync(full) && !isLink(full)) {
    if (required) throw new BadInputError(`${field}: the dataset directory has no ${name}`);
    return null;
  }
  return resolveImportPath(home, field, path.relative(fs.realpathSync(importsDir(home)), full), 'file');
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
