import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error.js';
import { CrmConnectors } from '../../crm/crm-registry.js';
import { getPath } from '../../domain/object-path.js';
import { stripeObjectSpec } from '../../domain/stripe-fields.js';
import { stripeUpdateParams } from '../../domain/stripe-writes.js';
import { LinkStore } from '../../links/link-store.js';
import { requiredProperties } from '../../mapping/mapping.service.js';
import { StripeRecords } from '../../stripe/stripe-records.js';
import { createMatcher, searchLookup } from '../../sync/engine/matcher.js';
import { PairSyncer } from '../../sync/engine/pair-syncer.js';
import { checkStripeSide, MappingAdminService } from './mapping-admin.service.js';
import { type PreviewBody, type ProposedMapping } from './mapping.dto.js';
import { fieldFromBody, type MappingView } from './mapping-view.js';

export interface Preview {
  mapping_id: string;
  version: number | null;
  crm: {
    id: string | null;
    action: 'create' | 'update' | 'none';
    properties: Record<string, unknown>;
  };
  stripe: { id: string; params: Record<string, unknown> };
  conflicts: {
    field_mapping_id: string;
    stripe_value: unknown;
    crm_value: unknown;
    shadow_value: unknown;
    policy: string;
    winner: string;
    first_link: boolean;
  }[];
  /** Fields left alone because the other side cannot hold the value. */
  field_errors: {
    field_mapping_id: string;
    direction: string;
    code: string;
    limit: string | null;
  }[];
  /** Custom properties the mapping needs that the CRM does not have yet. */
  properties_to_create: string[];
}

/** The stored mapping with a proposal laid over it (nothing stored). */
function draftOf(v: MappingView, p: ProposedMapping | undefined): MappingView {
  if (!p) return v;
  const { fields, ...settings } = p;
  const next = { ...v } as MappingView & Record<string, unknown>;
  for (const [k, value] of Object.entries(settings)) {
    if (value !== undefined && k !== 'replace') next[k] = value;
  }
  if (fields)
    next.fields = fields.map((f, i) => fieldFromBody(f, f.id ?? `${v.id}-proposed-${i + 1}`, i));
  return next;
}

/**
 * `POST /mappings/:id/preview`: what a sync of one record would write on each side right now,
 * under the stored mapping or a proposed one, with the conflicts it would raise. Reads Stripe
 * and the CRM the way the engine does (the engine's own plan step), and writes nothing: no
 * property is created, no record, link or shadow changes.
 */
@Injectable()
export class MappingPreviewService {
  constructor(
    private readonly mappings: MappingAdminService,
    private readonly connectors: CrmConnectors,
    private readonly stripe: StripeRecords,
    private readonly links: LinkStore,
  ) {}

  async preview(id: string, body: PreviewBody): Promise<Preview> {
    if ((body.stripe_id === undefined) === (body.crm_id === undefined)) {
      throw new AppError(
        'invalid',
        'validation_failed',
        'Send either "stripe_id" or "crm_id": the record to preview.',
        [{ field: 'stripe_id', problem: 'exactly one of stripe_id and crm_id' }],
      );
    }
    const stored = await this.mappings.get(id);
    const draft = draftOf(stored, body.mapping);
    const set = checkStripeSide(draft);
    const connector = this.connectors.get(draft.connector);
    if (!connector) {
      throw new AppError(
        'unprocessable',
        'connector_not_configured',
        `${draft.connector} is not configured: set its credentials to preview its writes.`,
      );
    }
    const scope = {
      connector: draft.connector,
      stripeObject: draft.stripe_object,
      crmObject: draft.crm_object,
    };
    let stripeId = body.stripe_id;
    if (stripeId === undefined) {
      const link = (await this.links.byCrmIds(scope, [body.crm_id!])).get(body.crm_id!);
      if (!link) {
        throw new AppError(
          'not_found',
          'not_linked',
          `${draft.connector} ${draft.crm_object} ${body.crm_id} is not linked to a Stripe ${draft.stripe_object}: preview by stripe_id instead.`,
        );
      }
      stripeId = link.stripeId;
    }
    const stripe = await this.stripe
      .retrieve(draft.stripe_object, stripeId)
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode === 404) {
          throw new AppError(
            'not_found',
            'not_found',
            `Stripe has no ${draft.stripe_object} ${stripeId}.`,
          );
        }
        throw err;
      });
    const described = await connector.describe(draft.crm_object);
    const toCreate = requiredProperties(set, new Set(described.map((f) => f.name))).map(
      (d) => d.name,
    );

    const links = await this.links.byStripeIds(scope, [stripeId]);
    const link = links.get(stripeId) ?? null;
    const syncer = new PairSyncer(set, connector, this.stripe, this.links);
    const planned = await syncer.plan(
      [
        {
          stripeId,
          stripe,
          stripeChangedAt: link?.stripeStateAt ?? new Date(Number(stripe.created ?? 0) * 1000),
          stripeDeleted: false,
          jobKey: 'preview',
        },
      ],
      {
        matcher: createMatcher(set, searchLookup(set, connector), this.links),
        deferWriteback: false,
        links,
      },
    );
    const result = planned.results.get(stripeId);
    if (result && !result.ok) {
      throw new AppError(
        result.retryable ? 'unavailable' : 'unprocessable',
        'preview_failed',
        `Reading the record for the plan failed (${result.code ?? 'error'}): ${result.error}`,
      );
    }
    const work = planned.works.find((w) => w.input.stripeId === stripeId);
    const spec = stripeObjectSpec(draft.stripe_object);
    const stripeWrites = { ...(work?.stripeWrites ?? {}) };
    const key = set.object.crmIdMetadataKey;
    const crmId = work?.crm?.id ?? null;
    if (work && key && crmId && getPath(stripe, `metadata.${key}`) !== crmId) {
      stripeWrites[`metadata.${key}`] = crmId;
    }
    const plan = work?.plan;
    const crmWrites = plan?.crmWrites ?? {};
    return {
      mapping_id: id,
      version: body.mapping ? null : stored.version,
      crm: {
        id: crmId,
        action: !work
          ? 'none'
          : !work.crm
            ? 'create'
            : Object.keys(crmWrites).length > 0
              ? 'update'
              : 'none',
        properties: crmWrites,
      },
      stripe: {
        id: stripeId,
        params:
          Object.keys(stripeWrites).length > 0
            ? stripeUpdateParams(stripeWrites, stripe, spec)
            : {},
      },
      conflicts: (plan?.conflicts ?? []).map((c) => ({
        field_mapping_id: c.ruleKey,
        stripe_value: c.stripeValue,
        crm_value: c.crmValue,
        shadow_value: c.shadowValue,
        policy: c.policy,
        winner: c.winner,
        first_link: c.firstLink,
      })),
      field_errors: (plan?.errors ?? []).map((e) => ({
        field_mapping_id: e.ruleKey,
        direction: e.direction,
        code: e.code,
        limit: e.limit ?? null,
      })),
      properties_to_create: toCreate,
    };
  }
}
