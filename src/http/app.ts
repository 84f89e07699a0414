import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { handleFhirRequest } from '../fhir/router.ts';
import { operationOutcome } from '../fhir/outcome.ts';
import type { Repository } from '../store/repository.ts';

export interface AppOptions {
  repo: Repository;
  logger?: boolean | { level: string };
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}/fhir`;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 5 * 1024 * 1024 });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/', async (_req, reply) => {
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>ROR — Répertoire Opérationnel des Ressources</title></head>
<body><h1>ROR — Répertoire Opérationnel des Ressources</h1>
<p>Description de l'offre de santé (structures, établissements, offres opérationnelles, lieux, capacités).</p>
<p>API FHIR R4 : <a href="/fhir/metadata">/fhir/metadata</a></p></body></html>`;
  });

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/fhir/*',
    handler: async (req, reply) => {
      const params = req.params as { '*': string };
      const res = await handleFhirRequest(
        {
          method: req.method,
          path: params['*'],
          query: req.query as Record<string, string | string[]>,
          baseUrl: baseUrl(req),
        },
        { repo: opts.repo },
      );
      reply.code(res.status).headers(res.headers).type(FHIR_JSON);
      return res.body;
    },
  });

  app.setNotFoundHandler(async (req, reply) => {
    reply.code(404);
    if (req.url.startsWith('/fhir')) {
      reply.type(FHIR_JSON);
      return operationOutcome([{ severity: 'error', code: 'not-found', diagnostics: `${req.method} ${req.url} not found` }]);
    }
    return { error: { code: 'not_found', message: `${req.method} ${req.url} not found` } };
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    const message = status === 500 ? 'Internal server error' : err.message;
    reply.code(status);
    if (req.url.startsWith('/fhir')) {
      reply.type(FHIR_JSON);
      return operationOutcome([{ severity: 'error', code: status === 500 ? 'exception' : 'invalid', diagnostics: message }]);
    }
    return { error: { code: status === 500 ? 'internal' : 'bad_request', message } };
  });

  return app;
}
