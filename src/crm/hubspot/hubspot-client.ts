import { Client } from '@hubspot/api-client';

export interface HubSpotClientOptions {
  accessToken: string;
  /** e.g. https://api.hubapi.com, or an emulator's base URL. */
  apiBase: URL;
}

/**
 * The one place a HubSpot SDK client is built. Retries are off (`numberOfApiCallRetries: 0`):
 * the SDK's retry ignores Retry-After and the daily limit, so the connector retries itself.
 *
 * The SDK keeps its retry/limiter decorators in a process-wide singleton that the latest
 * `new Client()` overwrites, and applies them when an API object is first created. Touching
 * the APIs we use right away pins them to this client's (empty) decorator set, so a client
 * built later elsewhere cannot add its retries to ours.
 */
export function createHubSpotClient(options: HubSpotClientOptions): Client {
  const client = new Client({
    accessToken: options.accessToken,
    basePath: options.apiBase.toString().replace(/\/+$/, ''),
    numberOfApiCallRetries: 0,
  });
  void client.crm.objects.basicApi;
  void client.crm.properties.coreApi;
  return client;
}
