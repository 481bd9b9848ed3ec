/**
 * The field tables of CRM records: one description per field that both views of a record use.
 * A field has a stored key (crm.item's camelCase name, or the UPPER name of a user field), the
 * camelCase name of crm.item, the `upperName` crm.item.fields prints, and the UPPER name of the legacy
 * `crm.deal.*` / `crm.contact.*` / `crm.company.*` methods (when the legacy view has the field).
 *
 * Sources: api-reference/crm/deals/crm-deal-fields.md, api-reference/crm/universal/crm-item-fields.md,
 * api-reference/crm/universal/crm-item-add.md (fields of each entity), main-entities-fields.md.
 * A table is built once per call (`fieldTable`), never per row.
 */
import type { Portal } from '../portal.js';
import type { TypeDoc, UserFieldDoc } from './model.js';
import { ENTITY_TYPE, TYPE_KIND } from './model.js';
import {
  defaultCategory,
  getType,
  stageEntityId,
  ufCamelName,
  ufEntityId,
  userFieldsOf,
} from './directory.js';

/**
 * How a field's value is stored, validated and printed:
 * id/int/user/ref/parent: integer (refs print as null when empty); double/money: number;
 * string/status/currency/semantic: text; flag: boolean (Y/N); date: `YYYY-MM-DD`; datetime: epoch ms;
 * refs/users: integer arrays; stage/category: the pipeline pair; fm: crm.item multifields;
 * multifield: one legacy multifield column (PHONE, EMAIL...); uf: a user field.
 */
export type FieldKind =
  | 'id'
  | 'int'
  | 'user'
  | 'ref'
  | 'parent'
  | 'double'
  | 'money'
  | 'string'
  | 'status'
  | 'currency'
  | 'semantic'
  | 'flag'
  | 'date'
  | 'datetime'
  | 'refs'
  | 'users'
  | 'stage'
  | 'category'
  | 'fm'
  | 'multifield'
  | 'uf';

export const MULTIFIELD_TYPES = ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'] as const;
export type MultifieldType = (typeof MULTIFIELD_TYPES)[number];

export interface FieldDef {
  /** The key in the stored record. */
  key: string;
  /** crm.item name; undefined when crm.item does not show the field. */
  item?: string;
  /** crm.item.fields `upperName`. */
  upper: string;
  /** Legacy UPPER name; undefined when the legacy view does not have the field. */
  legacy?: string;
  kind: FieldKind;
  /** Descriptor type in crm.item.fields (flags are `boolean` there) and in the legacy fields (`char`). */
  type: string;
  legacyType: string;
  title: string;
  legacyTitle: string;
  readOnly: boolean;
  /** Legacy only: CATEGORY_ID of a deal is set on add and never changed by crm.deal.update. */
  immutable: boolean;
  multiple: boolean;
  required: boolean;
  /** Maintained by the portal from other fields (closed, stageSemanticId, hasPhone...): input ignored. */
  derived: boolean;
  /** Part of the legacy `*` selection (CONTACT_IDS and multifields are not). */
  inLegacyStar: boolean;
  statusType?: string;
  settings?: Record<string, unknown>;
  deprecated?: boolean;
  fmType?: MultifieldType;
  uf?: UserFieldDoc;
}

export interface FieldTable {
  entityTypeId: number;
  /** The smart process, for entityTypeId >= 128. */
  type?: TypeDoc;
  ufEntity: string | undefined;
  fields: FieldDef[];
  byKey: Map<string, FieldDef>;
  /** crm.item names and, for user fields, their original UF_ names. */
  byItem: Map<string, FieldDef>;
  /** Legacy UPPER names. */
  byLegacy: Map<string, FieldDef>;
  /** Has pipelines and stages (deals, smart processes). */
  hasStages: boolean;
  /** The entity types whose items this entity can link to as `parentId<N>`. */
  parents: number[];
}

/** `assignedById` -> `ASSIGNED_BY_ID`. */
export const camelToUpper = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

interface Spec {
  legacy?: string | null;
  upper?: string;
  title?: string;
  legacyTitle?: string;
  readOnly?: boolean;
  immutable?: boolean;
  required?: boolean;
  derived?: boolean;
  statusType?: string;
  settings?: Record<string, unknown>;
  deprecated?: boolean;
  itemOnly?: boolean;
  legacyOnly?: boolean;
  notInStar?: boolean;
}

