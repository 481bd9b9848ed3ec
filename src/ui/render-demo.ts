import ora from 'ora';
import chalk, { Chalk } from 'chalk';
import type { DemoStep, DemoSummary } from '../demo/run-demo.js';
import type { Output } from './output.js';

/** One spinner line per step on a terminal; JSON log lines otherwise. */
export function demoProgress(output: Output): {
  step: (step: DemoStep, detail: string) => void;
  stop: () => void;
} {
  if (!output.interactive) {
    return { step: (step, detail) => output.logger.info('demo', { step, detail }), stop: () => {} };
  }
  const spinner = ora({ text: 'demo', stream: process.stderr }).start();
  let last: string | undefined;
  return {
    step: (step, detail) => {
      if (last) spinner.succeed(last);
      last = `${step}: ${detail}`;
      spinner.start(last);
    },
    stop: () => {
      if (last) spinner.succeed(last);
      else spinner.stop();
    },
  };
}

/** The short summary of a demo run: what was provisioned, what each job did, where the files are. */
export function renderDemoSummary(summary: DemoSummary, color: boolean): string {
  const c = color ? chalk : new Chalk({ level: 0 });
  const lines: string[] = [];
  const s = summary.seeded;
  lines.push(c.bold(`b24lab demo (seed ${summary.seed}) finished in ${summary.seconds} s`));
  lines.push('');
  lines.push(
    `${c.cyan('provisioned')}  ${summary.provisioned.created} created, ${summary.provisioned.updated} updated (structure, 3 pipelines, deal fields, «Лаборатория», contract registry)`,
  );
  lines.push(
    `${c.cyan('seeded')}       ${s.users} employees, ${s.companies} companies, ${s.contacts} contacts, ${s.deals} deals with ${s.stageMoves} stage moves, ${s.labItems} lab items (${s.requests} batch requests)`,
  );
  const w = summary.workingDay;
  lines.push(
    `${c.cyan('working day')}  ${w.newRequests} new requests, ${w.paidInvoices} invoices paid, ${w.concludedContracts} public contracts concluded, ${w.submittedContracts} contracts submitted; afternoon: ${w.distributedLabItems} lab items distributed, ${w.approvedContracts} contract approved, ${w.appointedResponsibles} responsibles appointed`,
  );
  for (const job of summary.jobs) {
    const actions = Object.entries(job.actions)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const runs = job.runs > 1 ? ` x${job.runs}` : '';
    lines.push(
      `${c.cyan('job')}          ${`${job.job}${runs}`.padEnd(8)} at ${job.at.slice(0, 16).replace('T', ' ')} UTC: ${job.firings} firings${actions ? ` (${actions})` : ''}`,
    );
  }
  const rules = Object.entries(summary.rules);
  if (rules.length > 0) {
    lines.push(`${c.cyan('rules')}        actions carried out, by rule:`);
    const width = Math.max(...rules.map(([id]) => id.length));
    for (const [id, n] of rules) lines.push(`               ${id.padEnd(width)}  ${n}`);
  }
  lines.push(`${c.cyan('portal')}       ${summary.notifications} notifications sent, ${summary.tasks} tasks`);
  lines.push(
    `${c.cyan('backup')}       ${summary.backup.rows} rows, ${Math.round(summary.backup.bytes / 1024)} KiB, ${summary.backup.verified ? 'verified' : c.red('NOT verified')}: ${summary.backup.path}`,
  );
  for (const report of summary.reports)
    lines.push(`${c.cyan('report')}       ${report.name.padEnd(12)} ${report.files.join('  ')}`);
  const checks = Object.entries(summary.doctor.byCheck)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(
    `${c.cyan('doctor')}       ${summary.doctor.findings} findings${checks ? ` (${checks})` : ''}; run \`b24lab repair\` to fix`,
  );
  if (summary.webhookUrl) {
    lines.push('');
    lines.push(`The portal keeps running: ${summary.webhookUrl}`);
    lines.push(
      `Explore it: npx b24lab call crm.deal.list --portal ${summary.webhookUrl}   (Ctrl+C stops it)`,
    );
  }
  return lines.join('\n');
}
