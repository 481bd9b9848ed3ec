import type { MethodModule } from '../portal.js';
import { RestError } from '../protocol/rest-error.js';
import type { CallContext, MethodOutput } from './registry.js';
import { ok, scoped } from './registry.js';
import { idParam, param, str } from './params.js';
import type { NotificationDoc } from './system.js';

/**
 * `im.notify.system.add` and `im.notify.personal.add` (scope `im`; reference/bitrix24-rest.md §6.13,
 * api-reference/chats/notifications/im-notify-{system,personal}-add.md). A notification is stored as a
 * NotificationDoc and read back by the emulator-only `b24lab.notifications.list`.
 */
export const NOTIFICATION_KIND = 'notification';

/** The largest ATTACH the messenger accepts, in characters of its JSON form. */
const MAX_ATTACH = 60_000;

const imError = {
  userIdEmpty: () => new RestError('USER_ID_EMPTY', "User ID can't be empty"),
  messageEmpty: () => new RestError('MESSAGE_EMPTY', "Message can't be empty"),
  attachOversize: () =>
    new RestError('ATTACH_OVERSIZE', 'You have exceeded the maximum allowable size of attach'),
  attachError: () => new RestError('ATTACH_ERROR', 'Incorrect attach params'),
};

/** ATTACH is an object/array or its JSON text; anything else is ATTACH_ERROR. */
function checkAttach(value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  let json: string;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed === null || typeof parsed !== 'object') throw imError.attachError();
    } catch (e) {
      if (e instanceof RestError) throw e;
      throw imError.attachError();
    }
    json = value;
  } else if (typeof value === 'object') {
    json = JSON.stringify(value);
  } else {
    throw imError.attachError();
  }
  if (json.length > MAX_ATTACH) throw imError.attachOversize();
}

function addNotification(type: NotificationDoc['type']) {
  return ({ portal, params, userId }: CallContext): MethodOutput => {
    const to = idParam(param(params, 'USER_ID'));
    if (to === undefined) throw imError.userIdEmpty();
    const message = str(param(params, 'MESSAGE')).trim();
    if (message === '') throw imError.messageEmpty();
    checkAttach(param(params, 'ATTACH'));
    // The messenger creates nothing for a user that does not exist: `false`, not an error.
    if (!portal.store.get('user', to)) return ok(false);
    const tag = str(param(params, 'TAG'));
    if (tag) {
      // A TAG is unique per recipient: a new notification replaces the older ones with that tag.
      const older = portal.store.query<NotificationDoc>(NOTIFICATION_KIND, {
        where: [
          { field: 'userId', op: '=', value: to, kind: 'number' },
          { field: 'tag', op: '=', value: tag, kind: 'text' },
        ],
      });
      for (const n of older) portal.store.delete(NOTIFICATION_KIND, n.id);
    }
    const doc: Omit<NotificationDoc, 'id'> = {
      type,
      userId: to,
      // A system notification has no sender; a personal one comes from the caller.
      fromUserId: type === 'personal' ? userId : 0,
      message,
      messageOut: str(param(params, 'MESSAGE_OUT')).trim(),
      tag,
      subTag: str(param(params, 'SUB_TAG')),
      createdAt: portal.now(),
    };
    return ok(portal.store.insert(NOTIFICATION_KIND, doc).id);
  };
}

export const imModule: MethodModule = {
  methods: scoped('im', {
    'im.notify.system.add': addNotification('system'),
    'im.notify.personal.add': addNotification('personal'),
  }),
};
