/**
 * The package's root directory: the nearest directory above `from` with a package.json. Code runs
 * from src/ (jest), dist/src/ (the build) and the CLI's bundle (dist/src/cli/bundle.js), so
 * counting `..` from a file's own directory is wrong somewhere; looking up is right in all three.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json in ${from} or above it`);
  }
}
