import type { MethodModule } from '../portal.js';
import { batchMethods } from '../protocol/batch.js';
import { crmCategoryModule } from './crm-category.js';
import { crmStatusModule } from './crm-status.js';
import { crmTypeModule } from './crm-type.js';
import { crmUserfieldModule } from './crm-userfield.js';
import { departmentModule } from './departments.js';
import { systemModule } from './system.js';
import { userModule } from './users.js';
import { userfieldconfigModule } from './userfieldconfig.js';

/**
 * Every method family of the local portal. Order matters for seeding: users and departments first,
 * then what refers to them.
 */
export function allMethodModules(): MethodModule[] {
  return [
    { methods: batchMethods() },
    systemModule,
    departmentModule,
    userModule,
    // CRM directories (status seeds before pipelines; both before CRM records).
    crmStatusModule,
    crmCategoryModule,
    crmTypeModule,
    crmUserfieldModule,
    userfieldconfigModule,
  ];
}
