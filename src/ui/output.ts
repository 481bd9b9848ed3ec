import type { Logger } from './logger.js';

/** Everything a command may need from the outside world, built once in src/main.ts. */
export interface Output {
  /** Results (JSON, tables, the webhook URL): stdout. */
  out(text: string): void;
  /** Messages for a person (hints, summaries): stderr. */
  err(text: string): void;
  /** Whether a person is watching (TTY): spinners and colour only then. */
  interactive: boolean;
  logger: Logger;
}
