/** Exit codes the CLI documents, and the one mapping from error codes to them. */
import { errorCode, type ErrorCode } from '../domain';

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  invalidTransition: 4,
  unreachable: 5,
} as const;

const EXIT_CODES: Record<ErrorCode, number> = {
  bad_request: ExitCode.usage,
  unauthorized: ExitCode.failure,
  forbidden: ExitCode.failure,
  not_found: ExitCode.notFound,
  already_exists: ExitCode.invalidTransition,
  invalid_transition: ExitCode.invalidTransition,
  rate_limited: ExitCode.unreachable,
  unavailable: ExitCode.unreachable,
  internal: ExitCode.failure,
};

export function exitCodeFor(err: unknown): number {
  return EXIT_CODES[errorCode(err)];
}
