import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { type CrmConnector } from './crm-connector.js';
import { CrmConnectors } from './crm-registry.js';
import { HubSpotCrmConnector } from './hubspot/hubspot-crm-connector.js';
import { SalesforceCrmConnector } from './salesforce/salesforce-crm-connector.js';
import { tokenSource } from './salesforce/salesforce-session.js';

/** Builds the connectors whose credentials are configured (none, HubSpot, Salesforce or both). */
export function buildConnectors(config: AppConfig): CrmConnectors {
  const connectors: CrmConnector[] = [];
  if (config.hubspot) {
    const logger = new Logger('HubSpot');
    connectors.push(
      new HubSpotCrmConnector({
        accessToken: config.hubspot.accessToken,
        apiBase: config.hubspot.apiBase,
        tenSecondBudget: config.hubspot.tenSecondBudget,
        dailyRetryMs: config.hubspot.dailyRetryMs,
        logger: { warn: (obj: object, msg: string) => logger.warn(obj, msg) },
      }),
    );
  }
  if (config.salesforce) {
    const sf = config.salesforce;
    const refreshToken = tokenSource(sf);
    connectors.push(
      new SalesforceCrmConnector({
        instanceUrl: sf.instanceUrl,
        ...(sf.auth.kind === 'access_token' ? { accessToken: sf.auth.accessToken } : {}),
        ...(refreshToken ? { refreshToken } : {}),
        apiVersion: sf.apiVersion,
        dailyApiShare: sf.dailyApiShare,
        budgetPauseMs: sf.budgetPauseMs,
      }),
    );
  }
  return new CrmConnectors(connectors);
}

@Module({
  providers: [{ provide: CrmConnectors, useFactory: buildConnectors, inject: [AppConfig] }],
  exports: [CrmConnectors],
})
export class CrmModule {}
