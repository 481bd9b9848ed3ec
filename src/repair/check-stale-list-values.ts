/**
 * List (enumeration) fields holding a value the list no longer has: someone deleted the value from
 * the field settings, or an import wrote an ID from another portal. The card shows an empty field,
 * filters and reports miss the record, and a save from the form may fail validation. Repair removes
 * the dead values (policy listValues: clear), keeping the live ones of a multiple field.
 */
import type { Finding } from './finding.js';
import { crmRef, kindName } from './links.js';
import type { CrmRecord, EnumField, PortalView, Rows } from './portal-view.js';
import { keepCategory } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';

/** The IDs a list field holds: `5`, `"5"`, `[5, "7"]`; empty values are none. */
export function listIds(value: unknown): number[] {
  const raw = Array.isArray(value) ? value : [value];
  return raw
    .filter((v) => v !== null && v !== undefined && v !== '' && v !== false && v !== 0 && v !== '0')
    .map((v) => Number(v))
    .filter((n) => Number.isInteger(n) && n > 0);
}

async function scan(
  view: PortalView,
  rows: Rows<CrmRecord>,
  fields: EnumField[],
  policy: RepairPolicy,
  out: Finding[],
): Promise<void> {
  if (fields.length === 0) return;
  for await (const record of rows) {
    for (const field of fields) {
      const ids = listIds(record.fields[field.name]);
      const dead = ids.filter((id) => !field.values.has(id));
      if (dead.length === 0) continue;
      const live = ids.filter((id) => field.values.has(id));
      const base = {
        check: 'stale-list-values' as const,
        summary: `The ${kindName(record.entityTypeId, view.lab?.title)} «${record.title}» has value${dead.length === 1 ? '' : 's'} ${dead.join(', ')} in «${field.label}», which the list no longer has`,
        why: 'The card shows the field empty, filters and reports miss the record, and saving the form may fail.',
        entities: [crmRef(view.portal, record)],
      };
      if (policy.listValues === 'report') {
        out.push({
          ...base,
          fixable: 'person',
          hint: `Choose a current value of «${field.label}», or add the value back to the list.`,
        });
        continue;
      }
      // An empty value is '' (not null or []): REST bodies in PHP's query form drop both, and the
      // portal then sees no field at all (crm-item-update.md: empty string clears a field).
      const value = field.multiple && live.length > 0 ? live : (live[0] ?? '');
      out.push({
        ...base,
        fixable: 'repair',
        hint: field.multiple && live.length > 0 ? `Keep only ${live.join(', ')}.` : 'Clear the field.',
        fixes: [
          {
            kind: 'set-fields',
            target: { type: 'crm', entityTypeId: record.entityTypeId, id: record.id },
            fields: { ...keepCategory(record), [field.name]: value },
          },
        ],
      });
    }
  }
}

export async function checkStaleListValues(view: PortalView, policy: RepairPolicy): Promise<Finding[]> {
  const out: Finding[] = [];
  const fields = (entityTypeId: number): EnumField[] => view.enumFields.get(entityTypeId) ?? [];
  await scan(view, view.deals(), fields(2), policy, out);
  await scan(view, view.contacts(), fields(3), policy, out);
  await scan(view, view.companies(), fields(4), policy, out);
  if (view.lab) await scan(view, view.labItems(), fields(view.lab.entityTypeId), policy, out);
  return out;
}
