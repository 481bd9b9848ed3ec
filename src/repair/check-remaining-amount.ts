/**
 * The deal's remaining amount must equal its amount minus what was paid (case study: the «Остаток к
 * оплате» business process). A wrong remainder sends a reminder for money already received, or none
 * for money still owed. A deal with neither field filled has not been invoiced and is left alone; an
 * empty remainder of a fully paid deal is 0.
 * Amounts compare to the kopeck.
 */
import type { Finding } from './finding.js';
import { crmRef } from './links.js';
import type { PortalView } from './portal-view.js';

/** A money value as crm.item prints it (number, "1500.50", "1500.50|RUB"); undefined when empty. */
export function money(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const n = Number(value.split('|')[0]?.replace(',', '.').trim());
  return Number.isFinite(n) ? n : undefined;
}

const cents = (n: number): number => Math.round(n * 100);

export async function checkRemainingAmount(view: PortalView): Promise<Finding[]> {
  const names = view.amountFields;
  if (!names) return [];
  const out: Finding[] = [];
  for await (const deal of view.deals()) {
    const paid = money(deal.fields[names.paid]);
    const remaining = money(deal.fields[names.remaining]);
    if (paid === undefined && remaining === undefined) continue;
    const expected = (cents(deal.opportunity ?? 0) - cents(paid ?? 0)) / 100;
    // An empty remainder of a fully paid deal says the same as 0 (the receivables report reads it so).
    if (cents(remaining ?? 0) === cents(expected) && (remaining !== undefined || expected === 0)) continue;
    out.push({
      check: 'remaining-amount',
      summary: `The deal «${deal.title}» shows ${remaining ?? 'no'} remaining, but amount ${deal.opportunity ?? 0} minus paid ${paid ?? 0} is ${expected}`,
      why: 'Payment reminders and the receivables report use the remaining amount: the client is chased for money already paid, or not chased for money owed.',
      fixable: 'repair',
      hint: `Set the remaining amount to ${expected}.`,
      entities: [crmRef(view.portal, deal)],
      fixes: [
        {
          kind: 'set-fields',
          target: { type: 'crm', entityTypeId: deal.entityTypeId, id: deal.id },
          fields: { [names.remaining]: expected },
        },
      ],
    });
  }
  return out;
}
