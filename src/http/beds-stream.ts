import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { crisisConcerns, type BedBoard, type BoardFilter } from '../beds/board.ts';
import { principalOf } from './authentication.ts';
import { HttpError } from './errors.ts';

export interface BedStreamOptions {
  board: BedBoard;
  /** Reads (and checks) the stream's filter from the request; throws a 400 HttpError. */
  filterOf: (req: FastifyRequest) => BoardFilter;
  heartbeatMs?: number;
  /** A stream is ended after this long: the client reconnects (with Last-Event-ID) and is authenticated again. */
  maxDurationMs?: number;
  /** A client this far behind (bytes not yet sent) is disconnected; it resumes from its last event. */
  maxBufferedBytes?: number;
}

interface StreamClient {
  principal: Principal;
  filter: BoardFilter;
  res: ServerResponse;
}

/** Changes are resent from this long before the Last-Event-ID, so that no change applied meanwhile is missed. */
const RESUME_MARGIN_MS = 2000;

const frame = (event: string, id: string, data: unknown): string => `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;

function send(res: ServerResponse, event: string, id: string, data: unknown): void {
  res.write(frame(event, id, data));
}

/**
 * `GET /api/beds/stream`: Server-Sent Events of the board, with the filters of `GET /api/beds`. Each `unit`
 * event carries the unit as the caller is served it, `unit-removed` a unit that left the board, `crisis` the
 * crises in force. Event ids are instants (ms); `Last-Event-ID` (or `lastEventId`) resends what changed since.
 */
export function registerBedStream(app: FastifyInstance, options: BedStreamOptions): void {
  const { board } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxDurationMs = options.maxDurationMs ?? 30 * 60_000;
  const maxBuffered = options.maxBufferedBytes ?? 1 << 20;
  const clients = new Set<StreamClient>();

  const dropIfBehind = (c: StreamClient): boolean => {
    if (c.res.writableLength <= maxBuffered) return false;
    clients.delete(c);
    c.res.end();
    return true;
  };

  /**
   * Sends the units among `ids` that match the client's filter, as its profile is served them; `cache` keeps each
   * unit's event text per profile, so that a change is serialised once for all the clients of one profile.
   */
  const pushUnits = (c: StreamClient, ids: readonly string[], eventId: string, cache = new Map<string, string | null>()): void => {
    for (const id of ids) {
      const unit = board.unit(id);
      if (!unit) {
        send(c.res, 'unit-removed', eventId, { id });
        continue;
      }
      if (!board.matches(unit, c.filter)) continue;
      const key = `${c.principal.profile}|${id}`;
      let text = cache.get(key);
      if (text === undefined) {
        const served = board.serve(c.principal, id);
        text = served ? frame('unit', eventId, served) : null;
        cache.set(key, text);
      }
      if (text !== null) c.res.write(text);
    }
  };

  const crisesFor = (c: StreamClient): unknown => ({
    crises: board.activeCrises().filter((k) => crisisConcerns(k, c.filter)),
  });

  board.listen((ids, kind) => {
    const eventId = String(Date.now());
    const cache = new Map<string, string | null>();
    for (const c of clients) {
      if (kind === 'crisis') send(c.res, 'crisis', eventId, crisesFor(c));
      else pushUnits(c, ids, eventId, cache);
      dropIfBehind(c);
    }
  });

  app.get('/api/beds/stream', async (req, reply) => {
    const filter = options.filterOf(req);
    const principal = principalOf(req);
    const header = req.headers['last-event-id'];
    const query = (req.query as Record<string, string | undefined>).lastEventId;
    const last = typeof header === 'string' ? header : query;
    if (last !== undefined && !/^\d{1,16}$/.test(last)) throw new HttpError(400, 'invalid-parameter', `Last-Event-ID invalide « ${last} » : identifiant d’événement (instant en ms) attendu.`);
    await board.settled();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n\n`);
    const client: StreamClient = { principal, filter, res };
    clients.add(client);
    const eventId = String(Date.now());
    if (last !== undefined) {
      const { changed, removed } = board.changedSince(Number(last) - RESUME_MARGIN_MS);
      pushUnits(client, [...changed, ...removed], eventId);
    }
    send(res, 'ready', eventId, { crises: (crisesFor(client) as { crises: unknown[] }).crises });
    const heartbeat = setInterval(() => {
      res.write(': ping\n\n');
      dropIfBehind(client);
    }, heartbeatMs);
    const end = setTimeout(() => res.end(), maxDurationMs);
    const cleanup = (): void => {
      clearInterval(heartbeat);
      clearTimeout(end);
      clients.delete(client);
    };
    res.on('close', cleanup);
    res.on('error', cleanup);
  });

  app.addHook('preClose', async () => {
    for (const c of clients) c.res.end();
    clients.clear();
  });
}
