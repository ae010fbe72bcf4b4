import { DataSource, MigrationExecutor, type DataSourceOptions } from 'typeorm';
import { type DatabaseConfig } from '../config/app-config.js';
import { InboxEvent } from '../sync/inbox/inbox-event.entity.js';
import { startEmbeddedPostgres, type EmbeddedEndpoint } from './embedded-postgres.js';
import { loadMigrations } from './migrations-path.js';
import { FieldMapping } from '../mapping/field-mapping.entity.js';
import { ObjectMapping } from '../mapping/object-mapping.entity.js';
import { Link } from '../links/link.entity.js';

export const ENTITIES = [InboxEvent, ObjectMapping, FieldMapping, Link];

/** Arbitrary constant key: only one process runs migrations at a time. */
const MIGRATION_LOCK_KEY = 727_001;

/**
 * A TypeORM DataSource that owns the embedded server when there is one, so closing the data
 * source (Nest shutdown, CLI exit, test teardown) also stops PGlite, in the right order.
 */
export class BridgeDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    readonly embedded: EmbeddedEndpoint | null,
  ) {
    super(options);
  }

  get isEmbedded(): boolean {
    return this.embedded !== null;
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.embedded?.stop();
    }
  }

  /** Runs pending migrations; returns the names of those it ran. */
  async migrateLatest(): Promise<string[]> {
    const ran = await this.withMigrationLock((executor) => executor.executePendingMigrations());
    return ran.map((m) => m.name);
  }

  async revertLast(): Promise<void> {
    await this.withMigrationLock((executor) => executor.undoLastMigration());
  }

  /**
   * Migrations run on one connection that holds an advisory lock, so replicas booting at once
   * take turns, and a pool of one (embedded) is not starved by its own lock.
   */
  private async withMigrationLock<T>(
    work: (executor: MigrationExecutor) => Promise<T>,
  ): Promise<T> {
    const runner = this.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const executor = new MigrationExecutor(this, runner);
      executor.transaction = 'each';
      return await work(executor);
    } finally {
      await runner
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
      await runner.release();
    }
  }

  /** True when every migration shipped with this build has been applied. */
  async migrationsApplied(): Promise<boolean> {
    return !(await this.showMigrations());
  }
}

/** Builds (does not connect) the data source for either database kind. */
export async function createBridgeDataSource(db: DatabaseConfig): Promise<BridgeDataSource> {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: await loadMigrations(),
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
  };
  if (db.kind === 'postgres') {
    return new BridgeDataSource(
      { ...common, url: db.url, poolSize: db.poolSize, extra: { connectionTimeoutMillis: 5_000 } },
      null,
    );
  }
  const embedded = await startEmbeddedPostgres(db.dataDir);
  return new BridgeDataSource(
    {
      ...common,
      host: embedded.host,
      port: embedded.port,
      username: 'postgres',
      database: 'postgres',
      // The single connection is what serialises work on the single PGlite session.
      poolSize: 1,
    },
    embedded,
  );
}

/** Connects, and runs migrations when asked; on failure nothing is left running. */
export async function openBridgeDataSource(
  db: DatabaseConfig,
  opts: { migrate: boolean },
): Promise<BridgeDataSource> {
  const ds = await createBridgeDataSource(db);
  try {
    await ds.initialize();
    if (opts.migrate) await ds.migrateLatest();
    return ds;
  } catch (err) {
    await ds.destroy().catch(() => undefined);
    throw err;
  }
}
