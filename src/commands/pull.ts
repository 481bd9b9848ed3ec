import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { pullPortal } from '../provision/pull-portal.js';
import { createClient } from '../rest/client.js';
import { renderPullResult } from '../ui/render-plan.js';
import type { ProvisionFlags } from './provision-options.js';
import { envOption, provisionClient, provisionOptions } from './provision-options.js';

/** `b24lab pull`: write the portal's structure as config files, to bring an existing portal under code. */
export function pullCommand(deps: CliDeps): Command {
  const command = new Command('pull').description(
    "Write the portal's structure, pipelines, fields and smart processes as config files",
  );
  for (const option of provisionOptions(deps, false)) command.addOption(option);
  command
    .addOption(envOption(deps, '--out <dir>', 'where to write the files', 'B24LAB_CONFIG', 'config'))
    .addOption(
      envOption(
        deps,
        '--overwrite',
        'replace config files that already exist there',
        'B24LAB_PULL_OVERWRITE',
      ),
    )
    .action(async (raw: ProvisionFlags & { out: string; overwrite?: boolean }) => {
      const client = createClient(provisionClient(raw, deps).options);
      try {
        const result = await pullPortal({ client, out: raw.out, overwrite: raw.overwrite ?? false });
        deps.output.out(renderPullResult(result, { color: deps.output.interactive }));
      } finally {
        client.close();
      }
    });
  return command;
}
