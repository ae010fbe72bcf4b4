import { type INestApplication } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { APP_VERSION } from '../common/app-info.js';

/** The admin API's OpenAPI document, built from the controllers and DTOs themselves. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('stripe-crm-bridge admin API')
    .setDescription(
      'Mappings (versions, preview, apply), conflicts, dead letters, links, backfill runs, status and the audit log. Every admin route takes `Authorization: Bearer <token>` (one of ADMIN_API_TOKEN). Every error is `{"statusCode","code","message","details"?}`; lists are `{"data": [...], "next_cursor"}` with `?limit=` (≤ 200) and `?cursor=`.',
    )
    .setVersion(APP_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'One of ADMIN_API_TOKEN' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI's own files, served from the swagger-ui-dist package. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>stripe-crm-bridge admin API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/docs-json', dom_id: '#swagger-ui', persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
</script></body></html>
`;

/**
 * The document at /docs-json (and /docs-yaml), the UI at /docs: public, like health and
 * metrics. The UI's three files are served here rather than through @fastify/static, whose
 * versions for this Fastify do not load under the test runner.
 */
export function serveApiDocs(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app), {
    ui: false,
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/docs', (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  for (const [file, type] of Object.entries(ASSETS)) {
    const body = readFileSync(join(dist, file));
    fastify.get(`/docs/${file}`, (_req, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=86400').send(body),
    );
  }
}
