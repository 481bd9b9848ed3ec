import { spawnSync } from 'node:child_process';

/**
 * Builds dist/ once before the suite, so tests that spawn the real `bin/b24lab` run the current code.
 * Type errors do not stop the build here (tsc still emits); `npm run typecheck` is CI's own step.
 */
export default function setup(): void {
  const result = spawnSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
    {
      stdio: 'pipe',
      encoding: 'utf8',
    },
  );
  if (result.error) throw result.error;
}
