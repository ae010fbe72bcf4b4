import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError, type ErrorDetail } from '../../common/app-error.js';
import { CrmError } from '../../crm/crm-connector.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { mappingProblems } from '../../domain/mapping-check.js';
import { resolveStripeField, stripeObjectSpec } from '../../domain/stripe-fields.js';
import { FieldMapping } from '../../mapping/field-mapping.entity.js';
import { type SyncDirection } from '../../domain/field-rules.js';
import { MappingService, type MappingSet } from '../../mapping/mapping.service.js';
import { ObjectMapping } from '../../mapping/object-mapping.entity.js';
import { ConnectorPreparer } from '../../sync/engine/connector-preparer.js';
import { AuditLog } from '../audit-log.js';
import { decodeCursor, pageOf, type Page } from '../pagination.js';
import {
  type CreateMappingBody,
  type FieldBody,
  type FieldPatch,
  type PatchMappingBody,
} from './mapping.dto.js';
import {
  fieldColumns,
  mappingView,
  fieldFromBody,
  objectColumns,
  ruleOf,
  type FieldView,
  type MappingView,
} from './mapping-view.js';
import { incompatibleProperties } from './property-types.js';

export interface MappingVersion {
  version: number;
  actor: string;
  created_at: string;
  mapping: MappingView;
}

const notFound = (what: string) =>
  new AppError('not_found', 'not_found', `${what} does not exist: list them with GET /mappings.`);

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Object and field mappings over the admin API. Every change is validated against Stripe's
 * fields and the CRM's described schema before it is stored, bumps the mapping's version,
 * stores the new version whole (the first change also stores the version it started from)
 * and is audited; `If-Match` guards against a concurrent edit.
 */