const TYPE_OF: Record<FieldKind, string> = {
  id: 'integer',
  int: 'integer',
  user: 'user',
  ref: 'integer',
  parent: 'crm_entity',
  double: 'double',
  money: 'double',
  string: 'string',
  status: 'crm_status',
  currency: 'crm_currency',
  semantic: 'string',
  flag: 'boolean',
  date: 'date',
  datetime: 'datetime',
  refs: 'integer',
  users: 'user',
  stage: 'crm_status',
  category: 'crm_category',
  fm: 'crm_multifield',
  multifield: 'crm_multifield',
  uf: 'string',
};

function field(key: string, kind: FieldKind, title: string, spec: Spec = {}, type?: string): FieldDef {
  const multiple = kind === 'refs' || kind === 'users' || kind === 'fm' || kind === 'multifield';
  const legacy = spec.itemOnly
    ? undefined
    : spec.legacy === null
      ? undefined
      : (spec.legacy ?? camelToUpper(key));
  const itemType = type ?? TYPE_OF[kind];
  const def: FieldDef = {
    key,
    upper: spec.upper ?? camelToUpper(key),
    kind,
    type: itemType,
    legacyType: kind === 'flag' ? 'char' : itemType,
    title,
    legacyTitle: spec.legacyTitle ?? title,
    readOnly: spec.readOnly ?? false,
    immutable: spec.immutable ?? false,
    multiple,
    required: spec.required ?? false,
    derived: spec.derived ?? false,
    inLegacyStar: !(spec.notInStar ?? false),
  };
  if (!spec.legacyOnly) def.item = key;
  if (legacy !== undefined) def.legacy = legacy;
  if (spec.statusType !== undefined) def.statusType = spec.statusType;
  if (spec.settings !== undefined) def.settings = spec.settings;
  if (spec.deprecated) def.deprecated = true;
  return def;
}

const ro = { readOnly: true } as const;
const derived = { readOnly: true, derived: true } as const;

function utmFields(): FieldDef[] {
  return [
    field('utmSource', 'string', 'Advertising System'),
    field('utmMedium', 'string', 'Traffic Type'),
    field('utmCampaign', 'string', 'Campaign Identifier'),
    field('utmContent', 'string', 'Campaign Content'),
    field('utmTerm', 'string', 'Campaign Search Condition'),
  ];
}

/** Created/modified by and at, as the legacy deal, contact and company name them. */
function auditFields(): FieldDef[] {
  return [
    field('assignedById', 'user', 'Responsible'),
    field('createdBy', 'user', 'Created By', { legacy: 'CREATED_BY_ID', ...ro }),
    field('updatedBy', 'user', 'Modified By', { legacy: 'MODIFY_BY_ID', ...ro }),
    field('createdTime', 'datetime', 'Creation Date', { legacy: 'DATE_CREATE', ...ro }),
    field('updatedTime', 'datetime', 'Modification Date', { legacy: 'DATE_MODIFY', ...ro }),
  ];
}

function activityFields(): FieldDef[] {
  return [
    field('lastActivityTime', 'datetime', 'LAST_ACTIVITY_TIME', derived),
    field('lastActivityBy', 'user', 'LAST_ACTIVITY_BY', derived),
  ];
}

/** Multifields: one `fm` field in crm.item, one column per type in the legacy view. */
function multifieldFields(): FieldDef[] {
  const titles: Record<MultifieldType, string> = {
    PHONE: 'Phone',
    EMAIL: 'E-mail',
    WEB: 'Website',
    IM: 'Messenger',
    LINK: 'LINK',
  };
  const out: FieldDef[] = [
    field('hasPhone', 'flag', 'Has phone', derived),
    field('hasEmail', 'flag', 'Has email', derived),
    field('hasImol', 'flag', 'Has Open Channel', derived),
    field('fm', 'fm', 'Multifields', { itemOnly: true }),
  ];
  for (const t of MULTIFIELD_TYPES) {
    const def = field(`fm${t}`, 'multifield', titles[t], { legacy: t, legacyOnly: true, notInStar: true });
    def.fmType = t;
    out.push(def);
  }
  return out;
}

