import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { runCall } from '../rest/run-call.js';
import { clientOptionsFrom } from '../rest/settings.js';
import type { RestSettings } from '../rest/settings.js';
import { renderCallResult } from '../ui/render-call.js';

/** The portal, the rate limit and the state directory: shared by every command that talks REST. */
export function restOptions(): Option[] {
  return [
    new Option('--portal <url>', 'the portal: an inbound webhook URL (OAuth: B24LAB_OAUTH_* variables)').env(
      'B24LAB_PORTAL',
    ),
    new Option(
      '--rate-limit <plan>',
      'standard (50/2 per s), enterprise (250/5), off (box), or BURST/DRAIN',
    ).env('B24LAB_RATE_LIMIT'),
    new Option(
      '--state <dir>',
      'state directory: the rate-limit bucket shared by b24lab processes, OAuth tokens (default .b24lab)',
    ).env('B24LAB_STATE'),
  ];
}

/** `b24lab call <method> [params...]`: one REST method, its result as JSON (like `gh api`). */
export function callCommand(deps: CliDeps): Command {
  const command = new Command('call')
    .description('Call one REST method and print its result as JSON')
    .argument('<method>', 'the method, e.g. crm.deal.list')
    .argument(
      '[params...]',
      "JSON ('{\"id\":5}') or PHP-style pairs: 'filter[>ID]=5' 'select[]=ID' 'fields[OPPORTUNITY]:=100'",
    );
  for (const option of restOptions()) command.addOption(option);
  command
    .addOption(new Option('--full', 'print the whole envelope: result, total, next, time'))
    .action(async (method: string, params: string[], raw: RestSettings & { full?: boolean }) => {
      const options = clientOptionsFrom(raw, deps.env, deps.clock, deps.output.logger);
      const envelope = await runCall(options, method, params);
      renderCallResult(deps.output, envelope, raw.full === true);
    });
  return command;
}
