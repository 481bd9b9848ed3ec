import { Command } from 'commander';
import type { Clock } from './clock.js';
import type { Output } from './ui/output.js';
import { portalCommand } from './commands/portal-serve.js';
import { reportCommand } from './commands/report.js';
import { backupCommand } from './commands/backup-command.js';
import { doctorCommand } from './commands/doctor.js';
import { repairCommand } from './commands/repair.js';
import { restoreCommand } from './commands/restore.js';
import { callCommand } from './commands/call.js';
import { exportCommand } from './commands/export.js';
import { jobsCommand } from './commands/jobs-command.js';
import { planCommand } from './commands/plan.js';
import { applyCommand } from './commands/apply.js';
import { pullCommand } from './commands/pull.js';
import { demoCommand } from './commands/demo.js';
import { initCommand } from './commands/init.js';

/** What the program needs from the outside world; src/main.ts builds the real ones, tests fake them. */
export interface CliDeps {
  clock: Clock;
  env: Record<string, string | undefined>;
  output: Output;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands wait on it. */
  untilStopped: () => Promise<void>;
  version: string;
}

/** Registers every command; no logic here (STYLE.md: commands are thin, the program is built fresh per run). */
export function buildProgram(deps: CliDeps): Command {
  const program = new Command('b24lab')
    .description(
      'Run a Bitrix24 portal as code: provisioning, automation jobs, backups, reports, a local portal',
    )
    .version(deps.version)
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(portalCommand(deps));
  program.addCommand(reportCommand(deps));
  program.addCommand(backupCommand(deps));
  program.addCommand(doctorCommand(deps));
  program.addCommand(repairCommand(deps));
  program.addCommand(restoreCommand(deps));
  program.addCommand(callCommand(deps));
  program.addCommand(exportCommand(deps));
  program.addCommand(jobsCommand(deps));
  program.addCommand(planCommand(deps));
  program.addCommand(applyCommand(deps));
  program.addCommand(pullCommand(deps));
  program.addCommand(demoCommand(deps));
  program.addCommand(initCommand(deps));
  applyToAll(program, deps);
  return program;
}

/**
 * Commands built in their own files and added with addCommand do not inherit these settings, so they
 * are applied to the whole tree: errors are thrown (src/main.ts sets the exit code) and all output
 * goes through the injected Output.
 */
function applyToAll(command: Command, deps: CliDeps): void {
  command
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => deps.output.out(s.replace(/\n$/, '')),
      writeErr: (s) => deps.output.err(s.replace(/\n$/, '')),
    });
  for (const sub of command.commands) applyToAll(sub, deps);
}
