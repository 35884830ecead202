/** The `orchestra` program: its commands, and a run of it over a process's or a caller's io. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { causeMessages, errorCode, OrchestraError } from '../domain';
import { agentCommand } from './commands/agent';
import { runtimeCommands } from './commands/runtime';
import { apiCommand } from './commands/api';
import { approvalsCommand, approveCommand } from './commands/approvals';
import { limitsCommand } from './commands/limits';
import { registryCommand } from './commands/registry';
import { sessionCommand } from './commands/session';
import { swarmCommand } from './commands/swarm';
import { zoneCommand } from './commands/zone';
import { createContext, type CliContext, type Run } from './context';
import { ExitCode, exitCodeFor } from './errors';
import { processIo, type CliIo } from './io';
import { packageRoot } from '../package-root';

/** This package's version, from the package.json above this file (in src/ or in dist/). */
function packageVersion(): string {
  const file = path.join(packageRoot(__dirname), 'package.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
    : 'unknown';
}

/** The program, its commands' actions run by `run`, its own output (help, usage errors) on `io`. */
function buildProgram(run: Run, io: CliIo): Command {
  const program = new Command('orchestra')
    .description('Durable orchestration for teams of LLM agents, on Temporal')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure, 2 bad input, 3 unknown agent, swarm or session, 4 invalid transition or id taken, 5 Temporal unreachable or busy.\n' +
        'Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ORCHESTRA_TASK_QUEUE, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, ORCHESTRA_MODEL.',
    );
  program.addCommand(agentCommand(run));
  program.addCommand(swarmCommand(run));
  program.addCommand(sessionCommand(run));
  program.addCommand(zoneCommand(run));
  runtimeCommands(run).forEach((cmd) => program.addCommand(cmd));
  program.addCommand(approvalsCommand(run));
  program.addCommand(approveCommand(run));
  program.addCommand(registryCommand(run));
  program.addCommand(limitsCommand(run));
  program.addCommand(apiCommand(run));
  // Added commands inherit no settings: each is told. Usage errors exit 2 (commander's own
  // default is 1, which scripts cannot tell from a failure), and never end the process.
  const configure = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * Run `orchestra <args>` (the arguments after the command's name) to its end; the exit code
 * comes back. The process's environment and streams unless `io` says otherwise.
 */
export async function runOrchestra(args: string[], io: CliIo = processIo()): Promise<number> {
  /** An error on stderr, its exit code back. */
  const report = (err: unknown): number => {
    // An unexpected error (a Temporal client's) says what failed and leaves why to its causes.
    const message = err instanceof OrchestraError ? err.message : causeMessages(err);
    // Under --json a script reads the error too: one JSON object on stderr, with its code.
    io.stderr.write(
      args.includes('--json')
        ? `${JSON.stringify({ error: { code: errorCode(err), message } })}\n`
        : `error: ${message}\n`,
    );
    return exitCodeFor(err);
  };
  let code: number = ExitCode.ok;
  const run: Run = async (action) => {
    let ctx: CliContext | undefined;
    try {
      ctx = createContext(io);
      code = (await action(ctx)) ?? ExitCode.ok;
    } catch (err) {
      code = report(err);
    } finally {
      await ctx?.close();
    }
  };
  try {
    await buildProgram(run, io).parseAsync(args, { from: 'user' });
    return code;
  } catch (err) {
    // Commander has printed its own (help, a usage error).
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    return report(err);
  }
}
