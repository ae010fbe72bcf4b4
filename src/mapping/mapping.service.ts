import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CrmPropertyDefinition, type CrmPropertyType } from '../crm/crm-connector.js';
import { type FieldRule, type Transform } from '../domain/field-rules.js';
import { mappingProblems } from '../domain/mapping-check.js';
import { FieldMapping, toFieldRule } from './field-mapping.entity.js';
import { ObjectMapping } from './object-mapping.entity.js';

/** An enabled object mapping with its enabled field mappings as planner rules. */
export interface MappingSet {
  object: ObjectMapping;
  rules: FieldRule[];
  /**
   * Why the mapping cannot be used as stored (a read-only Stripe field sent to Stripe, an
   * invalid transform), one line per field; empty = usable. A refused mapping stays listed so
   * its work waits instead of being settled as unmapped.
   */
  problems: string[];
}

/** Mappings change rarely and are read on every batch: a short cache keeps that off the DB. */
const CACHE_MS = 2000;

@Injectable()
export class MappingService {
  private cache: { at: number; sets: MappingSet[] } | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /** Enabled mappings, optionally for one connector and/or Stripe object type. */
  async enabled(filter: { connector?: string; stripeObject?: string } = {}): Promise<MappingSet[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > CACHE_MS) {
      this.cache = { at: now, sets: await this.load() };
    }
    return this.cache.sets.filter(
      (s) =>
        (!filter.connector || s.object.connector === filter.connector) &&
        (!filter.stripeObject || s.object.stripeObject === filter.stripeObject),
    );
  }

  /** Forget the cache (after an admin edit, and in tests). */
  invalidate(): void {
    this.cache = null;
  }

  private async load(): Promise<MappingSet[]> {
    const objects = await this.dataSource.getRepository(ObjectMapping).find({
      where: { enabled: true },
      order: { id: 'ASC' },
    });
    const fields = await this.dataSource.getRepository(FieldMapping).find({
      where: { enabled: true },
      order: { position: 'ASC', id: 'ASC' },
    });
    return objects.map((object) => {
      const rules = fields.filter((f) => f.objectMappingId === object.id).map(toFieldRule);
      const problems = mappingProblems(object.stripeObject, object.direction, rules);
      return { object, rules, problems };
    });
  }
}

/** What a transform chain produces in the CRM decides the custom property's type. */
export function propertyType(transforms: Transform[]): CrmPropertyType {
  const last = transforms.at(-1);
  switch (last?.kind) {
    case 'boolean_string':
      return 'bool';
    case 'cents_to_decimal':
      return 'number';
    case 'unix_to_iso':
      return 'datetime';
    case 'unix_to_date':
      return 'date';
    default:
      return 'string';
  }
}

/**
 * The custom properties a mapping needs in the CRM: the Stripe id (unique, the upsert key),
 * the deleted flag, and every mapped property not in `existing`.
 */
export function requiredProperties(
  set: MappingSet,
  existing: Set<string>,
): CrmPropertyDefinition[] {
  const defs: CrmPropertyDefinition[] = [
    {
      name: set.object.stripeIdProperty,
      label: `Stripe ${set.object.stripeObject} ID`,
      type: 'string',
      unique: true,
      description: 'Set by stripe-crm-bridge: the linked Stripe object.',
    },
    {
      name: set.object.deletedFlagProperty,
      label: `Stripe ${set.object.stripeObject} deleted`,
      type: 'bool',
      options: ['true', 'false'],
      description: 'Set by stripe-crm-bridge when the Stripe object is deleted.',
    },
  ];
  for (const rule of set.rules) {
    if (defs.some((d) => d.name === rule.crmProperty)) continue;
    const type = propertyType(rule.transforms);
    defs.push({
      name: rule.crmProperty,
      label: `Stripe ${rule.stripePath}`,
      type,
      ...(type === 'bool' ? { options: ['true', 'false'] } : {}),
      description: `Synced by stripe-crm-bridge from the Stripe ${set.object.stripeObject} field ${rule.stripePath}.`,
    });
  }
  return defs.filter((d) => !existing.has(d.name));
}
