/**
 * Every failure of a portal call becomes one `B24Error` (STYLE.md §4, §9): an error envelope, a
 * network failure, an answer that is not JSON (an HTML page of a proxy), an OAuth refusal. Callers
 * branch on `code`, never on the HTTP status: Bitrix24 is inconsistent about statuses
 * (reference/bitrix24-rest.md §2.3). Messages never carry the webhook secret or a token: every text
 * goes through a `Redactor` that knows the secrets of the connection.
 */

/** Codes b24lab gives to failures that have no Bitrix24 code of their own. */
export const LOCAL_CODES = {
  /** The request never got an answer (connection refused, reset, timed out, DNS). */
  network: 'NETWORK_ERROR',
  /** An answer that is not a Bitrix24 envelope (HTML from a proxy, an empty body). */
  notJson: 'ERROR_NOT_JSON',
  /** A list stopped before the count the portal announced. */
  truncated: 'B24LAB_LIST_TRUNCATED',
  /** A caller asked for something the client cannot do (bad list parameters, unknown list method). */
  usage: 'B24LAB_USAGE',
  /** The call was cancelled through its AbortSignal. */
  aborted: 'B24LAB_ABORTED',
} as const;

export interface B24ErrorInit {
  method: string;
  /** The envelope's `error` (a string; `''` for legacy CRM, numbers as text), or a LOCAL_CODES value. */
  code: string;
  description: string;
  /** 0 when there was no HTTP answer. */
  httpStatus: number;
  /** A transient failure: a read may be repeated. Writes follow the stricter rule of retry-policy.ts. */
  retryable: boolean;
  /** What the user can do about it. */
  hint?: string;
  /** For network failures: the system code (ECONNREFUSED, ECONNRESET, ETIMEDOUT...). */
  networkCode?: string;
  /** For 429 OPERATION_TIME_LIMIT: how long until the method's budget is known to refill. */
  retryAfterMs?: number;
}

export class B24Error extends Error {
  override readonly name = 'B24Error';
  readonly method: string;
  readonly code: string;
  readonly description: string;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly hint?: string;
  readonly networkCode?: string;
  retryAfterMs?: number;

