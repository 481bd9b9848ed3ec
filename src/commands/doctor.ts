import type { Option } from 'commander';
import { Command, CommanderError } from 'commander';
import type { CliDeps } from '../cli.js';
import { createClient } from '../rest/client.js';
import type { RestSettings } from '../rest/settings.js';
import { clientOptionsFrom, DEFAULT_STATE_DIR } from '../rest/settings.js';
import { CHECK_NAMES } from '../repair/finding.js';
import { loadRepairSetup } from '../repair/repair-setup.js';
import { runDoctor } from '../repair/run-doctor.js';
import { renderDoctorReport } from '../ui/doctor-render.js';
import { envOption, restOptions } from './shared-options.js';

export interface DoctorFlags extends RestSettings {
  only?: string;
  config?: string;
  json?: boolean;
}

/** The options doctor and repair share: the portal, the checks, the configuration. */
export function doctorOptions(deps: CliDeps, prefix: 'DOCTOR' | 'REPAIR'): Option[] {
  return [
    ...restOptions(deps),
    envOption(
      deps,
      '--only <checks>',
      `comma-separated checks: ${CHECK_NAMES.join(', ')}`,
      `B24LAB_${prefix}_ONLY`,
    ),
    envOption(
      deps,
      '--config <dir>',
      'the configuration: the repair policy and the drift check',
      'B24LAB_CONFIG',
    ),
    envOption(deps, '--json', 'print the result as JSON', `B24LAB_${prefix}_JSON`),
  ];
}

/** `b24lab doctor`: every check, read-only. Exit 0 clean, 2 findings, 1 error. */
export function doctorCommand(deps: CliDeps): Command {
  const command = new Command('doctor').description(
    'Find what is broken on the portal, explain each finding and whether `repair` can fix it',
  );
  for (const option of doctorOptions(deps, 'DOCTOR')) command.addOption(option);
  return command.action(async (raw: DoctorFlags) => {
    const options = clientOptionsFrom(raw, deps.env, deps.clock, deps.output.logger);
    const setup = loadRepairSetup(raw.config, options.stateDir ?? DEFAULT_STATE_DIR);
    const client = createClient(options);
    try {
      const report = await runDoctor(client, {
        ...setup,
        now: deps.clock.now(),
        ...(raw.only ? { only: raw.only } : {}),
      });
      if (raw.json) deps.output.out(JSON.stringify(report, null, 2));
      else deps.output.out(renderDoctorReport(report, { color: deps.output.interactive }));
      if (report.summary.findings > 0)
        throw new CommanderError(2, 'b24lab.doctor.findings', 'doctor found problems');
    } finally {
      client.close();
    }
  });
}
