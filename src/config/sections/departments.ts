import { z } from 'zod';
import { defineSection } from '../config-section.js';
import { checkUnique, keySchema, nameSchema, sameName } from './common.js';

/**
 * The company structure. A portal department has only NAME, PARENT, SORT and UF_HEAD
 * (api-reference/departments/department-add.md), nowhere to keep a key; so a department is matched by
 * its place in the tree: its NAME under its parent's match (case and spaces ignored), else one of its
 * `formerNames` there (a rename), else a department of that name anywhere that nothing else claims (a
 * move). The `key` lives only in the config: parents and rules refer to it.
 */
const departmentSchema = z.strictObject({
  key: keySchema.describe('Stable key in this config; parents and rules refer to it'),
  name: nameSchema.describe('Department name on the portal'),
  root: z
    .boolean()
    .optional()
    .describe('The top department of the portal (the company itself); at most one, it has no parent'),
  parent: keySchema
    .optional()
    .describe('Key of the parent department; without it the department is under the root'),
  head: z
    .email('The head is given by the e-mail of a portal user')
    .optional()
    .describe('E-mail of the head (UF_HEAD); the user must exist, b24lab does not create users'),
  sort: z.int().min(0).optional(),
  formerNames: z
    .array(nameSchema)
    .optional()
    .describe('Names the department had before, so a rename in config updates it instead of re-creating it'),
});

export type DepartmentConfig = z.output<typeof departmentSchema>;

export const departmentsSection = defineSection({
  schema: z.array(departmentSchema).describe('Company structure, parents before or after children'),
  check: (departments, ctx) => {
    checkUnique(
      departments,
      (d) => d.key,
      (i) => [i, 'key'],
      ctx,
      'department key',
    );
    const byKey = new Map(departments.map((d) => [d.key, d]));
    const roots = departments.flatMap((d, i) => (d.root ? [i] : []));
    for (const i of roots.slice(1)) ctx.issue([i, 'root'], 'Only one department can be the root');
    departments.forEach((d, i) => {
      if (d.root && d.parent !== undefined) ctx.issue([i, 'parent'], 'The root department has no parent');
      if (d.parent === undefined) return;
      const parent = byKey.get(d.parent);
      if (!parent) ctx.issue([i, 'parent'], `Unknown department key "${d.parent}"`);
      else if (parent === d) ctx.issue([i, 'parent'], 'A department cannot be its own parent');
    });
    // A cycle (a -> b -> a) would leave both without a place in the tree.
    departments.forEach((d, i) => {
      const seen = new Set<string>([d.key]);
      for (let cur = d.parent; cur !== undefined; cur = byKey.get(cur)?.parent) {
        if (seen.has(cur)) {
          if (cur === d.key) ctx.issue([i, 'parent'], `Department "${d.key}" is its own ancestor`);
          break;
        }
        seen.add(cur);
      }
    });
    // Siblings are told apart by name on the portal, so two siblings may not share one.
    departments.forEach((d, i) => {
      if (d.root) return;
      const earlier = departments.findIndex(
        (o, j) => j < i && !o.root && o.parent === d.parent && sameName(o.name, d.name),
      );
      if (earlier >= 0)
        ctx.issue([i, 'name'], `Department name "${d.name}" is already used by a sibling (index ${earlier})`);
    });
  },
});
