/** A request from a person or a script, checked against its schema before anything starts. */
import { z } from 'zod';
import { BadRequestError } from './errors';

/** `raw` as `schema` says, or a BadRequestError "invalid <what>: <every issue>". */
export function parseRequest<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BadRequestError(`invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
