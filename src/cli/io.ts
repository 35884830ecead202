/**
 * What a run of the CLI has besides its arguments: an environment, two output streams and
 * Ctrl-C. A process's own by default; a caller's when the CLI runs inside another program
 * (runOrchestra in program.ts): the tests run most commands so, where a process start costs
 * more than the command.
 */

/** Where output goes: a terminal (live lines, tables redrawn in place) or not (plain lines). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** A terminal's width. */
  columns?: number;
}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: OutputStream;
  stderr: OutputStream;
  /**
   * Runs `handler` on Ctrl-C, after which the run ends with exit code 130; the function
   * returned stops listening. Never called where there is no Ctrl-C (a program's own run).
   */
  onInterrupt(handler: () => void): () => void;
}

/** This process's environment, stdout, stderr and SIGINT. */
export function processIo(): CliIo {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt(handler) {
      const listener = () => {
        handler();
        process.exit(130);
      };
      process.once('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
  };
}
