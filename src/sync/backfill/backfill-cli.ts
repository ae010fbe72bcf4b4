import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from '../../app.module.js';
import { describeBootError } from '../../config/boot-error.js';
import { loadConfig } from '../../config/load-config.js';
import { BridgeDataSource } from '../../database/bridge-data-source.js';
import { assertDataDirFree } from '../../database/data-dir-lock.js';
import { BackfillDryRun, describeDryRun } from './backfill-dry-run.js';
import { BackfillService } from './backfill.service.js';

const USAGE = `usage: npm run backfill -- --object customer [--connector hubspot]
       [--concurrency 3] [--writeback-rate 25 | --no-writeback] [--dry-run [--json]]

  --dry-run   read both sides and report what the backfill would link, create and change
              on each side, writing nothing (no CRM or Stripe write, no database row)`;

/** The exit code of a run cancelled through the admin API (or stopped by a shutdown signal). */
const CANCELLED_EXIT = 3;

const out = (line: string) => process.stdout.write(`${line}\n`);

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
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.object) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const dryRun = values['dry-run'];
  if (existsSync('.env')) process.loadEnvFile('.env');
  // No workers or pollers in the CLI: the service does that work; this process only backfills.
  // It receives no webhooks, so it needs no signing secret. A dry run leaves the schema alone.
  const config = loadConfig(
    { ...process.env, SYNC_WORKERS: '0', ...(dryRun ? { MIGRATIONS_RUN: 'false' } : {}) },
    { listens: false },
  );
  // The service holding the embedded database: one line saying so, before Nest logs anything.
  if (config.database.kind === 'embedded') assertDataDirFree(config.database.dataDir);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const connector = values.connector ? { connector: values.connector } : {};

  if (dryRun) {
    const ds = app.get(DataSource);
    if (ds instanceof BridgeDataSource && !(await ds.migrationsApplied())) {
      throw new Error(
        'the database schema is behind this version: start the service once (or run `npm run migration:run`) before a dry run, which changes nothing',
      );
    }
    const reports = await app.get(BackfillDryRun).run({ object: values.object, ...connector });
    if (values.json) out(JSON.stringify(reports, null, 2));
    else for (const r of reports) describeDryRun(r).forEach(out);
    await app.close();
    return;
  }

  const backfill = app.get(BackfillService);
  const started = Date.now();
  const runs = await backfill.run({
    object: values.object,
    ...connector,
    concurrency: Number(values.concurrency),
  });
  for (const r of runs) {
    out(
      `${r.connector}: ${r.done} ${r.stripeObject} objects — created ${r.created}, linked ${r.linked}, already linked/unchanged ${r.skipped}, ambiguous ${r.ambiguous}, failed ${r.failed}; first-link differences ${r.differences} (sync_conflicts rows with first_link) (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    if (r.status === 'cancelled')
      out(
        `${r.connector}: backfill ${r.id} was cancelled through the admin API (POST /backfills/${r.id}/cancel) after ${r.done} objects; committed pages stay linked, and the next backfill resumes after them`,
      );
  }
  const stopped = runs.filter((r) => r.status !== 'done');
  if (stopped.length > 0) {
    // No write-back for a run that did not finish: the next run drains it.
    await app.close();
    process.exit(CANCELLED_EXIT);
  }
  if (!values['no-writeback']) {
    const n = await backfill.drainWritebacks({
      object: values.object,
      ratePerSecond: Number(values['writeback-rate']),
      onProgress: (p) =>
        out(
          `write-back to Stripe (${p.connector}): ${p.done}/${p.total} at ${p.perSecond}/s, ETA ${p.etaSeconds ?? '?'} s${p.failed > 0 ? `, ${p.failed} failed attempts (retried)` : ''}`,
        ),
    });
    out(`wrote the CRM id back to ${n} Stripe objects`);
  }
  await app.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${describeBootError(err, process.env)}\n`);
  process.exit(1);
});