function dealFields(): FieldDef[] {
  return [
    field('id', 'id', 'ID', ro),
    field('title', 'string', 'Title'),
    field('typeId', 'status', 'Type', { statusType: 'DEAL_TYPE' }),
    field('categoryId', 'category', 'Pipeline', { legacyTitle: 'Sales Funnel', immutable: true }),
    field('stageId', 'stage', 'Stage', { legacyTitle: 'Deal Stage', statusType: 'DEAL_STAGE' }),
    field('stageSemanticId', 'semantic', 'Stage Group', derived),
    field('isNew', 'flag', 'New Deal', derived),
    field('isRecurring', 'flag', 'Recurring Deal'),
    field('isReturnCustomer', 'flag', 'Repeat Deal'),
    field('isRepeatedApproach', 'flag', 'Repeated Approach'),
    field('probability', 'int', 'Probability'),
    field('currencyId', 'currency', 'Currency'),
    field('opportunity', 'money', 'Amount'),
    field('isManualOpportunity', 'flag', 'IS_MANUAL_OPPORTUNITY'),
    field('taxValue', 'money', 'Tax Rate'),
    field('companyId', 'ref', 'Company', { settings: { parentEntityTypeId: 4 } }, 'crm_company'),
    field('contactId', 'ref', 'Contact', { deprecated: true }, 'crm_contact'),
    field('contactIds', 'refs', 'Contacts', { notInStar: true }, 'crm_contact'),
    field('quoteId', 'ref', 'Estimate', { ...ro, settings: { parentEntityTypeId: 7 } }, 'crm_quote'),
    field('begindate', 'date', 'Start Date'),
    field('closedate', 'date', 'Close Date'),
    field('opened', 'flag', 'Available to All'),
    field('closed', 'flag', 'Closed', { derived: true }),
    field('comments', 'string', 'Comment'),
    ...auditFields(),
    field('movedBy', 'user', 'MOVED_BY_ID', { legacy: 'MOVED_BY_ID', ...ro }),
    field('movedTime', 'datetime', 'MOVED_TIME', ro),
    field('sourceId', 'status', 'Source', { statusType: 'SOURCE' }),
    field('sourceDescription', 'string', 'Additional Info about Source'),
    field('leadId', 'ref', 'Lead', { ...ro, settings: { parentEntityTypeId: 1 } }, 'crm_lead'),
    field('additionalInfo', 'string', 'Additional Information'),
    field('locationId', 'string', 'Location', {}, 'location'),
    field('originatorId', 'string', 'External Source'),
    field('originId', 'string', 'Identifier in External Source'),
    ...utmFields(),
    ...activityFields(),
    field('observers', 'users', 'Observers', { itemOnly: true }),
  ];
}

function contactFields(): FieldDef[] {
  return [
    field('id', 'id', 'ID', ro),
    field('honorific', 'status', 'Salutation', { statusType: 'HONORIFIC' }),
    field('name', 'string', 'First Name'),
    field('secondName', 'string', 'Middle Name'),
    field('lastName', 'string', 'Last Name'),
    field('birthdate', 'date', 'Date of Birth'),
    field('typeId', 'status', 'Contact Type', { statusType: 'CONTACT_TYPE' }),
    field('sourceId', 'status', 'Source', { statusType: 'SOURCE' }),
    field('sourceDescription', 'string', 'Additional Info about Source'),
    field('post', 'string', 'Position'),
    field('comments', 'string', 'Comment'),
    field('opened', 'flag', 'Available to All'),
    field('export', 'flag', 'Included in Export'),
    ...auditFields(),
    field('companyId', 'ref', 'Company', { deprecated: true }, 'crm_company'),
    field('companyIds', 'refs', 'Companies', { notInStar: true }, 'crm_company'),
    field('leadId', 'ref', 'Lead', { ...ro, settings: { parentEntityTypeId: 1 } }, 'crm_lead'),
    field('originatorId', 'string', 'External Source'),
    field('originId', 'string', 'Identifier in External Source'),
    field('originVersion', 'string', 'Original Version'),
    ...utmFields(),
    ...activityFields(),
    field('observers', 'users', 'Observers', { itemOnly: true }),
    ...multifieldFields(),
  ];
}

