import { confirm } from '@inquirer/prompts';
import { ConfirmationRequiredError } from '../errors.js';
import type { Output } from './output.js';

/**
 * Whether to go ahead with an apply: yes with --yes; a question on a terminal; without a terminal
 * (cron, CI) a ConfirmationRequiredError that names --yes (STYLE.md §3).
 */
export function applyConfirmation(
  output: Output,
  yes: boolean,
  portal: string,
): (count: number) => Promise<boolean> {
  return async (count) => {
    if (yes) return true;
    const what = `Applying ${count} change${count === 1 ? '' : 's'} to ${portal}`;
    if (!output.interactive) throw new ConfirmationRequiredError(what, '--yes');
    return confirm({ message: `${what}?`, default: false }, { output: process.stderr });
  };
}
