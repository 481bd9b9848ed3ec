import { describe, expect, it } from 'vitest';
import { headsOf, orgChart } from '../../src/automation/org-chart.js';
import { org } from './automation-fixtures.js';

describe('heads of a user (as «Уведомить руководство» finds them)', () => {
  it('climbs past an empty post to the first head above', () => {
    // 9 is in «Менеджеры» (no head) under «Продажи» (head 7).
    expect(headsOf(org, 9)).toEqual([7]);
    expect(headsOf(org, 9, 2)).toEqual([7, 1]);
  });

  it('goes one level up when the user heads his own department', () => {
    expect(headsOf(org, 7)).toEqual([1]);
  });

  it('skips a head who is no longer active', () => {
    expect(headsOf(org, 31)).toEqual([1]);
  });

  it('has no one above the top head, nor for an unknown user', () => {
    expect(headsOf(org, 1)).toEqual([]);
    expect(headsOf(org, 999)).toEqual([]);
  });

  it('collects the heads of every department of a user, once each', () => {
    const two = orgChart(
      [
        { id: 2, name: 'A', active: true, departments: [3, 4] },
        { id: 5, name: 'H', active: true, departments: [3] },
      ],
      [
        { id: 1, name: 'root', parent: null, head: 5 },
        { id: 3, name: 'x', parent: 1, head: 5 },
        { id: 4, name: 'y', parent: 1, head: null },
      ],
    );
    expect(headsOf(two, 2)).toEqual([5]);
    // The same person heading two levels counts once: the climb goes on past him.
    expect(headsOf(two, 2, 2)).toEqual([5]);
  });

  it('survives a cycle in a broken structure', () => {
    const loop = orgChart(
      [{ id: 2, name: 'A', active: true, departments: [3] }],
      [
        { id: 3, name: 'x', parent: 4, head: null },
        { id: 4, name: 'y', parent: 3, head: null },
      ],
    );
    expect(headsOf(loop, 2)).toEqual([]);
  });
});
