import { fileURLToPath } from 'node:url';

/**
 * The laboratory configuration shipped in the package's config/ folder: the default of commands that
 * should work from any directory (`b24lab demo`). Works from src/ (tests) and from dist/src/ (the binary).
 */
export function shippedConfigDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes('/dist/')
    ? fileURLToPath(new URL('../../../config', import.meta.url))
    : fileURLToPath(new URL('../../config', import.meta.url));
}
