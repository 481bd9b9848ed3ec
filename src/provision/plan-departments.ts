/**
 * The company structure. Departments have nowhere to keep a key (NAME, PARENT, SORT, UF_HEAD only:
 * api-reference/departments/department-add.md), so a config department is matched, parents first:
 *   1. under its parent's match, by name or one of its formerNames (case and spaces ignored);
 *   2. failing that, anywhere, when exactly one unclaimed department has that name (it moved);
 *   3. otherwise it is created.
 * The `root: true` entry is the portal's top department. Departments left unclaimed are deleted
 * (destructive), deepest first. Heads are users found by e-mail; an unknown e-mail is a warning.
 */
import type { DepartmentConfig } from '../config/sections/departments.js';
import { sameName } from '../config/sections/common.js';
import { defined, diffFields } from './plan-builder.js';
import type { OperationDraft, PlanBuilder } from './plan-builder.js';
import type { PortalSnapshot, SnapshotDepartment } from './snapshot.js';

export const ROOT_ADDRESS = 'department:@root';

const addressOf = (key: string): string => `department:${key}`;

/** Parents before children; the root first. Cycles were refused by the config check. */
function parentFirst(departments: readonly DepartmentConfig[]): DepartmentConfig[] {
  const byKey = new Map(departments.map((d) => [d.key, d]));
  const depth = (d: DepartmentConfig): number => {
    let n = 0;
    for (let cur = d.parent; cur !== undefined && n <= departments.length; cur = byKey.get(cur)?.parent) n++;
    return d.root ? -1 : n;
  };
  return [...departments].sort((a, x) => depth(a) - depth(x));
}

