import { type DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { loggerParams } from './ops/logging.js';
import { MetricsModule } from './ops/metrics.module.js';
import { OpsModule } from './ops/ops.module.js';
import { StripeModule } from './stripe/stripe.module.js';
import { SyncModule } from './sync/sync.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config.logLevel)),
        MetricsModule,
        DatabaseModule.forRoot(config),
        StripeModule,
        SyncModule,
        OpsModule,
        AdminModule,
      ],
    };
  }
}