function companyFields(): FieldDef[] {
  return [
    field('id', 'id', 'ID', ro),
    field('title', 'string', 'Company Name'),
    field('typeId', 'status', 'Company Type', { legacy: 'COMPANY_TYPE', statusType: 'COMPANY_TYPE' }),
    field('industry', 'status', 'Industry', { statusType: 'INDUSTRY' }),
    field('employees', 'status', 'Employees', { statusType: 'EMPLOYEES' }),
    field('currencyId', 'currency', 'Currency'),
    field('revenue', 'money', 'Annual Revenue'),
    field('opened', 'flag', 'Available to All'),
    field('comments', 'string', 'Comment'),
    field('isMyCompany', 'flag', 'My Company'),
    field('bankingDetails', 'string', 'Payment Details'),
    ...auditFields(),
    field('contactIds', 'refs', 'Contacts', { itemOnly: true }, 'crm_contact'),
    field('leadId', 'ref', 'Lead', { ...ro, settings: { parentEntityTypeId: 1 } }, 'crm_lead'),
    field('originatorId', 'string', 'External Source'),
    field('originId', 'string', 'Identifier in External Source'),
    field('originVersion', 'string', 'Original Version'),
    ...utmFields(),
    ...activityFields(),
    field('observers', 'users', 'Observers', { itemOnly: true }),
    ...multifieldFields(),
  ];
}

/** Smart-process items: common fields plus the ones each `is*Enabled` flag switches on (object-fields.md). */
function spaFields(portal: Portal, type: TypeDoc): FieldDef[] {
  const f = type.flags;
  const item = (key: string, kind: FieldKind, title: string, spec: Spec = {}, t?: string): FieldDef =>
    field(key, kind, title, { ...spec, itemOnly: true }, t);
  const category = defaultCategory(portal, type.entityTypeId);
  const stageType = stageEntityId(type.entityTypeId, category?.id ?? 0);
  const out: FieldDef[] = [
    item('id', 'id', 'ID', ro),
    item('xmlId', 'string', 'External code'),
    item('title', 'string', 'Name'),
    item('createdBy', 'user', 'Created by', ro),
    item('updatedBy', 'user', 'Updated by', ro),
    item('movedBy', 'user', 'Moved by', ro),
    item('createdTime', 'datetime', 'Created at', ro),
    item('updatedTime', 'datetime', 'Updated at', ro),
    item('movedTime', 'datetime', 'Moved at', ro),
    item('categoryId', 'category', 'Pipeline'),
    item('opened', 'flag', 'Publicly available', { required: true }),
    item('stageId', 'stage', 'Stage', { statusType: stageType }),
    item('previousStageId', 'status', 'Previous stage', { ...derived, statusType: stageType }),
  ];
  if (f.isBeginCloseDatesEnabled)
    out.push(item('begindate', 'date', 'Start date'), item('closedate', 'date', 'End date'));
  if (f.isClientEnabled)
    out.push(
      item('companyId', 'ref', 'Company', { settings: { parentEntityTypeId: 4 } }, 'crm_company'),
      item('contactId', 'ref', 'Contact', { deprecated: true }, 'crm_contact'),
      item('contactIds', 'refs', 'CONTACT_IDS', {}, 'crm_contact'),
    );
  if (f.isLinkWithProductsEnabled)
    out.push(
      item('opportunity', 'money', 'Amount'),
      item('isManualOpportunity', 'flag', 'Amount calculation mode'),
      item('taxValue', 'money', 'Tax amount'),
      item('currencyId', 'currency', 'Currency'),
    );
  if (f.isMycompanyEnabled)
    out.push(
      item(
        'mycompanyId',
        'ref',
        'Your company details',
        { settings: { isMyCompany: true, parentEntityTypeId: 4 } },
        'crm_company',
      ),
    );
  if (f.isSourceEnabled)
    out.push(
      item('sourceId', 'status', 'Source', { statusType: 'SOURCE' }),
      item('sourceDescription', 'string', 'Additional source info', {}, 'text'),
    );
  out.push(
    item('webformId', 'int', 'Created by CRM form'),
    item('assignedById', 'user', 'Assigned to'),
    item('lastActivityBy', 'user', 'Last activity in timeline by', derived),
    item('lastActivityTime', 'datetime', 'Last activity', derived),
  );
  if (f.isObserversEnabled) out.push(item('observers', 'users', 'Observers'));
  return out;
}

const PARENT_TITLES: Record<number, string> = { 1: 'Lead', 2: 'Deal', 3: 'Contact', 4: 'Company' };

/**
 * The entity types an entity's items link to with `parentId<N>`: the parents a smart process declares
 * and every smart process that declares this entity its child (crm-type-add.md, `relations`). Contacts
 * and companies of a smart process are its client fields, not parent links.
 */
