import type { Entity } from './entity.js';
import { fieldValue, localTime, parseTime } from './entity.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?$/;

/**
 * Date fields come back as `date('c', midnight + the server's UTC offset)` (reference/bitrix24-rest.md
 * §7): on a +03:00 portal a date reads `2024-08-30T03:00:00+03:00`. A time equal to the offset is that.
 */
function isDateFieldQuirk(value: string): boolean {
  const m = /T(\d{2}):(\d{2}):00([+-])(\d{2}):?(\d{2})$/.exec(value);
  return m !== null && m[3] === '+' && m[1] === m[4] && m[2] === m[5];
}

/**
 * How a field value reads in a message: dates as the portal's local DD.MM.YYYY (with the time unless
 * it is midnight, i.e. a date field), lists joined, empty as nothing.
 * Example (portal +03:00): '2025-03-20T03:00:00+03:00' -> '20.03.2025', '2025-03-20T14:30:00+03:00'
 * -> '20.03.2025 14:30'.
 */
export function formatValue(value: unknown, offsetMinutes: number): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => formatValue(v, offsetMinutes)).join(', ');
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) {
    const ms = parseTime(value);
    if (ms !== undefined) {
      const local = localTime(ms, offsetMinutes);
      const [y, m, d] = local.date.split('-');
      const date = `${d}.${m}.${y}`;
      if (local.minutes === 0 || isDateFieldQuirk(value)) return date;
      const hh = String(Math.floor(local.minutes / 60)).padStart(2, '0');
      const mm = String(local.minutes % 60).padStart(2, '0');
      return `${date} ${hh}:${mm}`;
    }
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Fills `{{name}}` placeholders: first the computed values the rule engine provides (`link`, `stage`,
 * `responsible`, `daysInStage`...), then any field of the record (`{{opportunity}}`,
 * `{{UF_CRM_PAYMENT_DATE}}`). An unknown name renders as nothing, so a renamed field never breaks a
 * message. Example: 'Сделка {{title}} ждет {{daysInStage}} дн.' -> 'Сделка Экспертиза ждет 16 дн.'
 */
export function renderTemplate(
  template: string,
  entity: Entity,
  vars: Record<string, string | number>,
  offsetMinutes: number,
): string {
  // `parent.<name>`: the parent deal's values, given in vars (parent-record.ts); empty when absent.
  return template.replace(/\{\{\s*((?:parent\.)?[A-Za-z][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
    if (name.startsWith('parent.')) return String(vars[name] ?? '');
    if (name in vars) return String(vars[name]);
    return formatValue(fieldValue(entity, name), offsetMinutes);
  });
}
