/**
 * The implementation of every tool that runs as an activity, under the activity name the
 * tools table gives it (src/domain/tools.ts). Typed from the table: a tool added there
 * without an implementation here does not compile.
 */
import type { ToolActivities } from '../../src/domain';
import { bash } from './bash';
import { editFile, listFiles, readFile, writeFile } from './files';
import { grep } from './grep';
import { redacted } from './redacted';

export const toolActivities: ToolActivities = {
  bash: redacted(bash),
  readFile: redacted(readFile),
  writeFile: redacted(writeFile),
  editFile: redacted(editFile),
  listFiles: redacted(listFiles),
  grep: redacted(grep),
};
