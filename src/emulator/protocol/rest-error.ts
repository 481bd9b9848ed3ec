/**
 * An error answer of the local portal: `{ error, error_description }` with its HTTP status
 * (reference/bitrix24-rest.md §1.4, §2). Handlers throw it; the HTTP layer and batch render it.
 */
export class RestError extends Error {
  constructor(
    /** The `error` field: usually a code string, but "" for legacy CRM and numbers for Engine controllers. */
    readonly code: string | number,
    readonly description: string,
    readonly status = 400,
    /** Extra keys merged into the envelope, such as `argument` for ERROR_ARGUMENT. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${String(code)}: ${description}`);
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

// Factories for the errors every method family shares (§2.1, §2.2, §2.4).
export const errors = {
  methodNotFound: () => new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404),
  invalidCredentials: () => new RestError('INVALID_CREDENTIALS', 'Invalid request credentials', 401),
  noAuth: () => new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401),
  expiredToken: () => new RestError('expired_token', 'The access token provided has expired', 401),
  invalidToken: () => new RestError('invalid_token', 'The access token provided is invalid', 401),
  insufficientScope: () =>
    new RestError(
      'insufficient_scope',
      'The request requires higher privileges than provided by the webhook token',
      403,
    ),
  queryLimit: () => new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503),
  operationTimeLimit: () =>
    new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429),
  internal: () => new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500),
  batchLength: () => new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded', 400),
  batchMethodNotAllowed: () =>
    new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 405),
  /** Legacy crm.* style: empty code, message only (§2.4). */
  legacy: (description: string) => new RestError('', description, 400),
  /** Engine-controller style (crm.item.*, crm.category.*). */
  notFound: (description = 'Element not found') => new RestError('NOT_FOUND', description, 400),
  argument: (argument: string, description: string) =>
    new RestError('ERROR_ARGUMENT', description, 400, { argument }),
  invalidArgValue: (description: string) => new RestError('INVALID_ARG_VALUE', description, 400),
  core: (description: string) => new RestError('ERROR_CORE', description, 400),
  accessDenied: (description = 'Access denied!') => new RestError('ACCESS_DENIED', description, 403),
};
