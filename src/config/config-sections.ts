/**
 * The registry of configuration sections: each top-level key of a config file and its schema.
 * Another capability adds its section here with one line (e.g. `rules: rulesSection,` for the
 * automation rules); the loader, the JSON Schema and the types pick it up.
 */
import type { z } from 'zod';
import { dealFieldsSection } from './sections/deal-fields.js';
import { departmentsSection } from './sections/departments.js';
import { listsSection } from './sections/lists.js';
import { pipelinesSection } from './sections/pipelines.js';
import { smartProcessesSection } from './sections/smart-processes.js';
import { automationSection } from '../automation/rules-section.js';
import { repairSection } from '../repair/repair-section.js';

export const configSections = {
  departments: departmentsSection,
  pipelines: pipelinesSection,
  dealFields: dealFieldsSection,
  smartProcesses: smartProcessesSection,
  lists: listsSection,
  automation: automationSection,
  repair: repairSection,
};

export type SectionName = keyof typeof configSections;

/**
 * The whole configuration. A section that no file mentions is absent, and what it describes is not
 * managed (an empty list is managed: it says "none of these").
 */
export type LabConfig = {
  -readonly [K in SectionName]?: z.output<(typeof configSections)[K]['schema']>;
};
