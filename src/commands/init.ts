import { Command } from 'commander';
import type { CliDeps } from '../cli.js';
import { UserError } from '../errors.js';
import { askInit } from '../init/ask-init.js';
import { connectionFrom, initProject, pickConnection } from '../init/init-portal.js';
import { canPrompt, createInitPrompts } from '../ui/init-prompts.js';
import { NOTHING_WRITTEN, renderInitResult } from '../ui/init-render.js';
import type { InitFlags } from './init-options.js';
import { initOptions, initRequest } from './init-options.js';

/** `b24lab init`: connect a real portal — questions on a terminal, flags otherwise; check; write. */
export function initCommand(deps: CliDeps): Command {
  const command = new Command('init').description(
    'Connect a portal: asks on a terminal (or takes flags), checks it live, writes .env and config/',
  );
  for (const option of initOptions(deps)) command.addOption(option);
  return command.action(async (flags: InitFlags, self: Command) => {
    const req = initRequest(flags, self, deps);
    const picked = pickConnection(req.given);
    const { rateLimit, configFrom, dir, stateDir } = req;
    // On a terminal, questions; a connection typed on the command line (or no terminal) means flags.
    if (deps.output.interactive && canPrompt() && !req.given.portalFromCli && !req.given.oauthFromCli) {
      const defaults = { kind: picked?.kind ?? 'webhook', webhook: req.given.portal, oauth: req.given.oauth };
      const asked = await askInit({
        prompts: createInitPrompts(deps.output),
        connect: req.connect,
        dir,
        defaults: { ...defaults, rateLimit, configFrom },
        stateDir,
      });
      deps.output.out(asked.written ? renderInitResult(asked.result) : NOTHING_WRITTEN);
      return;
    }
    if (!picked)
      throw new UserError(
        'No portal given.',
        'Pass --portal <inbound webhook URL>, or --oauth-endpoint with --client-id, --client-secret and --refresh-token.',
      );
    const connection = connectionFrom(picked);
    const client = req.connect(connection);
    try {
      const settings = { connection, rateLimit, configFrom, dir, overwrite: req.yes, stateDir };
      const result = await initProject(client, settings);
      // The result names the portal by its host: no token, no secret (init-cli.test.ts checks).
      deps.output.out(flags.json === true ? JSON.stringify(result, null, 2) : renderInitResult(result));
    } finally {
      client.close();
    }
  });
}
