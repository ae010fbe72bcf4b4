import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';

const wantsRawBody = (req: FastifyRequest): boolean =>
  (req.routeOptions.config as { rawBody?: boolean } | undefined)?.rawBody === true;

/**
 * Routes marked `@RouteConfig({ rawBody: true })` (the Stripe webhook) receive the body as the
 * exact bytes sent, whatever its content type, because signatures are computed over them.
 * Every other route gets JSON parsed as usual; anything else is refused with 415.
 */
export function configureBodyParsing(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (req, body: Buffer, done) => {
      if (wantsRawBody(req)) return done(null, body);
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body.toString('utf8')));
      } catch {
        done(
          new AppError('invalid', 'invalid_json', 'The request body is not valid JSON.'),
          undefined,
        );
      }
    },
  );
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (req, body: Buffer, done) => {
    if (wantsRawBody(req)) return done(null, body);
    done(
      new AppError(
        'unsupported_media_type',
        'unsupported_media_type',
        'Send the request body as application/json.',
      ),
      undefined,
    );
  });
}
