/**
 * How `b24lab jobs ...` shows its results. With --json: the typed result on stdout, nothing else.
 * On a terminal: a readable summary. Under cron (no terminal): one JSON log line per action (written by
 * the executor through the logger) and one for the run, so a log collector gets structured lines.
 */
import chalk, { Chalk } from 'chalk';
import type { ActionReport } from '../automation/execute-actions.js';
import type { JobInfo } from '../jobs/list-jobs.js';
import type { JobResult } from '../jobs/run-job.js';
import type { Output } from './output.js';

const OUTCOME_WORDS: Record<ActionReport['outcome'], string> = {
  done: 'done',
  found: 'found done by an earlier run',
  already: 'already done',
  skipped: 'skipped',
  failed: 'failed (will retry)',
  unknown: 'outcome unknown (will check)',
  'gave-up': 'gave up',
  'would-do': 'would do',
};

function paintFor(output: Output): typeof chalk {
  return output.interactive ? chalk : new Chalk({ level: 0 });
}

function countsLine(result: JobResult): string {
  return (Object.entries(result.counts) as [ActionReport['outcome'], number][])
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${OUTCOME_WORDS[outcome]}`)
    .join(', ');
}

export function renderJobResult(output: Output, result: JobResult, json: boolean): void {
  if (json) {
    output.out(JSON.stringify(result, null, 2));
    return;
  }
  if (result.status === 'locked') {
    const h = result.lockedBy;
    const who = h
      ? `pid ${h.pid} on ${h.host}, since ${new Date(h.acquiredAt).toISOString()}`
      : 'another run';
    if (output.interactive)
      output.err(`Job ${result.job} is already running (${who}); this run did nothing.`);
    else output.logger.warn('job is already running; this run did nothing', { job: result.job, holder: h });
    return;
  }
  const fields = {
    job: result.job,
    runId: result.runId,
    dryRun: result.dryRun,
    evaluatedAt: result.evaluatedAt,
    durationMs: result.durationMs,
    requests: result.requests,
    scanned: result.scanned,
    events: result.events,
    pendingEvents: result.pendingEvents,
    firings: result.firings,
    counts: result.counts,
    ...(result.detail ? { detail: result.detail } : {}),
  };
  if (!output.interactive) {
    output.logger.info('job finished', fields);
    return;
  }
  const paint = paintFor(output);
  if (result.detail) {
    output.out(
      `${result.dryRun ? 'Dry run of' : 'Ran'} ${paint.bold(result.job)} in ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    for (const [key, value] of Object.entries(result.detail)) {
      output.out(`  ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
    return;
  }
  const title = `${result.dryRun ? 'Dry run of' : 'Ran'} ${paint.bold(result.job)} as of ${result.evaluatedAt ?? '?'}`;
  output.out(title);
  output.out(
    paint.gray(
      `  ${result.scanned} records read, ${result.events} changes, ${result.firings} firings, ` +
        `${result.requests} requests, ${(result.durationMs / 1000).toFixed(1)} s`,
    ),
  );
  for (const a of result.actions) {
    const mark =
      a.outcome === 'done' || a.outcome === 'found'
        ? paint.green('✓')
        : a.outcome === 'would-do'
          ? paint.cyan('•')
          : a.outcome === 'skipped'
            ? paint.gray('-')
            : paint.yellow('!');
    const why = a.error ? paint.gray(` (${a.error})`) : '';
    output.out(
      `  ${mark} ${a.ruleId} ${paint.gray(a.entity)}: ${a.summary} — ${OUTCOME_WORDS[a.outcome]}${why}`,
    );
  }
  const counts = countsLine(result);
  output.out(counts ? `  ${counts}` : '  nothing to do');
  if (result.pendingEvents > 0)
    output.out(paint.yellow(`  ${result.pendingEvents} events wait for the next run`));
}

export function renderJobList(output: Output, jobs: JobInfo[], json: boolean): void {
  if (json) {
    output.out(JSON.stringify(jobs, null, 2));
    return;
  }
  const paint = paintFor(output);
  for (const job of jobs) {
    const state = job.enabled ? '' : paint.yellow(' (disabled)');
    output.out(
      `${paint.bold(job.name)}${state}  ${job.schedule}${job.scheduleFrom === 'default' ? paint.gray(' (default)') : ''}`,
    );
    output.out(paint.gray(`  ${job.description}`));
    output.out(`  rules: ${job.rules.length > 0 ? job.rules.join(', ') : paint.gray('none')}`);
    if (job.lastRun) {
      const c = Object.entries(job.lastRun.counts)
        .filter(([k, n]) => n > 0 && k !== 'already')
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      output.out(
        `  last run: ${job.lastRun.at} (${(job.lastRun.durationMs / 1000).toFixed(1)} s${c ? `; ${c}` : ''})`,
      );
    } else output.out(paint.gray('  never run here'));
    if (job.running) output.out(paint.cyan(`  running now: pid ${job.running.pid} on ${job.running.host}`));
  }
}

export function renderSchedulerStarted(
  output: Output,
  jobs: { name: string; schedule: string; next: string }[],
): void {
  for (const job of jobs) {
    output.logger.info('scheduled', { job: job.name, schedule: job.schedule, next: job.next });
  }
  if (output.interactive)
    output.err(paintFor(output).gray('Press Ctrl+C to stop; runs in progress finish first.'));
}
