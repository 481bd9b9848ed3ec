import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { runDemoCommand } from '../demo/demo-command.js';
import { demoProgress, renderDemoSummary } from '../ui/render-demo.js';
import { renderReport } from '../ui/report-render.js';
import { envOption } from './shared-options.js';

/** `b24lab demo`: the whole product on a local portal in one command. */
export function demoCommand(deps: CliDeps): Command {
  return new Command('demo')
    .description(
      'Run the whole product on a local portal: provision, seed a laboratory, run the jobs, back up, report',
    )
    .addOption(
      envOption(
        deps,
        '--dir <dir>',
        'where reports, the backup and the state go',
        'B24LAB_DEMO_DIR',
        'b24lab-demo',
      ),
    )
    .addOption(
      envOption(
        deps,
        '--seed <n>',
        'the company generator seed: the same seed gives the same numbers',
        'B24LAB_DEMO_SEED',
        '24',
      ),
    )
    .addOption(
      envOption(
        deps,
        '--config <dir>',
        'configuration directory (default: the shipped laboratory config)',
        'B24LAB_CONFIG',
      ),
    )
    .addOption(
      envOption(
        deps,
        '--keep-running',
        'keep the local portal running afterwards, to explore it',
        'B24LAB_DEMO_KEEP_RUNNING',
      ),
    )
    .addOption(envOption(deps, '--json', 'print the summary as JSON', 'B24LAB_DEMO_JSON'))
    .action(async (raw: Record<string, unknown>) => {
      const progress = demoProgress(deps.output);
      const run = await runDemoCommand(raw, {
        clock: deps.clock,
        logger: deps.output.logger,
        version: deps.version,
        onStep: progress.step,
        renderReport: (made, format) =>
          renderReport(made.report, {
            format,
            offsetMinutes: made.offsetMinutes,
            generatedAt: made.generatedAt,
          }),
      }).finally(() => progress.stop());
      deps.output.out(
        raw.json
          ? JSON.stringify(run.summary, null, 2)
          : renderDemoSummary(run.summary, deps.output.interactive),
      );
      if (run.portal) {
        await deps.untilStopped();
        await run.portal.close();
      }
    });
}
