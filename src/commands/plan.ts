import { Command, CommanderError } from 'commander';
import type { CliDeps } from '../cli.js';
import { hasChanges } from '../provision/plan.js';
import { planPortal } from '../provision/plan-portal.js';
import { createClient } from '../rest/client.js';
import { renderPlan } from '../ui/render-plan.js';
import type { ProvisionFlags } from './provision-options.js';
import { envOption, provisionClient, provisionOptions } from './provision-options.js';

/** `plan --exit-code` with changes: exit 2 without an error message (src/main.ts returns CommanderError codes). */
export const PLAN_HAS_CHANGES = 2;

/** `b24lab plan`: what apply would change on the portal, as a diff or as JSON. */
export function planCommand(deps: CliDeps): Command {
  const command = new Command('plan').description(
    'Compare the portal with the configuration and show what apply would change',
  );
  for (const option of provisionOptions(deps)) command.addOption(option);
  command
    .addOption(
      envOption(deps, '--json', 'print the plan as JSON (the same object the diff shows)', 'B24LAB_JSON'),
    )
    .addOption(envOption(deps, '--verbose', 'also list unchanged entities', 'B24LAB_VERBOSE'))
    .addOption(
      envOption(
        deps,
        '--exit-code',
        'exit 0 when there is nothing to do, 2 when there are changes',
        'B24LAB_EXIT_CODE',
      ),
    )
    .action(
      async (
        raw: ProvisionFlags & { config: string; json?: boolean; verbose?: boolean; exitCode?: boolean },
      ) => {
        const { options, stateDir } = provisionClient(raw, deps);
        const client = createClient(options);
        try {
          const { plan } = await planPortal({ client, configDir: raw.config, stateDir });
          if (raw.json) deps.output.out(JSON.stringify(plan, null, 2));
          else
            deps.output.out(
              renderPlan(plan, { color: deps.output.interactive, verbose: raw.verbose ?? false }),
            );
          if (raw.exitCode && hasChanges(plan))
            throw new CommanderError(PLAN_HAS_CHANGES, 'b24lab.plan.changes', '');
        } finally {
          client.close();
        }
      },
    );
  return command;
}