@Injectable()
export class MappingAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mappings: MappingService,
    private readonly connectors: CrmConnectors,
    private readonly preparer: ConnectorPreparer,
    private readonly audit: AuditLog,
  ) {}

  async list(
    filter: { connector?: string; stripeObject?: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<MappingView>> {
    const after = decodeCursor(cursor);
    const qb = this.dataSource
      .getRepository(ObjectMapping)
      .createQueryBuilder('o')
      .orderBy('o.id', 'ASC')
      .take(limit + 1);
    if (filter.connector) qb.andWhere('o.connector = :c', { c: filter.connector });
    if (filter.stripeObject) qb.andWhere('o.stripe_object = :s', { s: filter.stripeObject });
    if (after !== null) qb.andWhere('o.id > :after', { after });
    const objects = await qb.getMany();
    const fields = await this.fieldsOf(
      this.dataSource.manager,
      objects.map((o) => o.id),
    );
    const views = objects.map((o) =>
      mappingView(
        o,
        fields.filter((f) => f.objectMappingId === o.id),
      ),
    );
    return pageOf(views, limit, (v) => v.id);
  }

  async get(id: string): Promise<MappingView> {
    const view = await this.load(this.dataSource.manager, id);
    if (!view) throw notFound(`Mapping ${id}`);
    return view;
  }

  async create(body: CreateMappingBody, actor: string): Promise<MappingView> {
    const id = body.id ?? slug(`${body.connector}-${body.stripe_object}-${body.crm_object}`);
    const draft: MappingView = {
      id,
      connector: body.connector,
      stripe_object: body.stripe_object,
      crm_object: body.crm_object,
      direction: body.direction ?? 'both',
      match_keys: body.match_keys ?? [],
      stripe_id_property: body.stripe_id_property,
      crm_id_metadata_key: body.crm_id_metadata_key ?? null,
      deleted_flag_property: body.deleted_flag_property,
      stripe_delete_action: body.stripe_delete_action ?? 'mark',
      crm_delete_action: body.crm_delete_action ?? 'ignore',
      first_link_policy: body.first_link_policy ?? 'stripe_wins',
      enabled: body.enabled ?? true,
      version: 1,
      fields: [],
    };
    for (const f of body.fields ?? []) draft.fields.push(this.newField(draft, f));
    await this.validate(draft);
    await this.dataSource.transaction(async (m) => {
      const taken = await m.getRepository(ObjectMapping).findOneBy({ id });
      if (taken) {
        throw new AppError(
          'conflict',
          'mapping_exists',
          `A mapping with id ${id} exists already: change it with PATCH /mappings/${id}, or give another id.`,
        );
      }
      await this.settleReplacement(m, draft, body.replace === true, actor);
      await m.getRepository(ObjectMapping).insert({
        ...objectColumns(draft),
        id,
        connector: draft.connector,
        stripeObject: draft.stripe_object,
        version: 1,
      });
      await this.writeFields(m, id, [], draft.fields);
      await this.storeVersion(m, draft, actor);
      await this.audit.record(m, {
        actor,
        action: 'mapping.create',
        targetType: 'mapping',
        targetId: id,
        before: null,
        after: draft,
      });
    });
    this.mappings.invalidate();
    return this.get(id);
  }

  patch(id: string, body: PatchMappingBody, ifMatch: number | null, actor: string) {
    const { replace, ...changes } = body;
    return this.change(id, ifMatch, actor, 'mapping.update', replace === true, (v) => {
      const set = <K extends keyof MappingView>(key: K, value: MappingView[K] | undefined) => {
        if (value !== undefined) v[key] = value;
      };
      set('crm_object', changes.crm_object);
      set('direction', changes.direction);
      set('match_keys', changes.match_keys);
      set('stripe_id_property', changes.stripe_id_property);
      set('crm_id_metadata_key', changes.crm_id_metadata_key);
      set('deleted_flag_property', changes.deleted_flag_property);
      set('stripe_delete_action', changes.stripe_delete_action);
      set('crm_delete_action', changes.crm_delete_action);
      set('first_link_policy', changes.first_link_policy);
      set('enabled', changes.enabled);
      return v;
    });
  }

  async remove(id: string, ifMatch: number | null, actor: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const current = await this.lock(m, id, ifMatch);
      await this.storeVersion(m, current, actor, { ifMissing: true });
      await m.getRepository(ObjectMapping).delete({ id });
      await this.audit.record(m, {
        actor,
        action: 'mapping.delete',
        targetType: 'mapping',
        targetId: id,
        before: current,
        after: null,
      });
    });
    this.mappings.invalidate();
  }

  addField(id: string, body: FieldBody, ifMatch: number | null, actor: string) {
    return this.change(id, ifMatch, actor, 'mapping.field.create', false, (v) => {
      v.fields.push(this.newField(v, body));
      return v;
    });
  }

  patchField(id: string, fieldId: string, body: FieldPatch, ifMatch: number | null, actor: string) {
    return this.change(id, ifMatch, actor, 'mapping.field.update', false, (v) => {
      const f = v.fields.find((x) => x.id === fieldId);
      if (!f) throw notFound(`Field ${fieldId} of mapping ${id}`);
      Object.assign(
        f,
        Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)),
      );
      return v;
    });
  }

  removeField(id: string, fieldId: string, ifMatch: number | null, actor: string) {
    return this.change(id, ifMatch, actor, 'mapping.field.delete', false, (v) => {
      if (!v.fields.some((x) => x.id === fieldId))
        throw notFound(`Field ${fieldId} of mapping ${id}`);
      v.fields = v.fields.filter((x) => x.id !== fieldId);
      return v;
    });
  }

  async versions(id: string, limit: number, cursor?: string): Promise<Page<MappingVersion>> {
    await this.get(id);
    const after = decodeCursor(cursor, /^\d{1,9}$/);
    const rows = await this.dataSource.query<
      { version: number; actor: string; created_at: Date; snapshot: MappingView }[]
    >(
      `SELECT version, actor, created_at, snapshot FROM mapping_versions
        WHERE mapping_id = $1 AND ($2::int IS NULL OR version > $2::int)
        ORDER BY version LIMIT $3`,
      [id, after, limit + 1],
    );
    return pageOf(rows.map(versionOf), limit, (r) => String(r.version));
  }

  async version(id: string, n: number): Promise<MappingVersion> {
    const [row] = await this.dataSource.query<
      { version: number; actor: string; created_at: Date; snapshot: MappingView }[]
    >(
      `SELECT version, actor, created_at, snapshot FROM mapping_versions
        WHERE mapping_id = $1 AND version = $2`,
      [id, n],
    );
    if (!row) {
      await this.get(id);
      throw notFound(`Version ${n} of mapping ${id}`);
    }
    return versionOf(row);
  }

  /** The mapping as it was at version `n`, stored as a new version. */
  async rollback(id: string, n: number, ifMatch: number | null, actor: string) {
    const target = (await this.version(id, n)).mapping;
    return this.change(id, ifMatch, actor, 'mapping.rollback', false, (v) => ({
      ...target,
      id: v.id,
      connector: v.connector,
      stripe_object: v.stripe_object,
      version: v.version,
    }));
  }

  /**
   * One change: read, apply `mutate`, validate (the CRM may be asked, so outside any
   * transaction), then store it if nobody changed the mapping meanwhile.
   */
  private async change(
    id: string,
    ifMatch: number | null,
    actor: string,
    action: string,
    replace: boolean,
    mutate: (v: MappingView) => MappingView,
  ): Promise<MappingView> {
    const before = await this.get(id);
    if (ifMatch !== null && ifMatch !== before.version) throw versionConflict(id, before.version);
    const next = mutate(structuredClone(before));
    await this.validate(next);
    await this.dataSource.transaction(async (m) => {
      // Locked, and compared with what was validated: a concurrent edit is a 409, not lost.
      const current = await this.lock(m, id, before.version);
      await this.storeVersion(m, current, actor, { ifMissing: true });
      await this.settleReplacement(m, next, replace, actor);
      const version = current.version + 1;
      await m
        .getRepository(ObjectMapping)
        .update({ id }, { ...objectColumns(next), version, updatedAt: new Date() });
      await this.writeFields(m, id, current.fields, next.fields);
      const stored = (await this.load(m, id))!;
      await this.storeVersion(m, stored, actor);
      await this.audit.record(m, {
        actor,
        action,
        targetType: 'mapping',
        targetId: id,
        before: current,
        after: stored,
      });
    });
    this.mappings.invalidate();
    return this.get(id);
  }

  /** Locks the mapping row; a version other than `expected` is a concurrent edit. */
  private async lock(m: EntityManager, id: string, expected: number | null): Promise<MappingView> {
    const locked = await m
      .getRepository(ObjectMapping)
      .createQueryBuilder('o')
      .setLock('pessimistic_write')
      .where('o.id = :id', { id })
      .getOne();
    if (!locked) throw notFound(`Mapping ${id}`);
    if (expected !== null && locked.version !== expected) throw versionConflict(id, locked.version);
    return (await this.load(m, id))!;
  }

  /**
   * One mapping per connector and Stripe object is enabled: enabling another disables the
   * current one only when the request says `replace`, else 409.
   */
  private async settleReplacement(
    m: EntityManager,
    next: MappingView,
    replace: boolean,
    actor: string,
  ): Promise<void> {
    if (!next.enabled) return;
    const others = await m
      .getRepository(ObjectMapping)
      .createQueryBuilder('o')
      .where('o.connector = :c AND o.stripe_object = :s AND o.enabled AND o.id <> :id', {
        c: next.connector,
        s: next.stripe_object,
        id: next.id,
      })
      .getMany();
    if (others.length === 0) return;
    if (!replace) {
      throw new AppError(
        'conflict',
        'mapping_conflict',
        `${others.map((o) => o.id).join(', ')} is already enabled for ${next.connector} ${next.stripe_object}: send "replace": true to disable it and enable ${next.id}, or keep ${next.id} disabled.`,
      );
    }
    for (const o of others) {
      const current = (await this.load(m, o.id))!;
      await this.storeVersion(m, current, actor, { ifMissing: true });
      await m
        .getRepository(ObjectMapping)
        .update({ id: o.id }, { enabled: false, version: o.version + 1, updatedAt: new Date() });
      const stored = (await this.load(m, o.id))!;
      await this.storeVersion(m, stored, actor);
      await this.audit.record(m, {
        actor,
        action: 'mapping.replaced',
        targetType: 'mapping',
        targetId: o.id,
        before: current,
        after: stored,
      });
    }
  }

  private newField(v: MappingView, f: FieldBody): FieldView {
    let id = f.id ?? slug(`${v.id}-${f.stripe_path}`);
    if (!f.id) {
      for (let n = 2; v.fields.some((x) => x.id === id); n += 1)
        id = slug(`${v.id}-${f.stripe_path}-${n}`);
    }
    if (v.fields.some((x) => x.id === id)) {
      throw new AppError(
        'conflict',
        'field_exists',
        `Field ${id} exists already in mapping ${v.id}: change it with PATCH /mappings/${v.id}/fields/${id}.`,
      );
    }
    return fieldFromBody(f, id, Math.max(0, ...v.fields.map((x) => x.position)) + 1);
  }

  /**
   * What Stripe and the CRM would refuse, before anything is stored: unknown Stripe paths, a
   * read-only field sent to Stripe, a CRM object or field that does not exist (a HubSpot custom
   * property is created instead, as at start), a CRM property of an incompatible type.
   */
  private async validate(v: MappingView): Promise<void> {
    const set = checkStripeSide(v);
    const rules = set.rules;
    if (!v.enabled) return;
    const connector = this.connectors.get(v.connector);
    if (!connector) {
      throw new AppError(
        'unprocessable',
        'connector_not_configured',
        `${v.connector} is not configured, so the mapping cannot be checked or used: set its credentials (see README, Configuration), or send "enabled": false.`,
        [{ field: 'connector', problem: 'no credentials configured' }],
      );
    }
    try {
      const described = await connector.describe(v.crm_object);
      const clash = incompatibleProperties(rules, described);
      if (clash.length > 0) {
        throw new AppError(
          'unprocessable',
          'crm_property_type',
          `${clash.map((c) => c.problem).join('; ')}: map another property, or change the transforms.`,
          clash,
        );
      }
      await this.preparer.checkNow(set, connector);
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof CrmError && !err.retryable) {
        throw new AppError(
          'unprocessable',
          err.code === 'missing_fields' ? 'crm_fields_missing' : 'crm_refused',
          `${v.connector} ${v.crm_object}: ${err.message}`,
        );
      }
      if (err instanceof CrmError) {
        throw new AppError(
          'unavailable',
          'crm_unavailable',
          `${v.connector} could not be asked about ${v.crm_object} (${err.code}); nothing was changed: try again.`,
        );
      }
      throw err;
    }
  }

  private async load(m: EntityManager, id: string): Promise<MappingView | null> {
    const o = await m.getRepository(ObjectMapping).findOneBy({ id });
    if (!o) return null;
    return mappingView(o, await this.fieldsOf(m, [id]));
  }

  private fieldsOf(m: EntityManager, ids: string[]): Promise<FieldMapping[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return m
      .getRepository(FieldMapping)
      .createQueryBuilder('f')
      .where('f.object_mapping_id IN (:...ids)', { ids })
      .getMany();
  }

  private async writeFields(
    m: EntityManager,
    id: string,
    before: FieldView[],
    after: FieldView[],
  ): Promise<void> {
    const repo = m.getRepository(FieldMapping);
    const gone = before.filter((b) => !after.some((a) => a.id === b.id)).map((b) => b.id);
    if (gone.length > 0) await repo.delete(gone);
    const now = new Date();
    for (const f of after) {
      const columns = { ...fieldColumns(id, f), updatedAt: now };
      if (before.some((b) => b.id === f.id)) await repo.update({ id: f.id }, columns);
      else {
        const taken = await repo.findOneBy({ id: f.id });
        if (taken) {
          throw new AppError(
            'conflict',
            'field_exists',
            `A field with id ${f.id} exists already (in mapping ${taken.objectMappingId}): give another id.`,
          );
        }
        await repo.insert({ ...columns, createdAt: now });
      }
    }
  }

  private async storeVersion(
    m: EntityManager,
    v: MappingView,
    actor: string,
    opts: { ifMissing?: boolean } = {},
  ): Promise<void> {
    await m.query(
      `INSERT INTO mapping_versions (mapping_id, version, snapshot, actor) VALUES ($1, $2, $3, $4)
       ${opts.ifMissing ? 'ON CONFLICT DO NOTHING' : ''}`,
      [v.id, v.version, JSON.stringify(v), opts.ifMissing ? 'before-admin-api' : actor],
    );
  }
}

