/**
 * What the checks read, normalised from REST rows (read-portal-view.ts fills it through the REST
 * client; unit tests build it from arrays). Records stream: a check may walk deals more than once,
 * each walk is a fresh stream. Users, departments, stages and list fields are small lookups.
 */
import type { Plan } from '../provision/plan.js';

export type Rows<T> = AsyncIterable<T> | Iterable<T>;

export const DEAL = 2;
export const CONTACT = 3;
export const COMPANY = 4;

export interface CrmRecord {
  entityTypeId: number;
  id: number;
  title: string;
  /** 0 when empty. */
  assignedById: number;
  categoryId?: number;
  stageId?: string;
  opportunity?: number;
  contactIds?: number[];
  companyId?: number;
  /** Smart-process items: the deal they belong to (parentId2), 0 when none. */
  parentDealId?: number;
  /** User-field values by crm.item name (ufCrmPaidAmount, ufCrm5Directions). */
  fields: Record<string, unknown>;
  /** Contacts and companies: phone numbers and e-mails as entered. */
  phones?: string[];
  emails?: string[];
}

export interface TaskRow {
  id: number;
  title: string;
  responsibleId: number;
  /** The real status: 2 pending, 3 in progress, 4 awaiting control, 5 completed, 6 deferred. */
  status: number;
}

export interface WorkflowRow {
  id: string;
  documentId: string;
  entity: string;
  moduleId: string;
  templateId: number;
  startedBy: number;
  /** Epoch ms, or null when no worker holds it. */
  ownedUntil: number | null;
  modified: number;
}

export interface UserInfo {
  id: number;
  active: boolean;
  name: string;
  email: string;
  departments: number[];
}

export interface DepartmentInfo {
  id: number;
  name: string;
  parentId: number | null;
  headId: number | null;
}

export interface StageInfo {
  statusId: string;
  /** STATUS_ID without `C3:` / `DT1036_7:`. */
  code: string;
  name: string;
  categoryId: number;
  semantics: 'P' | 'S' | 'F';
  sort: number;
}

export interface EnumField {
  /** The crm.item name (ufCrmService). */
  name: string;
  label: string;
  multiple: boolean;
  /** The IDs of the values the list has now. */
  values: Set<number>;
}

export interface PortalView {
  /** The portal origin, for links (https://lab.example.ru). */
  portal: string;
  now: number;
  deals(): Rows<CrmRecord>;
  contacts(): Rows<CrmRecord>;
  companies(): Rows<CrmRecord>;
  /** Items of the laboratory smart process; empty when the portal has none. */
  labItems(): Rows<CrmRecord>;
  /** Tasks that are not completed or deferred. */
  openTasks(): Rows<TaskRow>;
  workflows(): Rows<WorkflowRow>;
  users: ReadonlyMap<number, UserInfo>;
  departments: ReadonlyMap<number, DepartmentInfo>;
  /** Stages by `<entityTypeId>:<categoryId>`, in kanban order. */
  stages: ReadonlyMap<string, StageInfo[]>;
  /** List (enumeration) fields by entityTypeId. */
  enumFields: ReadonlyMap<number, EnumField[]>;
  /** The laboratory smart process, when the portal has it. */
  lab?: { entityTypeId: number; title: string };
  /** crm.item names of the deal's paid and remaining amounts, when the portal has those fields. */
  amountFields?: { paid: string; remaining: string };
  /** The provisioning plan of the config against the portal, when a config was given. */
  plan?: Plan;
}

export const stagesKey = (entityTypeId: number, categoryId: number): string =>
  `${entityTypeId}:${categoryId}`;

/** The stage of a record, looked up in its own pipeline's stages. */
export function stageOf(view: PortalView, record: CrmRecord): StageInfo | undefined {
  if (record.stageId === undefined) return undefined;
  return view.stages
    .get(stagesKey(record.entityTypeId, record.categoryId ?? 0))
    ?.find((s) => s.statusId === record.stageId);
}

/** Open = the stage is in progress; a record whose stage is unknown counts as open (it needs care). */
export function isOpen(view: PortalView, record: CrmRecord): boolean {
  const stage = stageOf(view, record);
  return stage === undefined || stage.semantics === 'P';
}

/** Streams an array or an async stream the same way. */
export async function* each<T>(rows: Rows<T>): AsyncGenerator<T> {
  for await (const row of rows) yield row;
}

/**
 * Fields to send with any update of a smart-process item: its direction. crm-item-update.md warns that
 * an item updated without categoryId may be moved to the default direction, so every update of one
 * carries the direction it is in (deals and clients need nothing).
 */
export function keepCategory(record: CrmRecord): Record<string, unknown> {
  const own =
    record.entityTypeId === DEAL || record.entityTypeId === CONTACT || record.entityTypeId === COMPANY;
  return !own && record.categoryId !== undefined ? { categoryId: record.categoryId } : {};
}
