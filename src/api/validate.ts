// Parses a request part with its schema, turning zod issues into the API's field problems.
import type { z } from 'zod';
import { formatIssuePath } from '../core/zod-errors.ts';
import { type FieldProblem, InvalidRequestError } from './errors.ts';

/** Turns zod issues into field problems whose paths start with `prefix`; an unknown key is named itself. */
export function problemsOf(error: z.ZodError, prefix = ''): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatIssuePath([...issue.path, key], prefix),
        message: 'unknown field',
      }));
    }
    return [{ path: formatIssuePath(issue.path, prefix), message: issue.message }];
  });
}

/** Parses a request part with its schema, or throws a 400 naming each bad field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidRequestError(problemsOf(r.error, prefix));
  return r.data;
}
