import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { systemClock } from '../../src/clock.js';
import { createMemoryLogger } from '../../src/ui/logger.js';

/** The README is the user guide: it must name every command and variable the program's --help shows. */
const readme = readFileSync('README.md', 'utf8');
const program = buildProgram({
  clock: systemClock,
  env: {},
  output: { out: () => {}, err: () => {}, interactive: false, logger: createMemoryLogger() },
  untilStopped: () => Promise.resolve(),
  version: 'test',
});

function walk(command: Command, path: string[], into: { paths: string[]; variables: Set<string> }): void {
  for (const sub of command.commands) {
    if (sub.name() === 'help') continue;
    const here = [...path, sub.name()];
    into.paths.push(here.join(' '));
    for (const option of sub.options)
      for (const m of option.description.matchAll(/B24LAB_[A-Z0-9_]+/g))
        if (!m[0].endsWith('_')) into.variables.add(m[0]); // B24LAB_OAUTH_* names a family
    walk(sub, here, into);
  }
}
const found = { paths: [] as string[], variables: new Set<string>() };
walk(program, [], found);

describe('README', () => {
  it('keeps the two quick-start commands', () => {
    expect(readme).toContain('npm install && npx b24lab demo');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it('shows every command of --help with an example in the command reference', () => {
    expect(found.paths.length).toBeGreaterThan(15);
    const reference = readme.slice(readme.indexOf('## Command reference'));
    const missing = found.paths.filter((p) => !reference.includes(`\`b24lab ${p}`));
    expect(missing).toEqual([]);
  });

  it('lists every variable an option names in the environment table', () => {
    expect(found.variables.size).toBeGreaterThan(40);
    const table = readme.slice(readme.indexOf('## Environment variables'));
    const missing = [...found.variables].filter((v) => !table.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
