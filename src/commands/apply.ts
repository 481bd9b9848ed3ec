import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { ApplyStoppedError, applyPortal } from '../provision/apply-portal.js';
import { createClient } from '../rest/client.js';
import { applyConfirmation } from '../ui/confirm-apply.js';
import { applyProgress, renderApplyOutcome } from '../ui/render-apply.js';
import { renderPlan } from '../ui/render-plan.js';
import type { ProvisionFlags } from './provision-options.js';
import { envOption, provisionClient, provisionOptions } from './provision-options.js';

type ApplyFlags = ProvisionFlags & {
  config: string;
  yes?: boolean;
  allowDeletes?: boolean;
  dryRun?: boolean;
};

/** `b24lab apply`: plan, show, confirm, change the portal; deletes only with --allow-deletes. */
export function applyCommand(deps: CliDeps): Command {
  const command = new Command('apply').description(
    'Change the portal to match the configuration (creates and updates; deletes with --allow-deletes)',
  );
  for (const option of provisionOptions(deps)) command.addOption(option);
  command
    .addOption(envOption(deps, '--yes', 'apply without asking (needed without a terminal)', 'B24LAB_YES'))
    .addOption(envOption(deps, '--allow-deletes', 'also apply destructive changes', 'B24LAB_ALLOW_DELETES'))
    .addOption(
      envOption(deps, '--dry-run', 'show the calls that would be sent, change nothing', 'B24LAB_DRY_RUN'),
    )
    .action(async (raw: ApplyFlags) => {
      const { options, stateDir } = provisionClient(raw, deps);
      const client = createClient(options);
      const progress = applyProgress(deps.output);
      const confirm = applyConfirmation(deps.output, raw.yes ?? false, client.portal);
      try {
        const outcome = await applyPortal({
          client,
          configDir: raw.config,
          stateDir,
          allowDeletes: raw.allowDeletes ?? false,
          dryRun: raw.dryRun ?? false,
          now: () => deps.clock.now(),
          show: (plan) => deps.output.err(renderPlan(plan, { color: deps.output.interactive })),
          confirm: (_plan, selection) => confirm(selection.run.length),
          onProgress: (p) => progress.update(p),
        });
        progress.stop();
        renderApplyOutcome(deps.output, outcome);
        if (outcome.kind === 'applied' && outcome.result.failed.length > 0)
          throw new ApplyStoppedError(outcome.result);
      } finally {
        progress.stop();
        client.close();
      }
    });
  return command;
}
