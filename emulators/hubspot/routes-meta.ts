import type { FastifyInstance } from 'fastify';
import { correlationId, validation, type HubSpotErrorBody } from './errors.js';
import type { AssociationSpec, AssociationStore } from './associations.js';
import type { CrmObjects } from './objects.js';
import { canonicalType, type PropertyCreateInput, type PropertyRegistry } from './schema.js';

const ASSOC_BATCH_MAX = 1000;

interface PropParams {
  objectType: string;
  propertyName: string;
}
interface PairParams {
  fromType: string;
  toType: string;
}
interface ObjParams {
  objectType: string;
  objectId: string;
  toObjectType: string;
}
interface ObjPairParams extends ObjParams {
  toObjectId: string;
}
interface AssocInput {
  from?: { id?: string | number };
  to?: { id?: string | number };
  types?: AssociationSpec[];
  id?: string | number;
}

const stamp = () => {
  const at = new Date().toISOString();
  return { startedAt: at, completedAt: at };
};

/** /crm/v3/properties/{objectType}: list, get, create, update, archive. */
export function registerPropertyRoutes(app: FastifyInstance, schema: PropertyRegistry): void {
  const base = '/crm/v3/properties/:objectType';
  app.get<{ Params: { objectType: string } }>(base, async (req) => ({
    results: schema.list(canonicalType(req.params.objectType)),
  }));
  app.post<{ Params: { objectType: string }; Body: PropertyCreateInput }>(
    base,
    async (req, reply) =>
      reply.code(201).send(schema.create(canonicalType(req.params.objectType), req.body ?? {})),
  );
  app.get<{ Params: PropParams }>(`${base}/:propertyName`, async (req) =>
    schema.require(canonicalType(req.params.objectType), req.params.propertyName),
  );
  app.patch<{ Params: PropParams; Body: PropertyCreateInput }>(
    `${base}/:propertyName`,
    async (req) =>
      schema.update(canonicalType(req.params.objectType), req.params.propertyName, req.body ?? {}),
  );
  app.delete<{ Params: PropParams }>(`${base}/:propertyName`, async (req, reply) => {
    schema.archive(canonicalType(req.params.objectType), req.params.propertyName);
    return reply.code(204).send();
  });
}

function batchInputs(body: { inputs?: AssocInput[] } | undefined): AssocInput[] {
  const list = body?.inputs;
  if (!Array.isArray(list)) throw validation('Invalid input JSON: inputs is required');
  if (list.length > ASSOC_BATCH_MAX) {
    throw validation(`Invalid input JSON: inputs must contain at most ${ASSOC_BATCH_MAX} entries`, [
      { message: `size must be between 1 and ${ASSOC_BATCH_MAX}`, in: 'inputs' },
    ]);
  }
  return list;
}

