import type { MethodModule } from '../portal.js';
import { batchMethods } from '../protocol/batch.js';
import { bizprocModule } from './bizproc.js';
import { crmCategoryModule } from './crm-category.js';
import { crmItemModule } from './crm-item.js';
import { crmLegacyRecordsModule } from './crm-legacy-records.js';
import { crmStageHistoryModule } from './crm-stagehistory.js';
import { crmStatusModule } from './crm-status.js';
import { crmTimelineModule } from './crm-timeline.js';
import { crmTypeModule } from './crm-type.js';
import { crmUserfieldModule } from './crm-userfield.js';
import { departmentModule } from './departments.js';
import { diskModule } from './disk.js';
import { imModule } from './im.js';
import { listsModule } from './lists.js';
import { systemModule } from './system.js';
import { taskModule } from './tasks.js';
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
    // Non-CRM families: tasks, notifications, Drive, lists, business processes.
    taskModule,
    imModule,
    diskModule,
    listsModule,
    bizprocModule,
    // CRM directories (status seeds before pipelines; both before CRM records).
    crmStatusModule,
    crmCategoryModule,
    crmTypeModule,
    crmUserfieldModule,
    userfieldconfigModule,
    // CRM records: deals, contacts, companies, smart-process items, stage history, timeline.
    crmLegacyRecordsModule,
    crmItemModule,
    crmStageHistoryModule,
    crmTimelineModule,
  ];
}
