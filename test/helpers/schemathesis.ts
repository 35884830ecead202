/** Schemathesis (PyPI), installed on first use from the pinned test/fuzz/requirements.txt. */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import { pythonTool } from './python-tool';

export async function schemathesis(): Promise<string> {
  const pins = await readFile(path.join(PROJECT_ROOT, 'test/fuzz/requirements.txt'), 'utf8');
  return pythonTool('schemathesis', pins, 'st');
}
