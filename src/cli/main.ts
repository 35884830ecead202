#!/usr/bin/env node
/** The `orchestra` command: the program (program.ts) over this process. */
import { runOrchestra } from './program';

// `orchestra ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

void runOrchestra(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
