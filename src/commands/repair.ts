import { Command, CommanderError } from 'commander';
import type { CliDeps } from '../cli.js';
import { ConfirmationRequiredError } from '../errors.js';
import { createClient } from '../rest/client.js';
import { clientOptionsFrom, DEFAULT_STATE_DIR } from '../rest/settings.js';
import { loadRepairSetup } from '../repair/repair-setup.js';
import { restoreRepair } from '../repair/restore-repair.js';
import { runRepair } from '../repair/run-repair.js';
import { renderRepairPlan, renderRepairResult, renderRepairUndo } from '../ui/repair-render.js';
import { confirmRepair } from '../ui/repair-confirm.js';
import { envOption } from './shared-options.js';
import type { DoctorFlags } from './doctor.js';
import { doctorOptions } from './doctor.js';

interface RepairFlags extends DoctorFlags {
  dryRun?: boolean;
  yes?: boolean;
  mergeDuplicates?: boolean;
  backupDir: string;
  undo?: string;
}

/** `b24lab repair`: fixes what doctor finds fixable, after saving every record it touches. */
export function repairCommand(deps: CliDeps): Command {
  const command = new Command('repair').description(
    'Fix what `doctor` finds fixable; save the touched records first',
  );
  for (const option of doctorOptions(deps, 'REPAIR')) command.addOption(option);
  command
    .addOption(envOption(deps, '--dry-run', 'show the changes without making them', 'B24LAB_REPAIR_DRY_RUN'))
    .addOption(envOption(deps, '--yes', 'do not ask (needed without a terminal)', 'B24LAB_REPAIR_YES'))
    .addOption(
      envOption(
        deps,
        '--merge-duplicates',
        'also merge duplicate contacts and companies',
        'B24LAB_REPAIR_MERGE_DUPLICATES',
      ),
    )
    .addOption(
      envOption(
        deps,
        '--backup-dir <dir>',
        'backup root; the saved records go under <dir>/repairs',
        'B24LAB_BACKUP_DIR',
        'backups',
      ),
    )
    .addOption(
      envOption(
        deps,
        '--undo <snapshot>',
        'put back the fields a repair changed, from its saved records',
        'B24LAB_REPAIR_UNDO',
      ),
    );
  return command.action(async (raw: RepairFlags) => {
    const options = clientOptionsFrom(raw, deps.env, deps.clock, deps.output.logger);
    const color = deps.output.interactive && !raw.json;
    const ask = async (what: string, question: string): Promise<boolean> => {
      if (raw.yes) return true;
      if (!deps.output.interactive) throw new ConfirmationRequiredError(what, '--yes');
      return confirmRepair(question);
    };
    const client = createClient(options);
    try {
      if (raw.undo !== undefined) {
        if (!(await ask('Undoing a repair', `Put back the fields saved in ${raw.undo}?`))) return;
        const undone = await restoreRepair(client, raw.undo);
        deps.output.out(raw.json ? JSON.stringify(undone, null, 2) : renderRepairUndo(undone, { color }));
        if (undone.outcomes.some((o) => !o.ok))
          throw new CommanderError(1, 'b24lab.repair.undo', 'not all restored');
        return;
      }
      const setup = loadRepairSetup(raw.config, options.stateDir ?? DEFAULT_STATE_DIR);
      const result = await runRepair(client, {
        ...setup,
        now: deps.clock.now(),
        ...(raw.only ? { only: raw.only } : {}),
        mergeDuplicates: raw.mergeDuplicates === true,
        dryRun: raw.dryRun === true,
        backupRoot: raw.backupDir,
        version: deps.version,
        confirm: (plan) => {
          if (!raw.json) deps.output.err(renderRepairPlan(plan, { color }));
          return ask('Repair', `Change ${plan.calls.length} records on ${client.portal}?`);
        },
      });
      deps.output.out(raw.json ? JSON.stringify(result, null, 2) : renderRepairResult(result, { color }));
      if (result.outcomes.some((o) => !o.ok))
        throw new CommanderError(1, 'b24lab.repair.failed', 'some changes failed');
    } finally {
      client.close();
    }
  });
}
