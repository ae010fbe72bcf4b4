import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { throttleAdminRoutes } from './admin/admin-routes.js';
import { serveApiDocs } from './admin/openapi.js';
import { AppModule } from './app.module.js';
import { configureBodyParsing } from './common/body-parsing.js';
import { type AppConfig } from './config/app-config.js';
import { MetricsService } from './ops/metrics.service.js';

/**
 * Builds the application (used by main.ts and the tests): Fastify, our body parsing,
 * structured logs, latency metrics and a clean drain on close. Does not listen; main.ts owns
 * the process signals.
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.webhookBodyLimitBytes,
    // Answer 503 to requests arriving on kept-alive sockets while we drain.
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  configureBodyParsing(fastify, config.webhookBodyLimitBytes);

  // While draining, answers carry `Connection: close`: a kept-alive socket that was busy when
  // shutdown began would otherwise hold the server open until its keep-alive timeout.
  let draining = false;
  fastify.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });

  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.httpDuration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });

  await throttleAdminRoutes(app, config.adminRateLimitPerMinute);
  serveApiDocs(app);
  for (const notice of config.notices) app.get(Logger).log(notice, 'Config');
  if (!config.hubspot && !config.salesforce) {
    // Webhooks are still verified and stored, so nothing is lost; but a newcomer should know.
    app
      .get(Logger)
      .warn(
        'no CRM is configured: Stripe webhooks are received and stored, but nothing will sync until you set HUBSPOT_ACCESS_TOKEN or SALESFORCE_INSTANCE_URL with Salesforce credentials (see README, Configuration)',
        'Config',
      );
  }
  return app;
}