  constructor(init: B24ErrorInit) {
    const what = init.code && init.code !== init.description ? ` [${init.code}]` : '';
    const status = init.httpStatus ? ` (HTTP ${init.httpStatus})` : '';
    super(`${init.method || 'request'}: ${init.description || init.code || 'failed'}${what}${status}`);
    this.method = init.method;
    this.code = init.code;
    this.description = init.description;
    this.httpStatus = init.httpStatus;
    this.retryable = init.retryable;
    if (init.hint !== undefined) this.hint = init.hint;
    if (init.networkCode !== undefined) this.networkCode = init.networkCode;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** Lower-cased code, for comparisons (`QUERY_LIMIT_EXCEEDED` vs `query_limit_exceeded`). */
  get codeLower(): string {
    return this.code.toLowerCase();
  }

  /** True for "the thing is not there", across the families' spellings (§2.4; b24phpsdk's heuristic). */
  get isNotFound(): boolean {
    const c = this.codeLower;
    if (c === 'not_found' || c === 'error_not_found' || c === 'owner_not_found') return true;
    return (c === '' || c === '0') && /not found/i.test(this.description);
  }
}

export function isB24Error(e: unknown): e is B24Error {
  return e instanceof B24Error;
}

/** The call was cancelled through its AbortSignal (any wait or request in flight stops). */
export function abortedError(method: string): B24Error {
  return new B24Error({
    method,
    code: LOCAL_CODES.aborted,
    description: 'cancelled',
    httpStatus: 0,
    retryable: false,
  });
}

/** Sleeps on the injected clock; an abort becomes `abortedError` like every other failure. */
export async function sleepOrAbort(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  method: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (e) {
    if (signal?.aborted) throw abortedError(method);
    throw e;
  }
}

/** Replaces every known secret (webhook secret, tokens, client secret) in a text with `***`. */
export type Redactor = (text: string) => string;

export function makeRedactor(secrets: () => (string | undefined)[]): Redactor {
  return (text) => {
    let out = text;
    for (const secret of secrets()) {
      if (secret && secret.length >= 4) out = out.split(secret).join('***');
    }
    // A webhook path seen anywhere (an echoed URL): /rest/1/<secret>/ -> /rest/1/***/
    return out.replace(/(\/rest\/\d+\/)[^/\s"'?]+/g, '$1***');
  };
}

/** Removes the HTML the legacy modules put into descriptions (`Department name not provided.<br>`). */
export function cleanDescription(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The scope a method needs, from its name (for the missing-scope hint). */
function scopeOf(method: string): string {
  const head = method.toLowerCase().split('.')[0] ?? '';
  if (head === 'tasks' || head === 'task') return 'task';
  if (head === 'userfieldconfig') return 'userfieldconfig';
  return head || 'the needed';
}

/** Transient codes: the call may succeed if repeated later (§2.1). */
const TRANSIENT = new Set([
  'query_limit_exceeded',
  'operation_time_limit',
  'internal_server_error',
  'error_unexpected_answer',
]);

/** A hint for the failures a person can fix, keyed by the lower-cased code. */
export function hintFor(code: string, method: string, auth: 'webhook' | 'oauth'): string | undefined {
  switch (code.toLowerCase()) {
    case 'invalid_credentials':
    case 'no_auth_found':
    case 'invalid_token':
      return auth === 'webhook'
        ? 'Check the webhook URL (--portal or B24LAB_PORTAL): https://PORTAL/rest/USER_ID/SECRET/ of an active incoming webhook.'
        : 'The OAuth access token was not accepted. Check B24LAB_OAUTH_ENDPOINT and the tokens, or delete the saved token in the state directory.';
    case 'insufficient_scope':
      return `The ${auth === 'webhook' ? 'webhook' : 'application'} lacks the "${scopeOf(method)}" scope: add it in Bitrix24 (Developer resources -> the webhook -> scopes) and retry.`;
    case 'access_denied':
      return 'The webhook user lacks permission for this: use a webhook of an administrator, or grant the rights in Bitrix24.';
    case 'error_method_not_found':
      return `Check the method name; "b24lab call methods" lists the methods this portal has.`;
    case 'invalid_request':
      return 'Bitrix24 cloud webhooks need https: use an https:// portal URL.';
    case 'expired_token':
      return 'The access token expired and could not be refreshed: check B24LAB_OAUTH_CLIENT_ID, B24LAB_OAUTH_CLIENT_SECRET and B24LAB_OAUTH_REFRESH_TOKEN.';
    case 'invalid_grant':
      return 'The OAuth refresh token expired (they live 180 days) or was already used: reinstall or reauthorise the application and set a new B24LAB_OAUTH_REFRESH_TOKEN (then delete oauth-token.json in the state directory).';
    case 'invalid_client':
      return 'The OAuth client id or secret is wrong: check B24LAB_OAUTH_CLIENT_ID and B24LAB_OAUTH_CLIENT_SECRET.';
    case 'query_limit_exceeded':
      return 'The portal kept refusing for the request rate. Another tool may be using the same portal from this address; b24lab processes share a limiter through --state, so point them at the same state directory.';
    case 'operation_time_limit':
      return 'This method used up its 10-minute execution budget. Select fewer fields or narrow the filter, and run again later.';
    case 'overload_limit':
      return 'Bitrix24 support blocked REST for this portal due to overload: contact them.';
    case 'payment_required':
      return 'REST is available only on commercial plans.';
    default:
      return undefined;
  }
}

export interface EnvelopeContext {
  method: string;
  httpStatus: number;
  auth: 'webhook' | 'oauth';
  redact: Redactor;
}

/** An error envelope `{ error, error_description }` (or a batch command's error) -> B24Error. */
export function errorFromEnvelope(
  envelope: { error?: unknown; error_description?: unknown },
  ctx: EnvelopeContext,
): B24Error {
  const code = envelope.error === undefined || envelope.error === null ? '' : String(envelope.error);
  const description = ctx.redact(cleanDescription(String(envelope.error_description ?? '')));
  const lower = code.toLowerCase();
  const status = ctx.httpStatus;
  const retryable =
    TRANSIENT.has(lower) || (status >= 500 && lower !== 'overload_limit' && lower !== 'portal_deleted');
  const hint = hintFor(code, ctx.method, ctx.auth);
  return new B24Error({
    method: ctx.method,
    code,
    description,
    httpStatus: status,
    retryable,
    ...(hint ? { hint } : {}),
  });
}

/** Network codes after which the request may still have run on the portal (the answer was lost). */
const MAYBE_RAN = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export function networkError(
  method: string,
  networkCode: string,
  detail: string,
  host: string,
  redact: Redactor,
): B24Error {
  const refused = networkCode === 'ECONNREFUSED';
  const dns = networkCode === 'ENOTFOUND';
  const hint = refused
    ? `Nothing listens at ${host}: check the portal address (--portal or B24LAB_PORTAL) and that the portal is up.`
    : dns
      ? `The host ${host} does not resolve: check the portal address (--portal or B24LAB_PORTAL).`
      : MAYBE_RAN.has(networkCode)
        ? `The connection to ${host} broke before the answer came; the portal may have run the call.`
        : `Cannot reach ${host}: check the address and the network.`;
  return new B24Error({
    method,
    code: LOCAL_CODES.network,
    description: redact(`${detail || networkCode} while calling ${host}`),
    httpStatus: 0,
    retryable: !dns,
    hint,
    networkCode,
  });
}

/** A body that is not a Bitrix24 envelope: an HTML error page of a proxy, a login page, nothing. */
export function notJsonError(
  method: string,
  httpStatus: number,
  body: string,
  contentType: string,
  redact: Redactor,
): B24Error {
  const html = /<html|<!doctype/i.test(body.slice(0, 500)) || contentType.includes('html');
  const title = /<title>([^<]{1,120})<\/title>/i.exec(body)?.[1]?.trim();
  const what = html
    ? `an HTML page${title ? ` ("${title}")` : ''}`
    : body.trim()
      ? 'a non-JSON body'
      : 'an empty body';
  return new B24Error({
    method,
    code: LOCAL_CODES.notJson,
    description: redact(`the portal answered with ${what} instead of JSON`),
    httpStatus,
    retryable: httpStatus >= 500 || httpStatus === 429,
    hint:
      httpStatus >= 500
        ? 'A proxy or the portal failed; b24lab retried reads. Try again later.'
        : 'The address does not look like a Bitrix24 REST endpoint: check --portal (https://PORTAL/rest/USER_ID/SECRET/) and any proxy in between.',
  });
}
