import { describe, expect, it } from 'vitest';
import type { BatchAnswer } from '../../src/rest/batch.js';
import { B24Error, makeRedactor } from '../../src/rest/errors.js';
import type { ListDeps, ListOptions } from '../../src/rest/list.js';
import { streamList } from '../../src/rest/list.js';
import {
  checkListParams,
  initialCursor,
  lastIdReference,
  listSpec,
  pageParams,
  rowsOf,
} from '../../src/rest/list-table.js';
import { parsePhpQuery } from '../../src/emulator/protocol/php-params.js';
import { substitute } from '../../src/emulator/protocol/batch.js';

/**
 * A fake portal for list methods: rows with ids, `>ID`/`>id` filters, pages of 50, `total` unless
 * start=-1, and batch references resolved by the emulator's own `substitute` (a missing path yields
 * what the walk reached, as on Bitrix24). Knobs: fail a command, lie about the total.
 */
function fakePortal(
  ids: number[],
  opts: {
    idKey?: string;
    resultKey?: string;
    filterKey?: string;
    failAt?: { request: number; cmd: string };
    totalBias?: number;
  } = {},
) {
  const idKey = opts.idKey ?? 'ID';
  const calls: { cmd: Record<string, string> }[] = [];
  const sent: Record<string, unknown>[] = [];
  let recountTotal: number | undefined;
  const send = async (cmd: Record<string, string>): Promise<BatchAnswer> => {
    calls.push({ cmd });
    const state = {
      result: {} as Record<string, unknown>,
      error: {} as Record<string, unknown>,
      total: {} as Record<string, unknown>,
      next: {},
      time: {},
    };
    for (const [name, command] of Object.entries(cmd)) {
      const [, query = ''] = command.split('?');
      const params = parsePhpQuery(query);
      const resolve = (v: unknown): unknown =>
        typeof v === 'string' && v.startsWith('$') ? substitute(v, state) : v;
      sent.push(params);
      if (opts.failAt && opts.failAt.request === calls.length && opts.failAt.cmd === name) {
        state.error[name] = { error: 'INTERNAL_SERVER_ERROR', error_description: 'boom' };
        continue;
      }
      const filter = (params[opts.filterKey ?? 'filter'] ?? {}) as Record<string, unknown>;
      const bound = Object.entries(filter).find(([k]) => k.toLowerCase() === '>id');
      const after = bound ? Number(resolve(bound[1])) : 0; // an unresolved reference is not a number: no rows
      const matching = Number.isNaN(after) ? [] : ids.filter((id) => id > after);
      const start = Number(params.start ?? 0);
      const page = matching
        .slice(start > 0 ? start : 0, (start > 0 ? start : 0) + 50)
        .map((id) => ({ [idKey]: idKey === 'ID' ? String(id) : id, NAME: `row ${id}` }));
      state.result[name] = opts.resultKey ? { [opts.resultKey]: page } : page;
      if (start !== -1) state.total[name] = (recountTotal ?? matching.length) + (opts.totalBias ?? 0);
    }
    return state as unknown as BatchAnswer;
  };
  return {
    calls,
    sent,
    send,
    setRecount: (n: number) => {
      recountTotal = n;
    },
  };
}

function deps(send: ListDeps['send']): ListDeps {
  return {
    send,
    sleep: async () => {},
    random: () => 0.5,
    redact: makeRedactor(() => []),
    auth: 'webhook',
    retry: { maxAttempts: 3 },
  };
}

async function collect(
  method: string,
  params: Record<string, unknown>,
  d: ListDeps,
  options: ListOptions = {},
) {
  const stream = streamList<Record<string, unknown>>(method, params, d, options);
  const rows: Record<string, unknown>[] = [];
  for await (const row of stream) rows.push(row);
  return { rows, summary: stream.summary };
}

