import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type AppConfig } from '../config/app-config.js';
import { openBridgeDataSource } from './bridge-data-source.js';

/**
 * The TypeORM data source, on Postgres or embedded PGlite. Nest's TypeORM module gives us
 * retries at boot, injection and closing at shutdown; building and migrating is ours.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          // These options only steer Nest's retry loop; the data source is built below.
          useFactory: () => ({ type: 'postgres', retryAttempts: 2, retryDelay: 1_000 }),
          dataSourceFactory: () =>
            openBridgeDataSource(config.database, { migrate: config.migrationsRun }),
        }),
      ],
    };
  }
}
