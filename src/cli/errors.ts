/** Exit codes the CLI documents, and the mapping from errors to them. */
import { BadRequestError, InvalidTransitionError, NotFoundError } from '../temporal/errors';
import { ServerUnreachableError } from '../temporal/connection';
import { ConfigFileError } from '../config-file';
import { UnknownAgentProfileError } from '../domain';

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  invalidTransition: 4,
  unreachable: 5,
} as const;

export function exitCodeFor(err: unknown): number {
  if (
    err instanceof BadRequestError ||
    err instanceof ConfigFileError ||
    err instanceof UnknownAgentProfileError
  )
    return ExitCode.usage;
  if (err instanceof NotFoundError) return ExitCode.notFound;
  if (err instanceof InvalidTransitionError) return ExitCode.invalidTransition;
  if (err instanceof ServerUnreachableError) return ExitCode.unreachable;
  return ExitCode.failure;
}
