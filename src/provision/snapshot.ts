/**
 * What b24lab reads from a portal to plan against (read-snapshot.ts fills it through the REST client;
 * unit tests build it by hand). Values are normalised: ids are numbers, flags booleans, a stage's code
 * is its STATUS_ID without the pipeline prefix, a field's code its FIELD_NAME without the UF prefix.
 */
import type { Semantics } from '../config/sections/common.js';

export type { Semantics };

export interface SnapshotUser {
  id: number;
  email: string;
  active: boolean;
}

export interface SnapshotDepartment {
  id: number;
  name: string;
  /** null for the top department. */
  parentId: number | null;
  sort: number;
  headId: number | null;
}

export interface SnapshotStage {
  /** The crm.status row ID (crm.status.update/delete take it). */
  id: number;
  statusId: string;
  /** STATUS_ID without `C3:` / `DT1036_7:`. */
  code: string;
  name: string;
  sort: number;
  color: string;
  semantics: Semantics;
  system: boolean;
  /** Deals or items in the stage, when counted (a stage holding any cannot be deleted). */
  itemCount?: number;
}

export interface SnapshotPipeline {
  id: number;
  /** originId: where b24lab keeps the pipeline's key; '' when the pipeline has none. */
  key: string;
  name: string;
  sort: number;
  isDefault: boolean;
  stages: SnapshotStage[];
}

export interface SnapshotListItem {
  id: number;
  /** XML_ID; '' when none. */
  key: string;
  value: string;
  sort: number;
  default: boolean;
}

export interface SnapshotField {
  id: number;
  fieldName: string;
  code: string;
  type: string;
  multiple: boolean;
  mandatory: boolean;
  sort: number;
  /** The Russian label (EDIT_FORM_LABEL.ru), else the first one there is. */
  label: string;
  settings: Record<string, unknown>;
  list: SnapshotListItem[];
}

export interface SnapshotRelation {
  entityTypeId: number;
  childrenList: boolean;
  /** Relations the portal keeps by itself (client binding): never managed. */
  predefined: boolean;
}

export interface SnapshotCategory {
  id: number;
  /** code: where b24lab keeps a direction's key; '' when none. */
  key: string;
  name: string;
  sort: number;
  isDefault: boolean;
  stages: SnapshotStage[];
}

export interface SnapshotSmartProcess {
  /** The type's own id: user fields are `UF_CRM_<id>_...` on entity `CRM_<id>`. */
  id: number;
  entityTypeId: number;
  /** code: where b24lab keeps the key; '' when none. */
  key: string;
  title: string;
  flags: Record<string, boolean>;
  relations: { parents: SnapshotRelation[]; children: SnapshotRelation[] };
  categories: SnapshotCategory[];
  fields: SnapshotField[];
}

/** A property (or the system field NAME) of a universal list, from lists.field.get. */
export interface SnapshotListField {
  /** `NAME` or `PROPERTY_<id>`. */
  fieldId: string;
  /** The property's CODE; '' for system fields. */
  code: string;
  /** The portal's TYPE: `S`, `L`, `S:ECrm`, `NAME` ... */
  type: string;
  label: string;
  required: boolean;
  multiple: boolean;
  sort: number;
  /** USER_TYPE_SETTINGS as strings ({ DEAL: 'Y' }); {} when none. */
  settings: Record<string, string>;
  /** Values of an L field in order: id and text (DISPLAY_VALUES_FORM); default from DEFAULT_VALUE. */
  values: { id: number; value: string; default: boolean }[];
}

/** A universal list (lists.get, IBLOCK_TYPE_ID lists). */
export interface SnapshotList {
  id: number;
  /** IBLOCK_CODE: where b24lab keeps the key. */
  code: string;
  name: string;
  description: string;
  sort: number;
  fields: SnapshotListField[];
}

export interface PortalSnapshot {
  users: SnapshotUser[];
  departments: SnapshotDepartment[];
  /** Deal pipelines, the default one (id 0) included; it is never managed. */
  pipelines: SnapshotPipeline[];
  dealFields: SnapshotField[];
  smartProcesses: SnapshotSmartProcess[];
  /** Universal lists; read only when the config has a `lists:` section. */
  lists?: SnapshotList[];
}

export const emptySnapshot = (): PortalSnapshot => ({
  users: [],
  departments: [],
  pipelines: [],
  dealFields: [],
  smartProcesses: [],
});
