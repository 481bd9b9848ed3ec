/**
 * Which methods are reads (safe to repeat) and which are writes (STYLE.md §8: a write is never
 * repeated unless the error proves it did not run). The rule, in order:
 *
 * 1. the explicit tables below (names that the verb rule would get wrong);
 * 2. the verb: the last segment of the name (`crm.deal.list` -> `list`) is one of READ_VERBS;
 * 3. anything else is a write: unknown methods are treated as writes, the safe side.
 *
 * Worked examples: `crm.deal.list` read, `crm.item.get` read, `crm.deal.update` write,
 * `crm.deal.contact.items.get` read, `crm.deal.contact.items.set` write, `user.get` read,
 * `lists.element.get.file.url` read (table), `b24lab.oauth.issue` write, `batch` -> kind of its
 * commands (a batch is a read only when every command is).
 */
const READ_VERBS = new Set([
  'get',
  'list',
  'fields',
  'current',
  'getlist',
  'getchildren',
  'getfields',
  'getbyentitytypeid',
  'gettypes',
  'search',
  'count',
  'types',
  'info',
  'items',
]);

/** Reads whose last segment is not a read verb. */
const READS = new Set([
  'profile',
  'scope',
  'methods',
  'method.get',
  'server.time',
  'app.info',
  'events',
  'lists.element.get.file.url',
  'crm.status.entity.items',
  'crm.status.entity.types',
  'crm.enum.ownertype',
  'crm.enum.fields',
  'crm.dealcategory.status',
  'crm.dealcategory.default.get',
  'b24lab.clock.get',
  'b24lab.stats.get',
  'b24lab.notifications.list',
]);

/** Writes whose last segment looks like a read verb. */
const WRITES = new Set(['crm.dealcategory.default.set', 'b24lab.oauth.issue']);

export function isReadMethod(method: string): boolean {
  const m = method
    .trim()
    .toLowerCase()
    .replace(/\.(json|xml)$/, '');
  if (WRITES.has(m)) return false;
  if (READS.has(m)) return true;
  const verb = m.split('.').at(-1) ?? '';
  return READ_VERBS.has(verb);
}

/** A batch is a read when all its commands are reads. */
export function isReadBatch(methods: string[]): boolean {
  return methods.every(isReadMethod);
}
