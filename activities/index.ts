/** Every activity, built from the worker's dependencies. Workflows import only the type. */
import { createCallModel, type ModelEndpoint } from './model';
import { bash } from './tools/bash';
import { editFile, listFiles, readFile, writeFile } from './tools/files';
import { grep } from './tools/grep';

export interface ActivityDeps {
  model: ModelEndpoint;
}

export function createActivities(deps: ActivityDeps) {
  return {
    callModel: createCallModel(deps.model),
    bash,
    readFile,
    writeFile,
    editFile,
    listFiles,
    grep,
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CallModelInput } from './model';