const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('the list table', () => {
  it('knows where rows, ids and filters are per method', () => {
    expect(listSpec('crm.deal.list')).toMatchObject({ idField: 'ID', filterParam: 'filter', chain: true });
    expect(listSpec('CRM.ITEM.LIST')).toMatchObject({
      resultKey: 'items',
      idField: 'id',
      idFilter: 'id',
      required: ['entityTypeId'],
    });
    expect(listSpec('tasks.task.list')).toMatchObject({ resultKey: 'tasks', idField: 'id', idFilter: 'ID' });
    expect(listSpec('user.get')).toMatchObject({ filterParam: 'FILTER', order: { kind: 'sort-order' } });
    expect(listSpec('department.get')).toMatchObject({ chain: false });
    expect(listSpec('crm.nothing.list')).toBeUndefined();
    expect(rowsOf(listSpec('crm.item.list')!, { items: [{ id: 1 }] })).toEqual([{ id: 1 }]);
    expect(rowsOf(listSpec('crm.deal.list')!, [])).toEqual([]);
    expect(rowsOf(listSpec('crm.deal.list')!, { oops: 1 })).toBeUndefined();
    expect(lastIdReference(listSpec('crm.item.list')!, 'c3', 50)).toBe('$result[c3][items][49][id]');
    expect(lastIdReference(listSpec('crm.deal.list')!, 'c0', 50)).toBe('$result[c0][49][ID]');
  });

  it('builds page parameters: id bound, ascending order, id kept in select', () => {
    const deal = listSpec('crm.deal.list')!;
    expect(
      pageParams(
        deal,
        { filter: { STAGE_ID: 'NEW', '>=ID': 3 }, select: ['TITLE'], start: 100 },
        { after: 2650, start: -1 },
      ),
    ).toEqual({
      filter: { STAGE_ID: 'NEW', '>ID': 2650 },
      select: ['TITLE', 'ID'],
      order: { ID: 'ASC' },
      start: -1,
    });
    expect(pageParams(deal, { select: ['*'] }, { start: 0 })).toEqual({
      select: ['*'],
      order: { ID: 'ASC' },
      start: 0,
    });
    expect(
      pageParams(
        listSpec('crm.item.list')!,
        { entityTypeId: 2, select: ['title'] },
        { after: '$result[c0][items][49][id]', start: -1 },
      ),
    ).toEqual({
      entityTypeId: 2,
      select: ['title', 'id'],
      filter: { '>id': '$result[c0][items][49][id]' },
      order: { id: 'ASC' },
      start: -1,
    });
    expect(pageParams(listSpec('user.get')!, { FILTER: { ACTIVE: true } }, { after: 7, start: -1 })).toEqual({
      FILTER: { ACTIVE: true, '>ID': 7 },
      sort: 'ID',
      order: 'ASC',
      start: -1,
    });
    expect(initialCursor(deal, { filter: { '>=ID': 100 } })).toBe(99);
    expect(initialCursor(deal, { filter: { '>ID': '40', STAGE_ID: 'X' } })).toBe(40);
  });

  it('refuses what a stream cannot honour', () => {
    expect(checkListParams(listSpec('crm.item.list')!, {})).toMatch(/entityTypeId/);
    expect(checkListParams(listSpec('crm.deal.list')!, { order: { TITLE: 'ASC' } })).toMatch(
      /ascending id order/,
    );
    expect(checkListParams(listSpec('crm.deal.list')!, { order: { ID: 'asc' } })).toBeUndefined();
    expect(() =>
      streamList(
        'crm.mystery.list',
        {},
        deps(async () => ({}) as BatchAnswer),
      ),
    ).toThrow(B24Error);
  });
});

