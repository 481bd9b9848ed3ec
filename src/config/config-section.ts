import type { z } from 'zod';
import type { LabConfig } from './config-sections.js';
import type { PathSegment } from './config-issue.js';

/** What a section's cross-reference check may read and how it reports. */
export interface CheckContext {
  /** Every section that parsed (a rules section checks stage codes against `pipelines`, say). */
  readonly config: LabConfig;
  /** Reports a problem at a path inside the checked section (`[1, 'stages', 3, 'code']`). */
  issue(path: readonly PathSegment[], message: string): void;
}

/**
 * One top-level key of the configuration (`departments:`, `pipelines:` ...). A section is a zod schema
 * (the single source of truth for its type and its JSON Schema) plus optional checks that need the whole
 * value or other sections: unique keys, references, ordering rules.
 */
export interface ConfigSection<S extends z.ZodType = z.ZodType> {
  schema: S;
  check?: (value: z.output<S>, ctx: CheckContext) => void;
}

/** Keeps the schema's type for `check` (no annotation needed at the definition). */
export function defineSection<S extends z.ZodType>(section: ConfigSection<S>): ConfigSection<S> {
  return section;
}
