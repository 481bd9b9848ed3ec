/**
 * Drift from config: what `b24lab plan` would change (provision/compute-plan.ts). A pipeline stage
 * renamed by hand or a list value added in the UI is not an error for the portal, but the next apply
 * will undo it, so a person decides which side is right: update the config, or run `b24lab apply`.
 */
import type { Finding } from './finding.js';
import type { PortalView } from './portal-view.js';

export function checkConfigDrift(view: PortalView): Promise<Finding[]> {
  const plan = view.plan;
  if (!plan) return Promise.resolve([]);
  const out: Finding[] = plan.operations
    .filter((op) => op.action !== 'noop')
    .map((op) => {
      const changes = op.changes.map((c) => c.field).join(', ');
      return {
        check: 'config-drift' as const,
        summary: `${op.entity} «${op.name}» (${op.address}): apply would ${op.action} it${changes ? ` (${changes})` : ''}${op.drift ? ', changed on the portal by hand' : ''}`,
        why: 'The portal no longer matches the configuration: the next apply changes it, or the config is out of date.',
        fixable: 'person' as const,
        hint: op.destructive
          ? 'Update the config to keep it, or run `b24lab apply --allow-deletes` to remove it.'
          : 'Update the config to keep the portal as it is, or run `b24lab apply` to restore the config.',
        entities: [{ type: 'config' as const, id: op.address, title: op.name }],
      };
    });
  return Promise.resolve(out);
}
