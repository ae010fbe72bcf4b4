import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/load-config.js';
import { TEST_SECRET } from './signing.js';

export interface RunningBridge {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/** The whole service in this process, listening on 127.0.0.1 and a free port. */
export async function startBridge(env: Record<string, string>): Promise<RunningBridge> {
  const config = loadConfig({
    APP_PROFILE: 'production',
    LOG_LEVEL: 'silent',
    STRIPE_SECRET_KEY: 'sk_test_bridge_tests_0000',
    STRIPE_WEBHOOK_SECRET: TEST_SECRET,
    ...env,
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: await app.getUrl(), close: () => app.close() };
}
