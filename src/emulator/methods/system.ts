import type { MethodModule, Portal } from '../portal.js';
import { tokenAnswer } from '../http/server.js';
import { pageArray } from '../protocol/paging.js';
import { RestError, errors } from '../protocol/rest-error.js';
import { parseDateInput } from '../portal-clock.js';
import type { MethodTable } from './registry.js';
import { ok } from './registry.js';
import { flag, idParam, listParam, param, str } from './params.js';
import { renderUser, type UserDoc } from './users.js';

/** A notification as `im.notify.*` stores it, read back by `b24lab.notifications.list`. */
export interface NotificationDoc {
  id: number;
  type: 'system' | 'personal';
  userId: number;
  fromUserId: number;
  message: string;
  messageOut: string;
  tag: string;
  subTag: string;
  createdAt: number;
}

function clockState(portal: Portal): Record<string, unknown> {
  const now = portal.now();
  return {
    time: portal.iso(now),
    timestamp: Math.floor(now / 1000),
    offsetSeconds: Math.round(portal.clock.offsetMs / 1000),
  };
}

const base: MethodTable = {
  profile: {
    scope: 'basic',
    handler: ({ portal, userId }) => {
      const user = portal.store.get<UserDoc>('user', userId);
      const shown = user ? renderUser(portal, user) : {};
      return ok({
        ID: str(userId),
        ADMIN: userId === portal.settings.user,
        NAME: shown.NAME ?? '',
        LAST_NAME: shown.LAST_NAME ?? '',
        PERSONAL_GENDER: shown.PERSONAL_GENDER ?? '',
        TIME_ZONE: '',
        TIME_ZONE_OFFSET: portal.settings.timezoneOffsetMinutes * 60,
      });
    },
  },
  'server.time': { scope: 'basic', handler: ({ portal }) => ok(portal.iso(portal.now())) },
  scope: {
    scope: 'basic',
    // The caller's scopes; `full=true` lists every scope the portal has (api-reference/common/scope.md).
    handler: ({ portal, params, scopes }) =>
      ok(scopes && !flag(param(params, 'full')) ? [...scopes].sort() : portal.scopes()),
  },
  methods: {
    scope: 'basic',
    handler: ({ portal, params }) => {
      const scope = param(params, 'scope');
      const names = portal.methodNames().filter((m) => !m.startsWith('b24lab.'));
      if (typeof scope === 'string' && scope) {
        return ok(names.filter((m) => portal.lookup(m)?.scope === scope));
      }
      return ok(names);
    },
  },
};

/**
 * Test controls a real portal lacks (emulator-only, under the `b24lab.` prefix): the portal clock,
 * what users were notified of, injected faults, OAuth tokens, a reset. Exempt from faults and the
 * rate limit so a test can always reach them.
 */
const controls: MethodTable = {
  'b24lab.clock.get': { scope: 'b24lab', handler: ({ portal }) => ok(clockState(portal)) },
  'b24lab.clock.set': {
    scope: 'b24lab',
    handler: ({ portal, params }) => {
      const at = parseDateInput(param(params, 'time'), portal.settings.timezoneOffsetMinutes);
      if (at === undefined) throw errors.argument('time', 'Parameter time must be an ISO 8601 date and time');
      portal.clock.set(at);
      return ok(clockState(portal));
    },
  },
  'b24lab.clock.advance': {
    scope: 'b24lab',
    handler: ({ portal, params }) => {
      const days = Number(param(params, 'days') ?? 0);
      const hours = Number(param(params, 'hours') ?? 0);
      const minutes = Number(param(params, 'minutes') ?? 0);
      const seconds = Number(param(params, 'seconds') ?? 0);
      const ms = ((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1000;
      if (!Number.isFinite(ms) || ms < 0) {
        throw errors.argument(
          'seconds',
          'The clock moves forward only: give days, hours, minutes or seconds >= 0',
        );
      }
      portal.clock.advance(ms);
      return ok(clockState(portal));
    },
  },
  'b24lab.notifications.list': {
    scope: 'b24lab',
    handler: ({ portal, params, start }) => {
      const userId = idParam(param(params, 'userId', 'USER_ID'));
      const rows = portal.store.query<NotificationDoc>('notification', {
        where: userId ? [{ field: 'userId', op: '=', value: userId, kind: 'number' }] : [],
      });
      const page = pageArray(rows, start);
      const result = page.rows.map((n) => ({ ...n, createdAt: portal.iso(n.createdAt) }));
      return { result, total: page.total, ...(page.next !== undefined ? { next: page.next } : {}) };
    },
  },
  'b24lab.reset': {
    scope: 'b24lab',
    handler: ({ portal }) => {
      portal.reset();
      return ok(true);
    },
  },
  'b24lab.faults.set': {
    scope: 'b24lab',
    handler: ({ portal, params }) => {
      try {
        portal.faults.set(str(param(params, 'spec')));
      } catch (e) {
        throw errors.argument('spec', e instanceof Error ? e.message : String(e));
      }
      return ok({ spec: portal.faults.spec });
    },
  },
  'b24lab.stats.get': {
    scope: 'b24lab',
    handler: ({ portal }) => ok({ refused503: portal.requests.refused, faults: portal.faults.spec }),
  },
  'b24lab.webhook.add': {
    scope: 'b24lab',
    // An incoming webhook with chosen scopes, so a test or a rehearsal meets insufficient_scope.
    handler: ({ portal, params, userId }) => {
      const forUser = idParam(param(params, 'userId')) ?? userId;
      if (!portal.store.get('user', forUser))
        throw new RestError('ERROR_NOT_FOUND', `User ${forUser} not found`);
      const raw = param(params, 'scopes', 'scope');
      const wanted = (typeof raw === 'string' ? raw.split(',') : listParam(raw).map(String))
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      const known = new Set(portal.scopes());
      const unknown = wanted.filter((s) => !known.has(s));
      if (unknown.length > 0)
        throw errors.argument(
          'scopes',
          `Unknown scopes: ${unknown.join(', ')}; the portal has ${[...known].join(', ')}`,
        );
      const hook = portal.addWebhook(forUser, [...new Set(wanted)]);
      return ok({
        ID: hook.id,
        USER_ID: forUser,
        SCOPES: hook.scopes,
        URL: `${portal.baseUrl}/rest/${forUser}/${hook.token}/`,
      });
    },
  },
  'b24lab.oauth.issue': {
    scope: 'b24lab',
    handler: ({ portal, params, userId }) => {
      const forUser = idParam(param(params, 'userId')) ?? userId;
      if (!portal.store.get('user', forUser))
        throw new RestError('ERROR_NOT_FOUND', `User ${forUser} not found`);
      const token = portal.issueToken(forUser);
      return ok(tokenAnswer(portal, token.accessToken, token.refreshToken, token.userId, token.expiresAt));
    },
  },
};

export const systemModule: MethodModule = { methods: { ...base, ...controls } };
