import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/jobs/run-job.js';
import { renderJobList, renderJobResult } from '../../src/ui/render-jobs.js';
import { createMemoryLogger } from '../../src/ui/logger.js';
import type { Output } from '../../src/ui/output.js';

function output(interactive: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createMemoryLogger();
  const o: Output = { out: (t) => out.push(t), err: (t) => err.push(t), interactive, logger };
  return { o, out, err, logger };
}

const result: JobResult = {
  job: 'control',
  runId: 'r1',
  dryRun: false,
  status: 'completed',
  evaluatedAt: '2026-03-19T09:00:00+03:00',
  startedAt: '2026-03-19T06:00:00.000Z',
  durationMs: 1234,
  requests: 7,
  scanned: 12,
  events: 0,
  pendingEvents: 0,
  firings: 2,
  actions: [
    {
      key: 'k1',
      ruleId: 'sales-qualified-control',
      entity: '2:15',
      occurrence: 'stayed:C3:QUALIFIED@1#15d',
      kind: 'notify',
      summary: 'notify Руководитель (user 7)',
      outcome: 'done',
      result: { notificationId: 5 },
    },
    {
      key: 'k2',
      ruleId: 'sales-qualified-control',
      entity: '2:16',
      occurrence: 'stayed:C3:QUALIFIED@1#15d',
      kind: 'skip',
      summary: 'skipped: no one to notify',
      outcome: 'skipped',
      error: 'no one to notify (no head above user 1)',
    },
  ],
  counts: { done: 1, found: 0, already: 3, skipped: 1, failed: 0, unknown: 0, 'gave-up': 0, 'would-do': 0 },
};

describe('jobs renderers', () => {
  it('prints a readable summary on a terminal', () => {
    const { o, out } = output(true);
    renderJobResult(o, result, false);
    const text = stripVTControlCharacters(out.join('\n'));
    expect(text).toContain('Ran control as of 2026-03-19T09:00:00+03:00');
    expect(text).toContain('12 records read, 0 changes, 2 firings, 7 requests, 1.2 s');
    expect(text).toContain('✓ sales-qualified-control 2:15: notify Руководитель (user 7) — done');
    expect(text).toContain(
      '- sales-qualified-control 2:16: skipped: no one to notify — skipped (no one to notify (no head above user 1))',
    );
    expect(text).toContain('1 done, 3 already done, 1 skipped');
  });

  it('logs one structured line for the run without a terminal, and prints JSON with --json', () => {
    const plain = output(false);
    renderJobResult(plain.o, result, false);
    expect(plain.out).toEqual([]);
    expect(plain.logger.lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'job finished',
        fields: expect.objectContaining({ job: 'control', counts: result.counts }),
      }),
    ]);
    const json = output(false);
    renderJobResult(json.o, result, true);
    expect(JSON.parse(json.out.join('\n'))).toEqual(result);
  });

  it('says who holds a locked job', () => {
    const { o, err } = output(true);
    renderJobResult(
      o,
      {
        ...result,
        status: 'locked',
        actions: [],
        lockedBy: {
          job: 'control',
          runId: 'r0',
          pid: 42,
          host: 'box',
          acquiredAt: Date.parse('2026-03-19T06:00:00Z'),
        },
      },
      false,
    );
    expect(err).toEqual([
      'Job control is already running (pid 42 on box, since 2026-03-19T06:00:00.000Z); this run did nothing.',
    ]);
  });

  it('lists jobs', () => {
    const { o, out } = output(false);
    renderJobList(
      o,
      [
        {
          name: 'sync',
          description: 'd',
          schedule: '*/5 * * * *',
          scheduleFrom: 'config',
          enabled: true,
          rules: ['a', 'b'],
        },
        {
          name: 'control',
          description: 'd',
          schedule: '7 * * * *',
          scheduleFrom: 'default',
          enabled: false,
          rules: [],
          lastRun: { at: '2026-03-19T06:00:00.000Z', durationMs: 1500, counts: { done: 2, already: 5 } },
        },
      ],
      false,
    );
    expect(out).toEqual([
      'sync  */5 * * * *',
      '  d',
      '  rules: a, b',
      '  never run here',
      'control (disabled)  7 * * * * (default)',
      '  d',
      '  rules: none',
      '  last run: 2026-03-19T06:00:00.000Z (1.5 s; 2 done)',
    ]);
  });
});
