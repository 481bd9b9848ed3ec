/**
 * What `apply` prints besides the plan: the calls a dry run would send, progress while it runs (a
 * spinner on a terminal, log lines otherwise), and the outcome: what was done, what failed and why,
 * what was not attempted, what was held back for want of --allow-deletes.
 */
import { Chalk } from 'chalk';
import ora from 'ora';
import type { ApplyProgress, ApplyResult } from '../provision/apply-plan.js';
import type { ApplyOutcome } from '../provision/apply-portal.js';
import { callFor, callIds } from '../provision/operation-calls.js';
import type { Operation, Plan } from '../provision/plan.js';
import type { Selection } from '../provision/select-operations.js';
import type { Output } from './output.js';

/** One line per call: `crm.status.add {"fields":{...}}`; ids not known yet show as `<id of ...>`. */
export function renderDryRun(plan: Plan, selection: Selection, options: { color: boolean }): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const ids = callIds((address) => plan.known[address], false);
  const lines = [c.bold(`Dry run: ${selection.run.length} calls would be sent (nothing is changed).`)];
  for (const op of selection.run) {
    const call = callFor(op, ids);
    lines.push(`${c.cyan(call.method)} ${JSON.stringify(call.params ?? {})}`);
  }
  if (selection.skipped.length > 0)
    lines.push(
      c.red(
        `${selection.skipped.length} destructive changes held back: pass --allow-deletes to include them.`,
      ),
    );
  return lines.join('\n');
}

export interface ApplyProgressView {
  update(progress: ApplyProgress): void;
  stop(): void;
}

export function applyProgress(output: Output): ApplyProgressView {
  if (!output.interactive) {
    return {
      update: (p) => output.logger.info('apply progress', { done: p.done, total: p.total }),
      stop: () => {},
    };
  }
  const spinner = ora({ text: 'Applying', stream: process.stderr }).start();
  return {
    update: (p) => {
      spinner.text = `Applying: ${p.done} of ${p.total} changes done`;
    },
    stop: () => spinner.stop(),
  };
}

const describe = (op: Operation): string => `${op.action} ${op.name} (${op.address})`;

export function renderApplyResult(result: ApplyResult, options: { color: boolean }): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const total = result.done.length + result.failed.length + result.notDone.length;
  const lines: string[] = [];
  if (result.failed.length === 0) {
    lines.push(
      c.green(`Applied ${result.done.length} of ${total} changes in ${result.batches} batch requests.`),
    );
  } else {
    lines.push(
      c.red.bold(
        `Stopped: ${result.done.length} of ${total} changes done, ${result.failed.length} failed, ${result.notDone.length} not attempted.`,
      ),
    );
    for (const f of result.failed) lines.push(c.red(`  failed: ${f.message}`));
    if (result.done.length > 0) {
      lines.push('Done:');
      for (const op of result.done) lines.push(c.green(`  ${describe(op)}`));
    }
    if (result.notDone.length > 0) {
      lines.push('Not done:');
      for (const op of result.notDone) lines.push(c.gray(`  ${describe(op)}`));
    }
  }
  if (result.skipped.length > 0) {
    lines.push(c.yellow(`Held back (destructive; pass --allow-deletes to apply them):`));
    for (const op of result.skipped) lines.push(c.yellow(`  ${describe(op)}`));
  }
  return lines.join('\n');
}

/** What apply prints after the plan: the dry-run calls, the result, or what was held back. */
export function renderApplyOutcome(output: Output, outcome: ApplyOutcome): void {
  const color = output.interactive;
  if (outcome.kind === 'dry-run') output.out(renderDryRun(outcome.plan, outcome.selection, { color }));
  else if (outcome.kind === 'declined') output.err('Nothing was changed.');
  else if (outcome.kind === 'applied') output.out(renderApplyResult(outcome.result, { color }));
  else if (outcome.selection.skipped.length > 0) {
    const held = { done: [], failed: [], notDone: [], skipped: outcome.selection.skipped, batches: 0 };
    output.out(renderApplyResult(held, { color }));
  }
}
