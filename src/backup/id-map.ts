/**
 * Source ID -> target ID, per kind of record. A restore creates every record anew (Bitrix24 REST
 * cannot preserve IDs), so everything that points at a record goes through this map. It is saved as
 * the restore's mapping file after every batch, which also makes the restore resumable: a record whose
 * source ID is already mapped was created by an earlier run.
 *
 * Kinds: user, department, category, smartType (entityTypeId), deal, contact, company, item:<entityTypeId>,
 * task, file, folder, listElement, comment, field.
 */
export type IdMapJson = Record<string, Record<string, number>>;

export class IdMap {
  private readonly maps = new Map<string, Map<string, number>>();

  static from(json: IdMapJson): IdMap {
    const map = new IdMap();
    for (const [kind, entries] of Object.entries(json)) {
      for (const [source, target] of Object.entries(entries)) map.set(kind, source, target);
    }
    return map;
  }

  get(kind: string, source: string | number): number | undefined {
    return this.maps.get(kind)?.get(String(source));
  }

  has(kind: string, source: string | number): boolean {
    return this.get(kind, source) !== undefined;
  }

  set(kind: string, source: string | number, target: number): void {
    let map = this.maps.get(kind);
    if (!map) {
      map = new Map();
      this.maps.set(kind, map);
    }
    map.set(String(source), target);
  }

  size(kind: string): number {
    return this.maps.get(kind)?.size ?? 0;
  }

  toJSON(): IdMapJson {
    const out: IdMapJson = {};
    for (const [kind, map] of this.maps) out[kind] = Object.fromEntries(map);
    return out;
  }
}

/** Every ID maps to itself: normalizes the rows of the target's own snapshot the same way (compare). */
export class IdentityMap extends IdMap {
  override get(_kind: string, source: string | number): number | undefined {
    const n = Number(source);
    return Number.isSafeInteger(n) ? n : undefined;
  }
}
