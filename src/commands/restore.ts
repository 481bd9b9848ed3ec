import { Command, Option } from 'commander';
import type { CliDeps } from '../cli.js';
import { runRestore } from '../backup/run-backup.js';
import { backupProgress, renderRestore } from '../ui/backup-render.js';
import { clientSettings, dirOption, envOption } from './backup-options.js';

/** `b24lab restore <snapshot>`: replays a snapshot into a portal with new IDs and a mapping file. */
export function restoreCommand(deps: CliDeps): Command {
  return new Command('restore')
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
        '--rate-limit <plan>',
        'standard, enterprise, off, or BURST/DRAIN',
        'B24LAB_RATE_LIMIT',
      ),
    )
    .addOption(
      envOption(deps, '--state-dir <dir>', 'where the shared rate-limit bucket lives', 'B24LAB_STATE_DIR'),
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
        raw: {
          dir: string;
          to?: string;
          rateLimit?: string;
          stateDir?: string;
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
            ...clientSettings(restoreTarget(raw, deps.env.B24LAB_RESTORE_TO), deps),
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
function restoreTarget(
  raw: { to?: string; rateLimit?: string; stateDir?: string },
  fromEnv: string | undefined,
): { portal?: string; rateLimit?: string; stateDir?: string } {
  const portal = raw.to ?? fromEnv;
  return {
    ...(portal !== undefined ? { portal } : {}),
    ...(raw.rateLimit !== undefined ? { rateLimit: raw.rateLimit } : {}),
    ...(raw.stateDir !== undefined ? { stateDir: raw.stateDir } : {}),
  };
}
