import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { runRestore } from '../backup/run-backup.js';
import { backupProgress, renderRestore } from '../ui/backup-render.js';
import { clientOptionsFrom } from '../rest/settings.js';
import type { RestSettings } from '../rest/settings.js';
import { dirOption } from './backup-options.js';
import { envOption, restOptions } from './shared-options.js';

/** `b24lab restore <snapshot>`: replays a snapshot into a portal with new IDs and a mapping file. */
export function restoreCommand(deps: CliDeps): Command {
  const command = new Command('restore');
  // --portal is the fallback target when neither --to nor B24LAB_RESTORE_TO is given.
  for (const option of restOptions(deps)) command.addOption(option);
  return command
    .description(
      'Restore a snapshot into a portal (an empty one unless --merge); resumable with its mapping file',
    )
    .argument('<snapshot>', 'a snapshot directory, or its name under --dir')
    .addOption(dirOption(deps))
    .addOption(
      new Option(
        '--to <webhook>',
        'the portal to restore into [env: B24LAB_RESTORE_TO, default: B24LAB_PORTAL]',
      ),
    )
    .addOption(
      envOption(
        deps,
        '--mapping <file>',
        'the mapping file (source ID -> new ID); reused to resume',
        'B24LAB_RESTORE_MAPPING',
      ),
    )
    .addOption(
      new Option(
        '--dry-run',
        'check the snapshot and the target, count what would be created, write nothing',
      ),
    )
    .addOption(new Option('--merge', 'restore into a portal that already holds CRM data'))
    .addOption(new Option('--json', 'print the result as JSON'))
    .action(
      async (
        snapshot: string,
        raw: RestSettings & {
          dir: string;
          to?: string;
          mapping?: string;
          dryRun?: boolean;
          merge?: boolean;
          json?: boolean;
        },
      ) => {
        const json = raw.json === true;
        const progress = backupProgress(deps.output, json);
        try {
          const result = await runRestore({
            client: clientOptionsFrom(
              restoreTarget(raw, deps.env.B24LAB_RESTORE_TO),
              deps.env,
              deps.clock,
              deps.output.logger,
            ),
            snapshot,
            root: raw.dir,
            ...(raw.mapping !== undefined ? { mappingFile: raw.mapping } : {}),
            dryRun: raw.dryRun === true,
            merge: raw.merge === true,
            clock: deps.clock,
            onProgress: (p) => progress.update(p),
          });
          progress.stop();
          renderRestore(deps.output, result, json);
        } finally {
          progress.stop();
        }
      },
    );
}

/** The target portal: --to, B24LAB_RESTORE_TO, else the usual --portal/B24LAB_PORTAL resolution. */
function restoreTarget(raw: RestSettings & { to?: string }, fromEnv: string | undefined): RestSettings {
  const portal = raw.to ?? fromEnv ?? raw.portal;
  return {
    ...(portal !== undefined ? { portal } : {}),
    ...(raw.rateLimit !== undefined ? { rateLimit: raw.rateLimit } : {}),
    ...(raw.state !== undefined ? { state: raw.state } : {}),
  };
}
