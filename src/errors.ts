/**
 * The error taxonomy (STYLE.md §9). Core code throws these; only src/main.ts turns them into output
 * and an exit code. `B24Error` (a portal's refusal) lives in src/rest/ with the rest of the protocol.
 */

/** A problem the user can fix: a bad flag, a bad config, a missing setting. Exit 1, no stack. */
export class UserError extends Error {
  override readonly name: string = 'UserError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The run needs a confirmation that a non-interactive run cannot give; names the flag to pass. */
export class ConfirmationRequiredError extends UserError {
  override readonly name = 'ConfirmationRequiredError';
  constructor(what: string, flag: string) {
    super(`${what} needs confirmation, and there is no terminal to ask on.`, `Pass ${flag} to proceed.`);
  }
}

/** A bug in b24lab: shown with its stack and a request to report it. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
