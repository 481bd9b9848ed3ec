/**
 * The `automation:` section of the configuration (`rules:` and `jobs:`), plugged into the shared loader
 * (src/config/config-sections.ts): validated with every other section, every problem at once, and
 * cross-checked against the `pipelines:` and `smartProcesses:` sections when they are present
 * (a rule naming a stage the pipeline does not have is a config error, not a run-time surprise).
 */
import type { CheckContext } from '../config/config-section.js';
import { defineSection } from '../config/config-section.js';
import type { PathSegment } from '../config/config-issue.js';
import type { Rule } from './rule-schema.js';
import { automationConfigSchema } from './rule-schema.js';
import { checkListRule } from './check-list-rule.js';
import { JOB_NAMES } from './job-names.js';
import { checkItemTargets } from './actions/item-targets.js';
import { checkTaskNames } from './check-task-names.js';
import { checkHeadOf } from './check-head-of.js';
import { checkParentRecipients } from './check-parent-recipients.js';
import { STAGE_FIELD } from './match-conditions.js';

interface StageSource {
  key: string;
  stages: { code: string }[];
}

/** Cross-checks the rules against the configured pipelines and smart processes. */
function checkRules(rules: Rule[], ctx: CheckContext): void {
  const pipelines = ctx.config.pipelines;
  const processes = ctx.config.smartProcesses;
  rules.forEach((rule, i) => {
    const at = (...path: PathSegment[]): PathSegment[] => ['rules', i, ...path];
    let sources: StageSource[] | undefined;
    let where = '';
    if ('pipeline' in rule.entity) {
      if (!pipelines) return;
      const key = rule.entity.pipeline;
      const pipeline = pipelines.find((p) => p.key === key);
      if (!pipeline) {
        ctx.issue(
          at('entity', 'pipeline'),
          `Unknown pipeline "${key}"; known: ${pipelines.map((p) => p.key).join(', ')}`,
        );
        return;
      }
      sources = [pipeline];
      where = `pipeline "${pipeline.key}"`;
    } else if ('list' in rule.entity) {
      checkListRule(rule, rule.entity.list, ctx, at);
      return;
    } else {
      if (!processes) return;
      const key = rule.entity.smartProcess;
      const sp = processes.find((p) => p.key === key);
      if (!sp) {
        ctx.issue(
          at('entity', 'smartProcess'),
          `Unknown smart process "${key}"; known: ${processes.map((p) => p.key).join(', ')}`,
        );
        return;
      }
      const wanted = rule.entity.directions;
      (wanted ?? []).forEach((d, j) => {
        if (!sp.categories.some((c) => c.key === d)) {
          ctx.issue(
            at('entity', 'directions', j),
            `Unknown direction "${d}" of "${key}"; known: ${sp.categories.map((c) => c.key).join(', ')}`,
          );
        }
      });
      sources = wanted ? sp.categories.filter((c) => wanted.includes(c.key)) : sp.categories;
      where = `smart process "${key}"`;
    }
    const hasStage = (code: string): boolean => sources.some((s) => s.stages.some((st) => st.code === code));
    const t = rule.trigger;
    if ((t.type === 'stage_entered' || t.type === 'stayed_in_stage') && !hasStage(t.stage)) {
      ctx.issue(at('trigger', 'stage'), `No stage "${t.stage}" in ${where}`);
    }
    // `{ field: stage }` names stages of the rule's own pipeline or directions; `parent.stage` those
    // of any deal pipeline (the parent deal may be in any of them).
    rule.conditions.forEach((c, j) => {
      const own = c.field === STAGE_FIELD;
      if (!own && c.field !== `parent.${STAGE_FIELD}`) return;
      const known = own
        ? hasStage
        : (code: string) => !pipelines || pipelines.some((p) => p.stages.some((st) => st.code === code));
      const codes = Array.isArray(c.value) ? c.value : [c.value];
      codes.forEach((code, k) => {
        if (typeof code !== 'string' || known(code)) return;
        const path = Array.isArray(c.value) ? at('conditions', j, 'value', k) : at('conditions', j, 'value');
        ctx.issue(path, `No stage "${code}" in ${own ? where : 'any pipeline'}`);
      });
    });
    rule.actions.forEach((action, j) => {
      // With a direction, the stage is of that direction (checkItemTargets).
      if (action.type === 'move_stage' && action.direction === undefined && action.stage !== undefined) {
        if (!hasStage(action.stage))
          ctx.issue(at('actions', j, 'stage'), `No stage "${action.stage}" in ${where}`);
      }
    });
    if (processes) {
      const entity = rule.entity;
      const own =
        'smartProcess' in entity
          ? processes.find((p) => p.key === entity.smartProcess)?.categories
          : undefined;
      const directionsOf = (key: string) => processes.find((p) => p.key === key)?.categories;
      for (const p of checkItemTargets(rule, own, directionsOf, where)) ctx.issue(at(...p.path), p.message);
    }
  });
}

/**
 * `automation:` — `rules:` (what to do) and `jobs:` (when the scheduler runs them). One section, so a
 * config directory keeps its automation in one file (config/automation.yaml).
 */
export const automationSection = defineSection({
  schema: automationConfigSchema.describe(
    'Automation run by the b24lab jobs: rules (triggers, conditions, actions) and job schedules',
  ),
  check: (automation, ctx) => {
    checkRules(automation.rules, ctx);
    for (const p of checkTaskNames(automation.rules)) ctx.issue(p.path, p.message);
    for (const p of checkParentRecipients(automation.rules)) ctx.issue(p.path, p.message);
    const departments = ctx.config.departments;
    if (departments) for (const p of checkHeadOf(automation.rules, departments)) ctx.issue(p.path, p.message);
    for (const name of Object.keys(automation.jobs)) {
      if (!(JOB_NAMES as readonly string[]).includes(name)) {
        ctx.issue(['jobs', name], `Unknown job "${name}"; known: ${JOB_NAMES.join(', ')}`);
      }
    }
  },
});
