import chalk, { Chalk } from 'chalk';
import { UserError } from '../errors.js';
import type { Output } from './output.js';

/** A portal's refusal (B24Error of src/rest/) carries a one-line message and a hint, like a UserError. */
interface Explained {
  name: string;
  message: string;
  hint?: string;
}

/**
 * Prints an error the way a person needs it and returns the exit code: a one-line reason and a hint
 * for what the user can fix (exit 1, no stack), the stack and a request to report for a bug (exit 70).
 */
export function renderFailure(output: Output, e: unknown): number {
  const paint = output.interactive ? chalk : new Chalk({ level: 0 });
  if (e instanceof UserError || (e instanceof Error && e.name === 'B24Error')) {
    const explained = e as Explained;
    output.err(`${paint.red('error')} ${explained.message}`);
    if (explained.hint) output.err(`${paint.gray('hint')}  ${explained.hint}`);
    return e instanceof UserError ? e.exitCode : 1;
  }
  output.err(`${paint.red('internal error')} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  output.err('This is a bug in b24lab. Please report it with the command you ran and the output above.');
  return 70;
}
