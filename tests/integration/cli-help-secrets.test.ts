import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { systemClock } from '../../src/clock.js';
import { createMemoryLogger } from '../../src/ui/logger.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'tok3n-never-printed';
const ENV: Record<string, string> = {
  B24LAB_PORTAL: `http://127.0.0.1:9/rest/1/${TOKEN}/`,
  B24LAB_OAUTH_CLIENT_SECRET: `secret-${TOKEN}`,
  B24LAB_OAUTH_REFRESH_TOKEN: `refresh-${TOKEN}`,
  B24LAB_RATE_LIMIT: 'enterprise',
  B24LAB_STATE: '/var/lib/b24lab-state',
};

/** Every command path of the program: [['call'], ['jobs', 'run'], ...]. */
function commandPaths(): string[][] {
  const program = buildProgram({
    clock: systemClock,
    env: ENV,
    output: { out: () => {}, err: () => {}, interactive: false, logger: createMemoryLogger() },
    untilStopped: () => Promise.resolve(),
    version: 'test',
  });
  const out: string[][] = [];
  const walk = (command: Command, path: string[]): void => {
    for (const sub of command.commands) {
      const here = [...path, sub.name()];
      out.push(here);
      walk(sub, here);
    }
  };
  walk(program, []);
  return out;
}

describe('--help with B24LAB_* variables set', () => {
  const paths = commandPaths();

  it('finds the commands', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['call', 'plan', 'apply', 'jobs run', 'backup create', 'doctor', 'repair']),
    );
  });

  it.each(paths.map((p) => [p.join(' '), p]))(
    '%s --help names variables, never their values',
    async (_n, path) => {
      const run = await runCli([...path, '--help'], { env: ENV });
      const text = run.stdout + run.stderr;
      expect(text).toContain('Usage:');
      expect(text).not.toContain(TOKEN);
      if (text.includes('--rate-limit')) {
        expect(text).toMatch(/B24LAB_(PORTAL_)?RATE_LIMIT/);
        // An environment default is shown by its variable's name.
        expect(text).not.toMatch(/default: "enterprise"/);
      }
    },
  );
});