export function planDepartments(
  desired: readonly DepartmentConfig[],
  snap: PortalSnapshot,
  b: PlanBuilder,
): void {
  const portal = snap.departments;
  const root = [...portal].filter((d) => d.parentId === null).sort((a, x) => a.id - x.id)[0];
  const usersByEmail = new Map(snap.users.map((u) => [u.email.toLowerCase(), u]));
  const emailById = new Map(snap.users.map((u) => [u.id, u.email]));
  const byId = new Map(portal.map((d) => [d.id, d]));
  const matched = new Map<string, SnapshotDepartment>();
  const claimed = new Set<number>();
  const rootEntry = desired.find((d) => d.root);
  if (root) {
    claimed.add(root.id);
    b.exists(rootEntry ? addressOf(rootEntry.key) : ROOT_ADDRESS, { id: root.id });
    if (rootEntry) matched.set(rootEntry.key, root);
  }
  const keyOfPortal = (id: number | null): string | undefined => {
    if (id === null) return undefined;
    if (root && id === root.id) return rootEntry?.key ?? '@root';
    for (const [key, d] of matched) if (d.id === id) return key;
    return `#${id}`;
  };
  const nameOf = (key: string | undefined): string | undefined =>
    key === '@root' ? root?.name : (desired.find((d) => d.key === key)?.name ?? key);

  for (const dep of parentFirst(desired)) {
    const address = addressOf(dep.key);
    if (dep.root && !root) {
      b.warn(`The portal has no top department to hold «${dep.name}»`);
      continue;
    }
    const names = [dep.name, ...(dep.formerNames ?? [])];
    let found: SnapshotDepartment | undefined = dep.root ? root : undefined;
    const parentKey = dep.root ? undefined : (dep.parent ?? rootEntry?.key ?? '@root');
    if (!dep.root) {
      const parentId = parentKey === '@root' ? root?.id : matched.get(parentKey ?? '')?.id;
      if (parentId !== undefined) {
        const siblings = portal.filter((d) => d.parentId === parentId && !claimed.has(d.id));
        found = names.map((n) => siblings.find((d) => sameName(d.name, n))).find((d) => d !== undefined);
        if (!found) {
          const anywhere = portal.filter(
            (d) => d.parentId !== null && !claimed.has(d.id) && names.some((n) => sameName(d.name, n)),
          );
          if (anywhere.length === 1) found = anywhere[0];
        }
      }
    }

    let headId: number | undefined;
    if (dep.head !== undefined) {
      headId = usersByEmail.get(dep.head.toLowerCase())?.id;
      if (headId === undefined)
        b.warn(
          `The head of «${dep.name}» (${dep.head}) is not a user of the portal: b24lab does not create users; add the user, then apply again`,
        );
    }
    const ownerAddress =
      parentKey === undefined ? undefined : parentKey === '@root' ? ROOT_ADDRESS : addressOf(parentKey);
    b.desire(address, { name: dep.name, parent: parentKey, head: dep.head?.toLowerCase(), sort: dep.sort });

    if (!found) {
      b.add({
        action: 'create',
        entity: 'department',
        address,
        name: dep.name,
        destructive: false,
        drift: false,
        changes: [],
        ...(ownerAddress ? { owner: ownerAddress } : {}),
        set: defined({
          name: dep.name,
          parent: ownerAddress ? { ref: ownerAddress } : undefined,
          head: headId,
          sort: dep.sort ?? 500,
        }),
      });
      continue;
    }
    matched.set(dep.key, found);
    claimed.add(found.id);
    b.exists(address, { id: found.id });
    const actualHead =
      found.headId === null
        ? undefined
        : (emailById.get(found.headId)?.toLowerCase() ?? `user #${found.headId}`);
    const changes = diffFields(
      {
        name: dep.name,
        parent: dep.root ? undefined : parentKey,
        head: headId === undefined ? undefined : dep.head?.toLowerCase(),
        sort: dep.sort,
      },
      { name: found.name, parent: keyOfPortal(found.parentId), head: actualHead, sort: found.sort },
    );
    const op: OperationDraft = {
      action: changes.length > 0 ? 'update' : 'noop',
      entity: 'department',
      address,
      name: dep.name,
      destructive: false,
      drift: false,
      changes: changes.map((c) =>
        c.field === 'parent' ? { ...c, from: nameOf(c.from as string), to: nameOf(c.to as string) } : c,
      ),
      portalId: found.id,
      ...(ownerAddress ? { owner: ownerAddress } : {}),
    };
    if (dep.root) op.reason = "the portal's top department";
    else if (!sameName(found.name, dep.name)) op.reason = `found by its former name «${found.name}»`;
    else if (changes.some((c) => c.field === 'parent'))
      op.reason = 'found by name elsewhere in the structure: moved';
    if (changes.length > 0) {
      op.set = {};
      for (const c of changes) {
        if (c.field === 'parent') op.set.parent = { ref: ownerAddress ?? ROOT_ADDRESS };
        else if (c.field === 'head') op.set.head = headId;
        else op.set[c.field] = c.to;
      }
    }
    b.add(op);
  }

  // Unclaimed departments go, deepest first (a department with sub-departments cannot be deleted).
  const depthOf = (d: SnapshotDepartment): number => {
    let n = 0;
    for (let cur = d.parentId; cur !== null && n <= portal.length; cur = byId.get(cur)?.parentId ?? null) n++;
    return n;
  };
  const leftovers = portal
    .filter((d) => !claimed.has(d.id))
    .sort((a, x) => depthOf(x) - depthOf(a) || a.id - x.id);
  for (const d of leftovers) {
    b.add({
      action: 'delete',
      entity: 'department',
      address: formerAddress(d, b) ?? `department:#${d.id}`,
      name: d.name,
      destructive: true,
      drift: false,
      reason: 'not in config',
      changes: [],
      portalId: d.id,
    });
  }
}

/** A department that left the config keeps the address it had when last applied (for drift). */
function formerAddress(d: SnapshotDepartment, b: PlanBuilder): string | undefined {
  if (!b.previous) return undefined;
  return Object.entries(b.previous).find(
    ([address, state]) =>
      address.startsWith('department:') &&
      !(address in b.state) &&
      typeof state.name === 'string' &&
      sameName(state.name, d.name),
  )?.[0];
}
