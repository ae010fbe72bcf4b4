import { objectTypeId } from './schema.js';

export type AssociationCategory = 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED';
export interface AssociationSpec {
  associationCategory: AssociationCategory;
  associationTypeId: number;
}
/** HubSpot's `AssociationSpecWithLabel` as returned by reads. */
export interface TypeWithLabel {
  category: AssociationCategory;
  typeId: number;
  label: string | null;
}

/** HubSpot-defined default association type ids, [from, to, id, reverse id]. */
const DEFAULTS: [string, string, number, number][] = [
  ['contacts', 'companies', 279, 280],
  ['contacts', 'deals', 4, 3],
  ['companies', 'deals', 342, 341],
  ['deals', 'line_items', 19, 20],
  ['contacts', 'tasks', 203, 204],
  ['companies', 'tasks', 191, 192],
  ['deals', 'tasks', 215, 216],
  ['contacts', 'contacts', 449, 449],
  ['companies', 'companies', 450, 450],
  ['deals', 'deals', 451, 451],
];
/** Primary (labelled "Primary") HubSpot-defined types. */
const PRIMARY: [string, string, number, number][] = [
  ['contacts', 'companies', 1, 2],
  ['deals', 'companies', 5, 6],
];

function defaultTypeId(from: string, to: string): number {
  for (const [a, b, id, rev] of DEFAULTS) {
    if (a === from && b === to) return id;
    if (a === to && b === from) return rev;
  }
  return 1_000; // any pair HubSpot lacks a default for (custom objects) gets one stable id
}

/** The type id seen from the other side. */
function reverseTypeId(from: string, to: string, spec: AssociationSpec): number {
  if (spec.associationCategory !== 'HUBSPOT_DEFINED') return spec.associationTypeId;
  for (const [a, b, id, rev] of [...DEFAULTS, ...PRIMARY]) {
    if (a === from && b === to && id === spec.associationTypeId) return rev;
    if (a === to && b === from && rev === spec.associationTypeId) return id;
  }
  return spec.associationTypeId;
}

const isPrimary = (from: string, to: string, id: number) =>
  PRIMARY.some(
    ([a, b, x, rev]) =>
      (a === from && b === to && x === id) || (a === to && b === from && rev === id),
  );

/** Associations v4 between any two records; both directions kept, like HubSpot. */
export class AssociationStore {
  /** key `${fromType}|${fromId}|${toType}` → toId → specs */
  private links = new Map<string, Map<string, AssociationSpec[]>>();
  writes = 0;

  private bucket(fromType: string, fromId: string, toType: string): Map<string, AssociationSpec[]> {
    const key = `${fromType}|${fromId}|${toType}`;
    let b = this.links.get(key);
    if (!b) {
      b = new Map();
      this.links.set(key, b);
    }
    return b;
  }

  private addOne(
    fromType: string,
    fromId: string,
    toType: string,
    toId: string,
    spec: AssociationSpec,
  ): void {
    const b = this.bucket(fromType, fromId, toType);
    const specs = b.get(toId) ?? [];
    if (
      !specs.some(
        (s) =>
          s.associationTypeId === spec.associationTypeId &&
          s.associationCategory === spec.associationCategory,
      )
    ) {
      specs.push(spec);
    }
    b.set(toId, specs);
  }

  /** Associates with the given types, or HubSpot's default type when none are given. */
  associate(
    fromType: string,
    fromId: string,
    toType: string,
    toId: string,
    specs?: AssociationSpec[],
  ): AssociationSpec[] {
    const used: AssociationSpec[] =
      specs && specs.length > 0
        ? specs
        : [
            {
              associationCategory: 'HUBSPOT_DEFINED',
              associationTypeId: defaultTypeId(fromType, toType),
            },
          ];
    for (const spec of used) {
      this.addOne(fromType, fromId, toType, toId, spec);
      this.addOne(toType, toId, fromType, fromId, {
        associationCategory: spec.associationCategory,
        associationTypeId: reverseTypeId(fromType, toType, spec),
      });
    }
    this.writes += 1;
    return used;
  }

  remove(fromType: string, fromId: string, toType: string, toId: string): void {
    this.bucket(fromType, fromId, toType).delete(toId);
    this.bucket(toType, toId, fromType).delete(fromId);
    this.writes += 1;
  }

  /** `MultiAssociatedObjectWithLabel[]`, ordered by target id. */
  read(
    fromType: string,
    fromId: string,
    toType: string,
  ): { toObjectId: number; associationTypes: TypeWithLabel[] }[] {
    return [...this.bucket(fromType, fromId, toType).entries()]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([toId, specs]) => ({
        toObjectId: Number(toId),
        associationTypes: specs.map((s) => ({
          category: s.associationCategory,
          typeId: s.associationTypeId,
          label: isPrimary(fromType, toType, s.associationTypeId) ? 'Primary' : null,
        })),
      }));
  }

  /** HubSpot's `LabelsBetweenObjectPair`. */
  labelsBetween(fromType: string, fromId: string, toType: string, toId: string) {
    const specs = this.bucket(fromType, fromId, toType).get(toId) ?? [];
    return {
      fromObjectTypeId: objectTypeId(fromType),
      fromObjectId: Number(fromId),
      toObjectTypeId: objectTypeId(toType),
      toObjectId: Number(toId),
      labels: specs
        .filter((s) => isPrimary(fromType, toType, s.associationTypeId))
        .map(() => 'Primary'),
    };
  }

  reset(): void {
    this.links.clear();
    this.writes = 0;
  }
}
