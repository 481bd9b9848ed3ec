import type { MethodModule } from '../portal.js';
import { batchMethods } from '../protocol/batch.js';
import { departmentModule } from './departments.js';
import { systemModule } from './system.js';
import { userModule } from './users.js';

/**
 * Every method family of the local portal. Order matters for seeding: users and departments first,
 * then what refers to them.
 */
export function allMethodModules(): MethodModule[] {
  return [{ methods: batchMethods() }, systemModule, departmentModule, userModule];
}
