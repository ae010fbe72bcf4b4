import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../../app.module.js';
import { describeBootError } from '../../config/boot-error.js';
import { loadConfig } from '../../config/load-config.js';
import { BackfillService } from './backfill.service.js';

const USAGE = `usage: npm run backfill -- --object customer [--connector hubspot]
       [--concurrency 3] [--writeback-rate 25 | --no-writeback]`;

/**
 * `npm run backfill -- --object customer`: links every existing Stripe customer to the CRM,
 * then writes the CRM ids back to Stripe. Interrupt it at any time: the next run resumes
 * after the last committed page. Safe to run while the service handles webhooks.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      object: { type: 'string' },
      connector: { type: 'string' },
      concurrency: { type: 'string', default: '3' },
      'writeback-rate': { type: 'string', default: '25' },
      'no-writeback': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.object) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  // No workers or pollers in the CLI: the service does that work; this process only backfills.
  const config = loadConfig({ ...process.env, SYNC_WORKERS: '0' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const backfill = app.get(BackfillService);
  const started = Date.now();
  const runs = await backfill.run({
    object: values.object,
    ...(values.connector ? { connector: values.connector } : {}),
    concurrency: Number(values.concurrency),
  });
  for (const r of runs) {
    process.stdout.write(
      `${r.connector}: ${r.done} ${r.stripeObject} objects — created ${r.created}, linked ${r.linked}, already linked/unchanged ${r.skipped}, ambiguous ${r.ambiguous}, failed ${r.failed} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  }
  if (!values['no-writeback']) {
    const n = await backfill.drainWritebacks({
      object: values.object,
      ratePerSecond: Number(values['writeback-rate']),
    });
    process.stdout.write(`wrote the CRM id back to ${n} Stripe objects\n`);
  }
  await app.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${describeBootError(err, process.env)}\n`);
  process.exit(1);
});
