import { describe, expect, it } from 'vitest';
import { funnelReport } from '../../src/reports/funnel-report.js';
import type { StageChangeRow, StageDirectory } from '../../src/reports/rows.js';
import { JAN, deal, dec, jan, stream } from './report-fixtures.js';

const directory: StageDirectory = {
  categories: [
    { id: 0, name: 'Продажи' },
    { id: 1, name: 'Госзакупки' },
  ],
  stages: [
    { categoryId: 0, id: 'NEW', name: 'Новая заявка', semantic: 'P' },
    { categoryId: 0, id: 'QUAL', name: 'Квалификация пройдена', semantic: 'P' },
    { categoryId: 0, id: 'INVOICE', name: 'Счёт отправлен', semantic: 'P' },
    { categoryId: 0, id: 'WON', name: 'Сделка успешна', semantic: 'S' },
    { categoryId: 0, id: 'LOSE', name: 'Сделка провалена', semantic: 'F' },
    { categoryId: 1, id: 'C1:NEW', name: 'Заявка', semantic: 'P' },
    { categoryId: 1, id: 'C1:WON', name: 'Контракт выполнен', semantic: 'S' },
    { categoryId: 1, id: 'C1:LOSE', name: 'Отказ', semantic: 'F' },
  ],
};

const h = (ownerId: number, stageId: string, at: number, categoryId = 0): StageChangeRow => ({
  ownerId,
  categoryId,
  stageId,
  semantic: stageId.endsWith('WON') ? 'S' : stageId.endsWith('LOSE') ? 'F' : 'P',
  at,
});

const deals = [
  deal(1, { createdAt: jan(1), stageId: 'WON', semantic: 'S', closedAt: jan(10), amount: 100 }),
  deal(2, { createdAt: jan(2), stageId: 'LOSE', semantic: 'F', closedAt: jan(7), amount: 50 }),
  deal(3, { createdAt: jan(5), stageId: 'QUAL', amount: 30 }),
  deal(4, { createdAt: jan(8), stageId: 'NEW', amount: 20 }),
  deal(5, { createdAt: dec(1), stageId: 'NEW', amount: 1000 }), // before the period: not in the cohort
  deal(6, { createdAt: jan(10), categoryId: 1, stageId: 'C1:NEW', amount: 500 }),
  deal(7, { createdAt: jan(11), stageId: 'LOSE', semantic: 'F', closedAt: jan(11) }), // lost, no history
];

// In ID order, as crm.stagehistory.list streams it: chronological per deal, interleaved across deals.
const history = [
  h(5, 'NEW', dec(1)),
  h(1, 'NEW', jan(1)),
  h(2, 'NEW', jan(2)),
  h(1, 'QUAL', jan(3)), // deal 1: 2 days in NEW
  h(1, 'INVOICE', jan(4)), // deal 1: 1 day in QUAL
  h(3, 'NEW', jan(5)),
  h(2, 'QUAL', jan(6)), // deal 2: 4 days in NEW
  h(3, 'QUAL', jan(6)), // deal 3: 1 day in NEW
  h(5, 'QUAL', jan(6)), // not in the cohort
  h(2, 'LOSE', jan(7)), // deal 2: 1 day in QUAL
  h(4, 'NEW', jan(8)),
  h(1, 'WON', jan(10)), // deal 1: 6 days in INVOICE
  h(6, 'C1:NEW', jan(10), 1),
  h(3, 'C1:NEW', jan(12), 1), // another pipeline's stage for deal 3: ignored
];

describe('funnelReport', () => {
  it('counts deals, reach, stay and conversions per pipeline and stage', async () => {
    const report = await funnelReport({ deals: stream(deals), history: stream(history) }, JAN, directory);
    const [sales, tenders] = report.pipelines;
    expect(sales?.name).toBe('Продажи');
    // reached: NEW 5 (1, 2, 3, 4, 7), QUAL 3 (1 won, 2, 3), INVOICE 1 (1 won), WON 1.
    expect(sales?.stages).toEqual([
      {
        stageId: 'NEW',
        stage: 'Новая заявка',
        semantic: 'P',
        deals: 1,
        amount: 20,
        reached: 5,
        averageDays: 7 / 3,
        toNext: 3 / 5,
        toWon: 1 / 5,
      },
      {
        stageId: 'QUAL',
        stage: 'Квалификация пройдена',
        semantic: 'P',
        deals: 1,
        amount: 30,
        reached: 3,
        averageDays: 1,
        toNext: 1 / 3,
        toWon: 1 / 3,
      },
      {
        stageId: 'INVOICE',
        stage: 'Счёт отправлен',
        semantic: 'P',
        deals: 0,
        amount: 0,
        reached: 1,
        averageDays: 6,
        toNext: 1,
        toWon: 1,
      },
      {
        stageId: 'WON',
        stage: 'Сделка успешна',
        semantic: 'S',
        deals: 1,
        amount: 100,
        reached: 1,
        averageDays: null,
        toNext: null,
        toWon: 1,
      },
      {
        stageId: 'LOSE',
        stage: 'Сделка провалена',
        semantic: 'F',
        deals: 2,
        amount: 50,
        reached: null,
        averageDays: null,
        toNext: null,
        toWon: null,
      },
    ]);
    expect(sales?.totals).toEqual({ deals: 5, amount: 200, won: 1, lost: 2, conversion: 1 / 3 });
    expect(tenders?.stages[0]).toEqual({
      stageId: 'C1:NEW',
      stage: 'Заявка',
      semantic: 'P',
      deals: 1,
      amount: 500,
      reached: 1,
      averageDays: null,
      toNext: 0,
      toWon: 0,
    });
    expect(tenders?.totals).toEqual({ deals: 1, amount: 500, won: 0, lost: 0, conversion: null });
  });
});
