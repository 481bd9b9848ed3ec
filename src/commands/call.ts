import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { runCall } from '../rest/run-call.js';
import { clientOptionsFrom } from '../rest/settings.js';
import type { RestSettings } from '../rest/settings.js';
import { renderCallResult } from '../ui/render-call.js';
import { restOptions } from './shared-options.js';

/** `b24lab call <method> [params...]`: one REST method, its result as JSON (like `gh api`). */
export function callCommand(deps: CliDeps): Command {
  const command = new Command('call')
    .description('Call one REST method and print its result as JSON')
    .argument('<method>', 'the method, e.g. crm.deal.list')
    .argument(
      '[params...]',
      "JSON ('{\"id\":5}') or PHP-style pairs: 'filter[>ID]=5' 'select[]=ID' 'fields[OPPORTUNITY]:=100'",
    );
  for (const option of restOptions(deps)) command.addOption(option);
  command
    .addOption(new Option('--full', 'print the whole envelope: result, total, next, time'))
    .action(async (method: string, params: string[], raw: RestSettings & { full?: boolean }) => {
      const options = clientOptionsFrom(raw, deps.env, deps.clock, deps.output.logger);
      const envelope = await runCall(options, method, params);
      renderCallResult(deps.output, envelope, raw.full === true);
    });
  return command;
}
