/**
 * Contacts and companies that are the same client: they share a normalised phone number or e-mail
 * (what crm.duplicate.findbycomm compares, reference/bitrix24-automation-and-domain.md §4). Deals and
 * history split between the copies; a manager calls a client another manager already serves.
 * Merging is only with --merge-duplicates (crm.entity.mergeBatch), and a conflict still goes to the
 * merge screen of the portal.
 */
import type { Finding } from './finding.js';
import { countOf, crmRef, kindName } from './links.js';
import type { CrmRecord, PortalView, Rows } from './portal-view.js';

/**
 * A phone as digits with the Russian trunk prefix made international, so the ways people type one
 * number compare equal:
 *   '+7 (913) 555-12-34' -> '79135551234',  '8 913 555 12 34' -> '79135551234',
 *   '913-555-12-34' -> '79135551234',       '555-12' -> undefined (too short to tell clients apart)
 */
export function normalisePhone(raw: string): string | undefined {
  let digits = raw.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  else if (digits.length === 10 && digits.startsWith('9')) digits = `7${digits}`;
  return digits.length >= 7 ? digits : undefined;
}

/** 'Ivan.Petrov@Mail.RU ' -> 'ivan.petrov@mail.ru'; undefined when it is no address. */
export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+$/.test(email) ? email : undefined;
}

class UnionFind {
  private readonly parent = new Map<number, number>();
  find(x: number): number {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(x, root);
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
}

async function groups(view: PortalView, rows: Rows<CrmRecord>, out: Finding[]): Promise<void> {
  const byKey = new Map<string, number>();
  const uf = new UnionFind();
  const records = new Map<number, { title: string; entityTypeId: number; keys: Set<string> }>();
  for await (const r of rows) {
    const keys = new Set<string>();
    for (const p of r.phones ?? []) {
      const n = normalisePhone(p);
      if (n) keys.add(`phone ${n}`);
    }
    for (const e of r.emails ?? []) {
      const n = normaliseEmail(e);
      if (n) keys.add(`e-mail ${n}`);
    }
    if (keys.size === 0) continue;
    records.set(r.id, { title: r.title, entityTypeId: r.entityTypeId, keys });
    for (const key of keys) {
      const first = byKey.get(key);
      if (first === undefined) byKey.set(key, r.id);
      else uf.union(first, r.id);
    }
  }
  const clusters = new Map<number, number[]>();
  for (const id of records.keys()) {
    const root = uf.find(id);
    const list = clusters.get(root) ?? [];
    list.push(id);
    clusters.set(root, list);
  }
  for (const ids of clusters.values()) {
    if (ids.length < 2) continue;
    ids.sort((a, b) => a - b);
    const members = ids.map((id) => ({ id, ...records.get(id)! }));
    const shared = [...members[0]!.keys].filter((k) => members.some((m, i) => i > 0 && m.keys.has(k)));
    const entityTypeId = members[0]!.entityTypeId;
    const kind = kindName(entityTypeId);
    out.push({
      check: 'duplicates',
      summary: `${countOf(ids.length, kind)} look like one client (same ${shared.join(', ')}): ${members.map((m) => `«${m.title}» #${m.id}`).join(', ')}`,
      why: 'Deals and history are split between the copies, and two managers may serve one client without knowing it.',
      fixable: 'merge',
      hint: `Merge them on the portal (the oldest, #${ids[0]}, is kept), or run repair with --merge-duplicates.`,
      entities: members.map((m) => crmRef(view.portal, { entityTypeId, id: m.id, title: m.title })),
      fixes: [{ kind: 'merge', entityTypeId, ids }],
    });
  }
}

export async function checkDuplicates(view: PortalView): Promise<Finding[]> {
  const out: Finding[] = [];
  await groups(view, view.contacts(), out);
  await groups(view, view.companies(), out);
  return out;
}