/** Associations v4: single and batch create, read, archive. */
export function registerAssociationRoutes(
  app: FastifyInstance,
  assoc: AssociationStore,
  objects: CrmObjects,
): void {
  const mustExist = (type: string, id: string) => objects.require(type, id);
  const obj = '/crm/v4/objects/:objectType/:objectId/associations';

  app.put<{ Params: ObjPairParams }>(`${obj}/default/:toObjectType/:toObjectId`, async (req) => {
    const from = canonicalType(req.params.objectType);
    const to = canonicalType(req.params.toObjectType);
    mustExist(from, req.params.objectId);
    mustExist(to, req.params.toObjectId);
    const used = assoc.associate(from, req.params.objectId, to, req.params.toObjectId);
    return {
      status: 'COMPLETE',
      results: used.map((spec) => ({
        from: { id: req.params.objectId },
        to: { id: req.params.toObjectId },
        associationSpec: spec,
      })),
      ...stamp(),
    };
  });

  app.put<{ Params: ObjPairParams; Body: AssociationSpec[] }>(
    `${obj}/:toObjectType/:toObjectId`,
    async (req, reply) => {
      const from = canonicalType(req.params.objectType);
      const to = canonicalType(req.params.toObjectType);
      if (!Array.isArray(req.body) || req.body.length === 0) {
        throw validation('Invalid input JSON: expected a non-empty array of association types');
      }
      mustExist(from, req.params.objectId);
      mustExist(to, req.params.toObjectId);
      const { objectId, toObjectId } = req.params;
      assoc.associate(from, objectId, to, toObjectId, req.body);
      return reply.code(201).send(assoc.labelsBetween(from, objectId, to, toObjectId));
    },
  );

  app.delete<{ Params: ObjPairParams }>(`${obj}/:toObjectType/:toObjectId`, async (req, reply) => {
    const { objectId, toObjectId } = req.params;
    const from = canonicalType(req.params.objectType);
    assoc.remove(from, objectId, canonicalType(req.params.toObjectType), toObjectId);
    return reply.code(204).send();
  });

  app.get<{ Params: ObjParams; Querystring: { limit?: string; after?: string } }>(
    `${obj}/:toObjectType`,
    async (req) => {
      const from = canonicalType(req.params.objectType);
      const to = canonicalType(req.params.toObjectType);
      const limit = Math.min(Number(req.query.limit ?? 500), 500);
      const after = Number(req.query.after ?? 0);
      const all = assoc.read(from, req.params.objectId, to);
      const page = all.slice(after, after + limit);
      return {
        results: page,
        ...(after + limit < all.length
          ? { paging: { next: { after: String(after + limit) } } }
          : {}),
      };
    },
  );

  const pair = '/crm/v4/associations/:fromType/:toType/batch';
  const types = (p: PairParams) => [canonicalType(p.fromType), canonicalType(p.toType)] as const;

  app.post<{ Params: PairParams; Body: { inputs?: AssocInput[] } }>(
    `${pair}/create`,
    async (req, reply) => {
      const [from, to] = types(req.params);
      const list = batchInputs(req.body);
      for (const i of list) {
        mustExist(from, String(i.from?.id));
        mustExist(to, String(i.to?.id));
      }
      const results = list.map((i) => {
        const fromId = String(i.from?.id);
        const toId = String(i.to?.id);
        assoc.associate(from, fromId, to, toId, i.types);
        return assoc.labelsBetween(from, fromId, to, toId);
      });
      return reply.code(201).send({ status: 'COMPLETE', results, ...stamp() });
    },
  );

  app.post<{ Params: PairParams; Body: { inputs?: AssocInput[] } }>(
    `${pair}/associate/default`,
    async (req) => {
      const [from, to] = types(req.params);
      const list = batchInputs(req.body);
      const results = list.flatMap((i) => {
        const fromId = String(i.from?.id);
        const toId = String(i.to?.id);
        mustExist(from, fromId);
        mustExist(to, toId);
        return assoc.associate(from, fromId, to, toId).map((spec) => ({
          from: { id: fromId },
          to: { id: toId },
          associationSpec: spec,
        }));
      });
      return { status: 'COMPLETE', results, ...stamp() };
    },
  );

  app.post<{ Params: PairParams; Body: { inputs?: AssocInput[] } }>(
    `${pair}/read`,
    async (req, reply) => {
      const [from, to] = types(req.params);
      const results = [];
      const errors: HubSpotErrorBody[] = [];
      for (const i of batchInputs(req.body)) {
        const id = String(i.id);
        const found = assoc.read(from, id, to);
        if (found.length > 0) results.push({ from: { id }, to: found });
        else {
          errors.push({
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
            message: `No ${to} is associated with ${from} ${id}.`,
            correlationId: correlationId(),
            context: { fromObjectId: [id] },
            errors: [],
          });
        }
      }
      const body = {
        status: 'COMPLETE',
        results,
        ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
        ...stamp(),
      };
      return reply.code(errors.length > 0 ? 207 : 200).send(body);
    },
  );

  app.post<{
    Params: PairParams;
    Body: { inputs?: { from?: { id?: string }; to?: { id?: string }[] }[] };
  }>(`${pair}/archive`, async (req, reply) => {
    const [from, to] = types(req.params);
    for (const i of req.body?.inputs ?? []) {
      for (const t of i.to ?? []) assoc.remove(from, String(i.from?.id), to, String(t.id));
    }
    return reply.code(204).send();
  });
}
