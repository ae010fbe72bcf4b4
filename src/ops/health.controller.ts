import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { BridgeDataSource } from '../database/bridge-data-source.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  /** The process is up and its event loop answers; says nothing about dependencies. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready for traffic: the database answers and every shipped migration is applied. A failed
   * check answers 503 with Terminus' usual body, which says which check failed and why.
   */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.checkReady();
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  private checkReady(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2_000 }),
      async () => {
        const check = this.indicators.check('migrations');
        const ds = this.dataSource as BridgeDataSource;
        try {
          return (await ds.migrationsApplied())
            ? check.up()
            : check.down({
                message:
                  'pending migrations: run `npm run migration:run` or set MIGRATIONS_RUN=true',
              });
        } catch (err) {
          return check.down({ message: (err as Error).message });
        }
      },
    ]);
  }
}
