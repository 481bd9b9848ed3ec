/**
 * The live check of `b24lab init`: `profile` (the host answers, the credentials work) then `scope`
 * (what the webhook or application may call). A failure becomes one line a person can act on, plus a
 * hint, so the interactive init can say it and ask again, and the flags mode can exit with it.
 */
import type { B24Client } from '../rest/client.js';
import { LOCAL_CODES, isB24Error } from '../rest/errors.js';

/** Without these b24lab's core (provisioning, jobs, reports) cannot work. */
export const REQUIRED_SCOPES = ['crm', 'user', 'department'] as const;
/** Used by single features (tasks, notifications, files, lists, business processes). */
export const OPTIONAL_SCOPES = ['task', 'im', 'disk', 'lists', 'bizproc'] as const;

export type AuthKind = 'webhook' | 'oauth';

export type ProblemKind = 'input' | 'unreachable' | 'credentials' | 'scopes' | 'not-rest' | 'refused';

export interface CheckProblem {
  kind: ProblemKind;
  /** One line: what is wrong. */
  reason: string;
  /** What to do about it. */
  hint?: string;
}

export type CheckOutcome =
  { ok: true; missingOptional: string[]; userId: string } | { ok: false; problem: CheckProblem };

/** Which needed scopes the portal's answer to `scope` lacks. */
export function missingScopes(granted: string[]): { required: string[]; optional: string[] } {
  const have = new Set(granted.map((s) => s.toLowerCase()));
  return {
    required: REQUIRED_SCOPES.filter((s) => !have.has(s)),
    optional: OPTIONAL_SCOPES.filter((s) => !have.has(s)),
  };
}

const ALL_SCOPES = [...REQUIRED_SCOPES, ...OPTIONAL_SCOPES].join(', ');

function scopeHint(kind: AuthKind): string {
  return kind === 'webhook'
    ? `Edit the webhook (Developer resources -> Other -> Inbound webhook), tick the scopes ${ALL_SCOPES}, save, and use its URL.`
    : `Add the scopes ${ALL_SCOPES} to the application (Developer resources -> Other -> Local application), then reinstall it for a new refresh token.`;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS not answering)',
  ETIMEDOUT: 'no answer in time',
  ECONNRESET: 'the connection was dropped',
  EHOSTUNREACH: 'no route to the host',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
};

/**
 * A failed call of the check -> the problem to show. Branches on the error code (STYLE.md §4).
 * Worked example: NETWORK_ERROR/ECONNREFUSED at 127.0.0.1:9 ->
 *   { kind: 'unreachable', reason: 'Cannot reach 127.0.0.1:9: connection refused (nothing listens there).' }
 */
export function explainFailure(error: unknown, kind: AuthKind, host: string): CheckProblem | undefined {
  if (!isB24Error(error)) return undefined;
  const code = error.codeLower;
  const token = error.method === 'oauth.token';
  if (code === LOCAL_CODES.network.toLowerCase()) {
    const why = NETWORK_REASONS[error.networkCode ?? ''] ?? error.networkCode ?? 'no answer';
    const where = token
      ? `the token server (${/ while calling (\S+)$/.exec(error.description)?.[1] ?? host})`
      : host;
    return {
      kind: 'unreachable',
      reason: `Cannot reach ${where}: ${why}.`,
      hint: 'Check the address, the network and any proxy or firewall in between.',
    };
  }
  if (code === 'invalid_credentials' || code === 'no_auth_found' || code === 'invalid_token')
    return kind === 'webhook'
      ? {
          kind: 'credentials',
          reason: `${host} refused the webhook (${error.code}): wrong user id or secret, or the webhook was deleted.`,
          hint: 'Copy the URL again from Developer resources -> Other -> Inbound webhook: https://PORTAL/rest/USER_ID/SECRET/',
        }
      : {
          kind: 'credentials',
          reason: `${host} refused the application's access token (${error.code}).`,
          hint: 'Check the portal endpoint: it must be the portal the application is installed on.',
        };
  if (code === 'invalid_client')
    return {
      kind: 'credentials',
      reason: 'The token server refused the application (invalid_client): wrong client id or client secret.',
      hint: 'Copy both from the application card (Developer resources -> Other -> Local application).',
    };
  if (code === 'invalid_grant')
    return {
      kind: 'credentials',
      reason:
        'The token server refused the refresh token (invalid_grant): it was already used or is older than 180 days.',
      hint: 'Reinstall or reauthorise the application to get a new refresh token.',
    };
  if (code === 'insufficient_scope')
    return {
      kind: 'scopes',
      reason: `The ${kind === 'webhook' ? 'webhook' : 'application'} may not call ${error.method} (insufficient_scope).`,
      hint: scopeHint(kind),
    };
  if (code === 'invalid_request')
    return {
      kind: 'refused',
      reason: `${host} requires https (INVALID_REQUEST).`,
      hint: 'Use an https:// address.',
    };
  if (code === 'access_denied' || code === 'payment_required')
    return {
      kind: 'refused',
      reason: `${host} refused REST access (${error.code}): REST needs a commercial plan and a user with access.`,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  if (
    code === LOCAL_CODES.notJson.toLowerCase() ||
    code === 'error_method_not_found' ||
    code.startsWith('http_')
  )
    return {
      kind: 'not-rest',
      reason: `${host} answered, but not as the Bitrix24 REST API (${error.code || `HTTP ${error.httpStatus}`}).`,
      hint:
        kind === 'webhook'
          ? 'Check the webhook URL: https://PORTAL/rest/USER_ID/SECRET/'
          : 'Check the portal endpoint (https://PORTAL/rest/) and the token server.',
    };
  return {
    kind: 'refused',
    reason: `The portal check failed: ${error.message}`,
    ...(error.hint ? { hint: error.hint } : {}),
  };
}

/** Runs the check; never throws for a portal's refusal (only for a bug). */
export async function checkPortal(client: B24Client, kind: AuthKind): Promise<CheckOutcome> {
  const host = client.portal.replace(/^https?:\/\//, '');
  try {
    const profile = await client.call<{ ID?: string | number }>('profile');
    const granted = await client.call<string[]>('scope');
    const missing = missingScopes(Array.isArray(granted) ? granted : []);
    if (missing.required.length > 0)
      return {
        ok: false,
        problem: {
          kind: 'scopes',
          reason: `The ${kind === 'webhook' ? 'webhook' : 'application'} lacks the scopes b24lab needs: ${missing.required.join(', ')}.`,
          hint: scopeHint(kind),
        },
      };
    return { ok: true, missingOptional: missing.optional, userId: String(profile.ID ?? '') };
  } catch (e) {
    const problem = explainFailure(e, kind, host);
    if (!problem) throw e;
    return { ok: false, problem };
  }
}