function parentTypes(all: TypeDoc[], entityTypeId: number, own: TypeDoc | undefined): number[] {
  const out = new Set<number>();
  for (const rel of own?.relations.parent ?? []) {
    if (rel.entityTypeId !== ENTITY_TYPE.contact && rel.entityTypeId !== ENTITY_TYPE.company)
      out.add(rel.entityTypeId);
  }
  for (const t of all) {
    if (t.entityTypeId !== entityTypeId && t.relations.child.some((r) => r.entityTypeId === entityTypeId))
      out.add(t.entityTypeId);
  }
  out.delete(entityTypeId);
  return [...out].sort((a, b) => a - b);
}

/** A label of a user field in the portal language (ru), else English, else its name. */
export function ufLabel(uf: UserFieldDoc): string {
  const label = uf.EDIT_FORM_LABEL;
  return label.ru || label.en || Object.values(label).find((v) => v) || uf.FIELD_NAME;
}

function ufField(uf: UserFieldDoc, itemName: string): FieldDef {
  const def: FieldDef = {
    key: uf.FIELD_NAME,
    item: itemName,
    upper: uf.FIELD_NAME,
    legacy: uf.FIELD_NAME,
    kind: 'uf',
    type: uf.USER_TYPE_ID,
    legacyType: uf.USER_TYPE_ID,
    title: ufLabel(uf),
    legacyTitle: uf.FIELD_NAME,
    readOnly: false,
    immutable: false,
    multiple: uf.MULTIPLE,
    required: uf.MANDATORY,
    derived: false,
    inLegacyStar: false,
    uf,
  };
  return def;
}

/** The system fields of deals, contacts and companies never change: built once per process. */
const once = (build: () => FieldDef[]): (() => readonly FieldDef[]) => {
  let fields: readonly FieldDef[] | undefined;
  return () => (fields ??= build());
};
const FIXED_FIELDS: Record<number, () => readonly FieldDef[]> = {
  [ENTITY_TYPE.deal]: once(dealFields),
  [ENTITY_TYPE.contact]: once(contactFields),
  [ENTITY_TYPE.company]: once(companyFields),
};

/**
 * The field table of an entity, or undefined when the entity is not supported (neither a deal,
 * contact, company nor an existing smart process).
 */
export function fieldTable(portal: Portal, entityTypeId: number): FieldTable | undefined {
  let fields: FieldDef[];
  let type: TypeDoc | undefined;
  const fixed = FIXED_FIELDS[entityTypeId];
  if (fixed) fields = [...fixed()];
  else {
    type = getType(portal, entityTypeId);
    if (!type) return undefined;
    fields = spaFields(portal, type);
  }
  const allTypes = portal.store.query<TypeDoc>(TYPE_KIND);
  const parents = parentTypes(allTypes, entityTypeId, type);
  for (const p of parents) {
    const title = PARENT_TITLES[p] ?? allTypes.find((t) => t.entityTypeId === p)?.title ?? String(p);
    const def = field(`parentId${p}`, 'parent', title, {
      legacy: `PARENT_ID_${p}`,
      upper: `PARENT_ID_${p}`,
      settings: { parentEntityTypeId: p },
    });
    fields.push(def);
  }
  const ufEntity = ufEntityId(portal, entityTypeId);
  const taken = new Set(fields.map((f) => f.key));
  for (const uf of ufEntity ? userFieldsOf(portal, ufEntity) : []) {
    // crm/universal/index.md: a camelCase name that collides with another field keeps the UF_ name.
    let name = ufCamelName(uf.FIELD_NAME);
    if (taken.has(name)) name = uf.FIELD_NAME;
    taken.add(name);
    fields.push(ufField(uf, name));
  }
  const table: FieldTable = {
    entityTypeId,
    ufEntity,
    fields,
    byKey: new Map(),
    byItem: new Map(),
    byLegacy: new Map(),
    hasStages: entityTypeId === ENTITY_TYPE.deal || type !== undefined,
    parents,
  };
  if (type) table.type = type;
  for (const f of fields) {
    table.byKey.set(f.key, f);
    if (f.item !== undefined) table.byItem.set(f.item, f);
    if (f.uf) table.byItem.set(f.uf.FIELD_NAME, f);
    if (f.legacy !== undefined) table.byLegacy.set(f.legacy, f);
  }
  return table;
}

/** crm.item's name of a field in one call: user fields keep their UF_ name with useOriginalUfNames=Y. */
export const itemName = (def: FieldDef, originalUfNames: boolean): string =>
  def.uf && originalUfNames ? def.uf.FIELD_NAME : (def.item ?? def.key);
