// Shared helpers of the report unit tests (not a test file itself: vitest picks *.test.ts only).
import type { DealRow } from '../../src/reports/rows.js';

export const DAY = 86_400_000;
/** January 2026 in UTC: the period of every report unit test. */
export const JAN = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 1, 1) };
/** Midnight UTC of a January 2026 day (jan(1) = the period start); dec() and feb() likewise. */
export const jan = (day: number, hour = 0): number => Date.UTC(2026, 0, day, hour);
export const dec = (day: number): number => Date.UTC(2025, 11, day);
export const feb = (day: number): number => Date.UTC(2026, 1, day);

export async function* stream<T>(rows: T[]): AsyncGenerator<T> {
  for (const row of rows) {
    await Promise.resolve();
    yield row;
  }
}

export function deal(id: number, patch: Partial<DealRow>): DealRow {
  return {
    id,
    title: `Сделка ${id}`,
    categoryId: 0,
    stageId: 'NEW',
    semantic: 'P',
    assignedById: 1,
    createdAt: jan(1),
    closedAt: null,
    movedAt: patch.createdAt ?? jan(1),
    amount: 0,
    paid: null,
    remaining: null,
    resultsSentAt: null,
    feedback: false,
    client: null,
    ...patch,
  };
}

export const NAMES = new Map([
  [1, 'Иванов Иван'],
  [2, 'Петрова Мария'],
  [5, 'Сидоров Пётр'],
  [6, 'Кузнецова Анна'],
  [7, 'Смирнов Олег'],
]);
