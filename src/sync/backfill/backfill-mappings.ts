import { AppError } from '../../common/app-error.js';
import { type CrmConnector } from '../../crm/crm-connector.js';
import { type CrmConnectors } from '../../crm/crm-registry.js';
import { type MappingService, type MappingSet } from '../../mapping/mapping.service.js';

export interface BackfillTarget {
  set: MappingSet;
  connector: CrmConnector;
}

/**
 * The enabled mappings a backfill (or its dry run) of one Stripe object covers, each with its
 * connector: the one named, or without a name every configured CRM (a mapping of a CRM without
 * credentials is seeded but inert). None is an error that says what to configure.
 */
export async function backfillTargets(
  mappings: MappingService,
  connectors: CrmConnectors,
  opts: { object: string; connector?: string },
): Promise<BackfillTarget[]> {
  const sets = (await mappings.enabled({ stripeObject: opts.object })).filter((s) =>
    opts.connector
      ? s.object.connector === opts.connector
      : connectors.get(s.object.connector) !== undefined,
  );
  if (sets.length === 0) {
    throw new AppError(
      'invalid',
      'no_mapping',
      `No enabled mapping for Stripe ${opts.object}${opts.connector ? ` and ${opts.connector}` : ''}: configure the connector's credentials and enable its object mapping.`,
    );
  }
  return sets.map((set) => {
    const connector = connectors.get(set.object.connector);
    if (!connector) {
      throw new AppError('invalid', 'connector_off', `${set.object.connector} is not configured`);
    }
    return { set, connector };
  });
}
