/**
 * Deals and laboratory items must come in pairs once a deal reaches production: the laboratory works
 * from its item, and the deal card shows the item's progress. An item without its deal (never linked,
 * or the deal deleted) is work nobody bills; a deal in a production stage without an item is work the
 * laboratory never received. Both need a person: which deal, or whether to start the work.
 */
import type { Finding } from './finding.js';
import { crmRef } from './links.js';
import type { PortalView } from './portal-view.js';
import { isOpen, stageOf } from './portal-view.js';
import type { RepairPolicy } from './repair-section.js';

export async function checkLabItemLink(view: PortalView, policy: RepairPolicy): Promise<Finding[]> {
  const lab = view.lab;
  if (!lab) return [];
  const dealIds = new Set<number>();
  const production: { id: number; title: string; stage: string }[] = [];
  const productionCodes = new Set(policy.productionStages);
  for await (const deal of view.deals()) {
    dealIds.add(deal.id);
    const stage = stageOf(view, deal);
    if (stage && productionCodes.has(stage.code) && isOpen(view, deal))
      production.push({ id: deal.id, title: deal.title, stage: stage.name });
  }
  const out: Finding[] = [];
  const linked = new Set<number>();
  for await (const item of view.labItems()) {
    const dealId = item.parentDealId ?? 0;
    if (dealId > 0 && dealIds.has(dealId)) {
      linked.add(dealId);
      continue;
    }
    out.push({
      check: 'lab-item-link',
      summary:
        dealId > 0
          ? `The ${lab.title} item «${item.title}» belongs to deal #${dealId}, which no longer exists`
          : `The ${lab.title} item «${item.title}» has no deal`,
      why: 'Work without a deal is never billed and its results reach no client.',
      fixable: 'person',
      hint: 'Link it to its deal (the «Сделка» field of the item), or close it if the work was cancelled.',
      entities: [crmRef(view.portal, item)],
    });
  }
  for (const deal of production) {
    if (linked.has(deal.id)) continue;
    out.push({
      check: 'lab-item-link',
      summary: `The deal «${deal.title}» is in production («${deal.stage}») but has no ${lab.title} item`,
      why: 'The laboratory works from its items: this order never reached it.',
      fixable: 'person',
      hint: `Create the ${lab.title} item for the deal (or move the deal back if production has not started).`,
      entities: [crmRef(view.portal, { entityTypeId: 2, id: deal.id, title: deal.title })],
    });
  }
  return out;
}
