/** grep: regular-expression search over the working directory, in process (no ripgrep needed). */
import { readFile, stat } from 'node:fs/promises';
import { heartbeat } from '@temporalio/activity';
import { checkedArgs, type ToolInput, type ToolOutcome } from '../../src/domain';
import { filesUnder } from './files';
import { asOutcome, capText } from './outcome';
import { display, resolveInside, ToolError } from './sandbox';

const MAX_FILE_BYTES = 2_000_000;
const LINE_PREVIEW = 300;

export function grep({ cwd, args }: ToolInput<'grep'>): Promise<ToolOutcome> {
  return asOutcome(cwd, async () => {
    const { pattern, path: rel = '.', ignoreCase = false, maxResults = 200 } = checkedArgs('grep', args);
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, ignoreCase ? 'i' : '');
    } catch (err) {
      throw new ToolError(`invalid regular expression: ${(err as Error).message}`);
    }
    const full = await resolveInside(cwd, rel);
    const targets = (await stat(full)).isDirectory() ? filesUnder(full) : single(full);
    const hits: string[] = [];
    for await (const file of targets) {
      const info = await stat(file);
      if (info.size > MAX_FILE_BYTES) continue;
      const text = await readFile(file, 'utf8');
      if (text.includes('\u0000')) continue; // binary
      text.split('\n').forEach((line, i) => {
        if (hits.length < maxResults && regex.test(line)) {
          hits.push(`${display(cwd, file)}:${i + 1}:${line.slice(0, LINE_PREVIEW)}`);
        }
      });
      if (hits.length >= maxResults) break;
      heartbeat();
    }
    return { ok: true, output: hits.length ? capText(hits.join('\n'), 50_000) : 'no matches' };
  });
}

async function* single(file: string): AsyncGenerator<string> {
  yield file;
}
