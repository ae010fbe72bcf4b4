import { existsSync } from 'node:fs';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory.js';
import { describeBootError } from './config/boot-error.js';
import { loadConfig } from './config/load-config.js';
import { assertDataDirFree } from './database/data-dir-lock.js';

async function main(): Promise<void> {
  // A .env file in the working directory fills in what the environment leaves unset.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  if (config.database.kind === 'embedded') assertDataDirFree(config.database.dataDir);
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  const logger = app.get(Logger);
  // Drain, then exit 0: Fastify stops accepting, in-flight webhooks finish (each is
  // acknowledged only after its commit), then the database closes.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: finishing in-flight requests`, 'Bootstrap');
      const force = setTimeout(() => {
        process.stderr.write('shutdown took longer than 25 s; exiting\n');
        process.exit(1);
      }, 25_000);
      force.unref();
      app.close().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`shutdown failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
  logger.log(
    `stripe-crm-bridge listening on ${await app.getUrl()} (profile ${config.profile}, database ${config.database.kind})`,
    'Bootstrap',
  );
}

main().catch((err: unknown) => {
  // Boot failures are read by a person at a terminal: say what to fix, print no secret.
  process.stderr.write(`${describeBootError(err, process.env)}\n`);
  process.exit(1);
});
