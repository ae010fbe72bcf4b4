import { type CrmConnector } from './crm-connector.js';

/** The connectors switched on by configuration (a connector is on when its credentials are). */
export class CrmConnectors {
  private readonly byName: Map<string, CrmConnector>;

  constructor(connectors: CrmConnector[]) {
    this.byName = new Map(connectors.map((c) => [c.name, c]));
  }

  all(): CrmConnector[] {
    return [...this.byName.values()];
  }

  get(name: string): CrmConnector | undefined {
    return this.byName.get(name);
  }
}
