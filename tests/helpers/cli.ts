import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { CliDeps } from '../../src/cli.js';
import { buildProgram } from '../../src/cli.js';
import { systemClock } from '../../src/clock.js';
import { createMemoryLogger } from '../../src/ui/logger.js';
import { CommanderError } from 'commander';
import { renderFailure } from '../../src/ui/render-error.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the program in-process with captured output, the way src/main.ts does (same error rendering).
 * `stop` lets a long-running command (portal serve) end when the test says so.
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; stop?: Promise<void>; onOut?: (line: string) => void } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    clock: systemClock,
    env: options.env ?? {},
    output: {
      out: (t) => {
        out.push(t);
        options.onOut?.(t);
      },
      err: (t) => err.push(t),
      interactive: false,
      logger: createMemoryLogger(),
    },
    untilStopped: () => options.stop ?? Promise.resolve(),
    version: 'test',
  };
  let code = 0;
  try {
    await buildProgram(deps).parseAsync(args, { from: 'user' });
  } catch (e) {
    code = e instanceof CommanderError ? e.exitCode : renderFailure(deps.output, e);
  }
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Spawns the real binary (built by the global setup) with its own process and environment. */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
): { done: Promise<CliRun>; child: ReturnType<typeof spawn>; firstLine: Promise<string> } {
  const child = spawn(process.execPath, [resolve('bin/b24lab'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let resolveLine: (line: string) => void = () => {};
  const firstLine = new Promise<string>((r) => (resolveLine = r));
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const nl = stdout.indexOf('\n');
    if (nl >= 0) resolveLine(stdout.slice(0, nl));
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolveDone) => {
    child.on('close', (code) => resolveDone({ code: code ?? -1, stdout, stderr }));
  });
  return { done, child, firstLine };
}