describe('chained list streaming', () => {
  it.each([0, 1, 49, 50, 51, 2500, 2501, 5000, 7777])(
    'streams %i rows in ceil(n/2500) requests',
    async (n) => {
      const portal = fakePortal(range(n));
      const { rows, summary } = await collect('crm.deal.list', {}, deps(portal.send));
      expect(rows.map((r) => Number(r.ID))).toEqual(range(n));
      expect(summary).toMatchObject({ rows: n, total: n, requests: Math.max(1, Math.ceil(n / 2500)) });
      // The first command carries the count probe (start=0); every other page skips COUNT (start=-1).
      expect(portal.calls[0]!.cmd.c0).toContain('start=0');
      if (n > 50) expect(portal.calls[0]!.cmd.c1).toContain('start=-1');
    },
  );

  it("walks sparse ids and starts from the caller's own lower bound", async () => {
    const ids = range(3000).map((i) => i * 3);
    const portal = fakePortal(ids);
    const { rows } = await collect('crm.deal.list', { filter: { '>ID': 3000 } }, deps(portal.send));
    expect(rows.map((r) => Number(r.ID))).toEqual(ids.filter((id) => id > 3000));
  });

  it('uses the item wrapper and camelCase ids of crm.item.list', async () => {
    const portal = fakePortal(range(2600), { idKey: 'id', resultKey: 'items' });
    const { rows, summary } = await collect('crm.item.list', { entityTypeId: 1036 }, deps(portal.send));
    expect(rows).toHaveLength(2600);
    expect(summary.requests).toBe(2);
    expect(portal.calls[0]!.cmd.c1).toContain(encodeURIComponent('$result[c0][items][49][id]'));
  });

  it('resumes from the last good id when a command in the middle fails', async () => {
    const portal = fakePortal(range(6000), { failAt: { request: 1, cmd: 'c7' } });
    const { rows, summary } = await collect('crm.deal.list', {}, deps(portal.send));
    expect(rows.map((r) => Number(r.ID))).toEqual(range(6000));
    expect(summary.requests).toBe(4);
    expect(portal.calls[1]!.cmd.c0).toContain(`${encodeURIComponent('>ID')}%5D=350`);
  });

  it('retries the request when its first command fails, then gives up with the error', async () => {
    const portal = fakePortal(range(10), { failAt: { request: 1, cmd: 'c0' } });
    const { rows, summary } = await collect('crm.deal.list', {}, deps(portal.send));
    expect(rows).toHaveLength(10);
    expect(summary.requests).toBe(2);
    const always = async (): Promise<BatchAnswer> => ({
      result: {},
      error: { c0: { error: 'ACCESS_DENIED', error_description: 'Access denied!' } },
      total: {},
      next: {},
      time: {},
    });
    await expect(collect('crm.deal.list', {}, deps(always))).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      method: 'crm.deal.list',
    });
  });

  it('never truncates silently: fewer rows than the portal counts is an error', async () => {
    const portal = fakePortal(range(120), { totalBias: 5 });
    await expect(collect('crm.deal.list', {}, deps(portal.send))).rejects.toMatchObject({
      code: 'B24LAB_LIST_TRUNCATED',
      description: 'streamed 120 rows, but the portal counts 125',
    });
    // Rows deleted during the run: the recount agrees with what was streamed, so no error.
    const shrinking = fakePortal(range(120), { totalBias: 5 });
    const stream = streamList(
      'crm.deal.list',
      {},
      deps(async (cmd) => {
        const a = await shrinking.send(cmd);
        shrinking.setRecount(115);
        return a;
      }),
    );
    let n = 0;
    for await (const _ of stream) n++;
    expect(n).toBe(120);
  });

  it('reports progress, honours a limit and stops on abort', async () => {
    const portal = fakePortal(range(6000));
    const seen: number[] = [];
    const { rows, summary } = await collect('crm.deal.list', {}, deps(portal.send), {
      limit: 2600,
      onProgress: (p) => seen.push(p.rows),
    });
    expect(rows).toHaveLength(2600);
    expect(seen).toEqual([2500, 2600]);
    expect(summary.requests).toBe(2);

    const controller = new AbortController();
    const abortable = fakePortal(range(9000));
    const stream = streamList('crm.deal.list', {}, deps(abortable.send), {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('stop')),
    });
    await expect(async () => {
      for await (const _ of stream) {
        /* consume */
      }
    }).rejects.toMatchObject({ code: 'B24LAB_ABORTED' });
    expect(abortable.calls.length).toBeLessThanOrEqual(2);
  });
});

describe('offset paging (department.get and small directories)', () => {
  it('reads the first page for the total, then the rest 50 pages per request', async () => {
    const portal = fakePortal(range(2620));
    const { rows, summary } = await collect('department.get', { NAME: 'x' }, deps(portal.send));
    expect(rows.map((r) => Number(r.ID))).toEqual(range(2620));
    expect(summary).toMatchObject({ rows: 2620, total: 2620, requests: 3 });
    expect(portal.sent[1]).toMatchObject({ NAME: 'x', sort: 'ID', order: 'ASC', start: '50' });
  });
});
