import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/open.ts';
import { ExportService, NDJSON, parametersQuery, parseExportKickOff } from '../fhir/export.ts';
import { operationOutcome, outcomeForError } from '../fhir/outcome.ts';
import { badRequest, StoreError } from '../store/errors.ts';
import { principalOf } from './authentication.ts';
import { FHIR_JSON } from './errors.ts';

/** Seconds a client is asked to wait between two status requests. */
const RETRY_AFTER_SECONDS = 2;

export interface ExportRouteOptions {
  db: Database;
  /** Where export files are written (`EXPORT_DIR`); a directory under the system's temporary one when absent. */
  dir?: string | undefined;
}

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** A StoreError (bad request, not found, forbidden) as its OperationOutcome; anything else is the app's 500. */
function fhirErrors(handler: Handler): Handler {
  return async (req, reply) => {
    try {
      return await handler(req, reply);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      const { status, outcome } = outcomeForError(err);
      return reply.code(status).type(FHIR_JSON).send(outcome);
    }
  };
}

/**
 * FHIR Bulk Data export (asynchronous pattern): kick-off `GET|POST /fhir/$export` and `/fhir/<Type>/$export`,
 * status `GET|DELETE /fhir/$export-status/<job>`, files `GET /fhir/$export-file/<job>/<Type>.ndjson`. Jobs run
 * in this process (see {@link ExportService}); those it left unfinished at its last stop are marked failed when
 * the app is ready.
 */
export function registerExportRoutes(app: FastifyInstance, options: ExportRouteOptions): void {
  const service = new ExportService(options.db, {
    dir: options.dir ?? path.join(os.tmpdir(), 'ror-exports'),
    onError: (err, job) => app.log.error({ err, job }, 'export job failed'),
  });
  app.addHook('onReady', async () => {
    await service.recover();
  });
  app.addHook('onClose', async () => service.close());

  const base = (req: FastifyRequest): string => `${req.protocol}://${req.host}/fhir`;

  const kickOff = fhirErrors(async (req, reply) => {
    const { type } = req.params as { type?: string };
    const query = req.query as Record<string, string | string[]>;
    if (req.method === 'POST' && Object.keys(query).length > 0) throw badRequest('POST $export takes its parameters in the Parameters body, not in the URL');
    const prefer = typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined;
    const params = parseExportKickOff(type, req.method === 'POST' ? parametersQuery(req.body) : query, prefer);
    const id = await service.kickOff(principalOf(req), params, `${req.protocol}://${req.host}${req.url}`);
    return reply
      .code(202)
      .header('content-location', `${base(req)}/$export-status/${id}`)
      .type(FHIR_JSON)
      .send(operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `Export job ${id} accepted` }]));
  });
  for (const url of ['/fhir/$export', '/fhir/:type/$export']) {
    app.get(url, kickOff);
    app.post(url, kickOff);
  }

  app.get(
    '/fhir/$export-status/:id',
    fhirErrors(async (req, reply) => {
      const { id } = req.params as { id: string };
      const status = await service.status(principalOf(req), id, base(req));
      switch (status.state) {
        case 'in-progress':
          return reply.code(202).header('x-progress', status.progress).header('retry-after', String(RETRY_AFTER_SECONDS)).send();
        case 'failed':
          return reply.code(500).type(FHIR_JSON).send(status.outcome);
        case 'completed':
          return reply.code(200).type('application/json').send(status.manifest);
      }
    }),
  );

  app.delete(
    '/fhir/$export-status/:id',
    fhirErrors(async (req, reply) => {
      const { id } = req.params as { id: string };
      await service.cancel(principalOf(req), id);
      return reply
        .code(202)
        .type(FHIR_JSON)
        .send(operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `Export job ${id} cancelled and its files deleted` }]));
    }),
  );

  app.get(
    '/fhir/$export-file/:job/:file',
    fhirErrors(async (req, reply) => {
      const { job, file } = req.params as { job: string; file: string };
      const found = await service.file(principalOf(req), job, file);
      return reply.type(NDJSON).send(fs.createReadStream(found));
    }),
  );
}
