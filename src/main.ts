/**
 * The entry of the `b24lab` binary: builds the real dependencies (clock, output, logger), runs the
 * program, and is the only place that turns errors into a message and an exit code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { buildProgram } from './cli.js';
import { systemClock } from './clock.js';
import { createLogger } from './ui/logger.js';
import type { Output } from './ui/output.js';
import { renderFailure } from './ui/render-error.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

export async function main(argv: string[]): Promise<number> {
  // `b24lab init` writes .env; load it so later commands need no exports. Set variables win (loadEnvFile
  // never overrides them).
  if (existsSync('.env')) process.loadEnvFile('.env');
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
  const level = process.env.B24LAB_LOG_LEVEL === 'debug' ? 'debug' : 'info';
  const logger = createLogger({
    write: (line) => process.stderr.write(line + '\n'),
    format: interactive && process.env.B24LAB_LOG_FORMAT !== 'json' ? 'human' : 'json',
    level,
    now: () => systemClock.now(),
  });
  const output: Output = {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    interactive,
    logger,
  };
  const untilStopped = (): Promise<void> =>
    new Promise((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  const program = buildProgram({
    clock: systemClock,
    env: process.env,
    output,
    untilStopped,
    version: version(),
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    return renderFailure(output, e);
  }
}
