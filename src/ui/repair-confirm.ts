import { confirm } from '@inquirer/prompts';

/** Asks on the terminal whether repair may go ahead (only called when a person is watching). */
export async function confirmRepair(question: string): Promise<boolean> {
  return confirm({ message: question, default: false }, { output: process.stderr });
}
