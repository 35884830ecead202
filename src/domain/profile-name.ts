import { z } from 'zod';
import { lazy } from './lazy';

/** A registry entry's name: what `--agent` and a spec's `agent` say. */
export const profileNameSchema = lazy(() =>
  z.string().regex(/^[a-z][a-z0-9-]{0,49}$/, 'lower-case letters, digits and "-", at most 50'),
);
