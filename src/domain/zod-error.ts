/** Zod's errors in words. Pure: workflows, activities and clients all import it. */
import { z } from 'zod';

/** A short description of why a value was refused, on one line (`; ` between issues). */
export function describeIssue(error: z.ZodError): string {
  return z.prettifyError(error).replace(/\n/g, '; ');
}
