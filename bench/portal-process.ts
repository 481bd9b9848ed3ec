/**
 * The local portal as a separate process, the way a user runs it: `node bin/b24lab portal serve
 * --port 0 --data <file>`, which prints its webhook URL on stdout's first line. A separate process
 * keeps the portal's CPU and memory out of the client's measurements.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/b24lab', import.meta.url));

export interface PortalProcess {
  webhookUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startPortalProcess(args: {
  data?: string;
  rateLimit: 'off' | 'standard' | 'enterprise';
}): Promise<PortalProcess> {
  const argv = [
    BIN,
    'portal',
    'serve',
    '--port',
    '0',
    '--rate-limit',
    args.rateLimit,
    ...(args.data ? ['--data', args.data] : []),
  ];
  const child = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { PATH: process.env.PATH ?? '', B24LAB_LOG_LEVEL: 'info' },
  });
  const webhookUrl = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        child.stdout?.off('data', onData);
        resolve(buffer.slice(0, nl).trim());
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`portal serve exited with ${code} before printing its URL`)),
    );
    child.once('error', reject);
  });
  return {
    webhookUrl,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a bench worker (a compiled file next to this one) and returns the JSON it prints last. */
export function runWorker<T>(
  file: string,
  args: unknown,
  nodeFlags: string[] = [],
): { done: Promise<T>; child: ChildProcess } {
  const child = spawn(
    process.execPath,
    [...nodeFlags, fileURLToPath(new URL(file, import.meta.url)), JSON.stringify(args)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) {
        reject(new Error(`${file} exited with ${code}: ${last}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${file} printed no JSON: ${last}`));
      }
    });
  });
  return { done, child };
}