const versionOf = (r: {
  version: number;
  actor: string;
  created_at: Date;
  snapshot: MappingView;
}): MappingVersion => ({
  version: r.version,
  actor: r.actor,
  created_at: new Date(r.created_at).toISOString(),
  mapping: r.snapshot,
});

const versionConflict = (id: string, current: number) =>
  new AppError(
    'conflict',
    'version_conflict',
    `Mapping ${id} is at version ${current} now: read it again (GET /mappings/${id}) and send If-Match: ${current} with your change.`,
  );

/**
 * What Stripe would refuse in a mapping (unknown paths, a read-only field sent to Stripe, a
 * transform that cannot work), as a 422; else the mapping as the engine would use it.
 */
export function checkStripeSide(v: MappingView): MappingSet {
  const spec = stripeObjectSpec(v.stripe_object);
  if (!spec) {
    throw new AppError(
      'unprocessable',
      'unsupported_stripe_object',
      `stripe_object: ${v.stripe_object} is not synced by this version (supported: customer).`,
      [{ field: 'stripe_object', problem: 'not a supported Stripe object' }],
    );
  }
  const unknown: ErrorDetail[] = [
    ...v.match_keys.map((k, i) => ({ field: `match_keys.${i}.stripe`, path: k.stripe })),
    ...v.fields.map((f) => ({ field: `fields.${f.id}.stripe_path`, path: f.stripe_path })),
  ]
    .filter((x) => resolveStripeField(spec, x.path) === null)
    .map((x) => ({
      field: x.field,
      problem: `${x.path} is not a field of a Stripe ${v.stripe_object}`,
    }));
  if (unknown.length > 0) {
    throw new AppError(
      'unprocessable',
      'unknown_stripe_field',
      `${unknown.map((d) => d.problem).join('; ')}: use a field the Stripe API documents for ${v.stripe_object}, or metadata.<key>.`,
      unknown,
    );
  }
  const enabled = v.fields.filter((f) => f.enabled);
  const rules = enabled.map(ruleOf);
  const problems = mappingProblems(v.stripe_object, v.direction as SyncDirection, rules);
  if (problems.length > 0) {
    throw new AppError(
      'unprocessable',
      'stripe_refuses_mapping',
      `Stripe would refuse this mapping: ${problems.join('; ')}.`,
      problems.map((problem) => ({ field: 'fields', problem })),
    );
  }
  const object = {
    ...objectColumns(v),
    id: v.id,
    connector: v.connector,
    stripeObject: v.stripe_object,
  } as ObjectMapping;
  return { object, rules, problems: [] };
}
