import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HealthcareService, Location, Organization, Practitioner, PractitionerRole, Resource, Task } from '@medplum/fhirtypes';
import type { Database } from '../db/open.ts';
import { handleFhirRequest, type FhirRequest } from '../fhir/router.ts';
import { CAPACITY_STATUS, setCapacities } from '../model/index.ts';
import type { Repository } from '../store/repository.ts';
import {
  capacity,
  clientPrincipal,
  openAccessDataset,
  location,
  offer,
  organizationInternal,
  practitioner,
  role,
  SIDES,
  task,
  userPrincipal,
  type SideName,
} from './access.test-support.ts';
import type { Principal } from './principal.ts';

/**
 * The authorization matrix: every role × every write, on a target inside its perimeter (the side named) and on
 * one outside (the other side), through the FHIR router. Columns, in order:
 *
 *   Org (OI)  HealthcareService  Location (descriptive)  Location (capacities only)  PractitionerRole  Practitioner  Task
 *   c u d     c u d              c u d                   u                           c u d             c u d         c u d
 *
 * A = allowed (201 / 200 / 204), D = denied (403, nothing written, a `denied` audit row). Creating, moving or
 * deleting a Location as a whole is in the "Location (descriptive)" columns; the capacities column is the update
 * that changes only `ror-location-supported-capacity`.
 */
const MATRIX: Record<string, { principal: Principal; inside: SideName; expected: { inside: string; outside: string } }> = {
  'national admin': {
    principal: userPrincipal('m-national', 'national-admin', { national: true }, 1),
    inside: 'A',
    expected: { inside: 'AAA AAA AAA A AAA AAA AAA', outside: 'AAA AAA AAA A AAA AAA AAA' },
  },
  'regional admin 52': {
    principal: userPrincipal('m-region-52', 'regional-admin', { regions: ['52'] }, 1),
    inside: 'A',
    expected: { inside: 'AAA AAA AAA A AAA AAA AAA', outside: 'DDD DDD DDD D DDD DDD ADD' },
  },
  'regional admin 53': {
    principal: userPrincipal('m-region-53', 'regional-admin', { regions: ['53'] }, 1),
    inside: 'B',
    expected: { inside: 'AAA AAA AAA A AAA AAA AAA', outside: 'DDD DDD DDD D DDD DDD ADD' },
  },
  'referent of EJ CHU A': {
    principal: userPrincipal('m-referent', 'referent', { organizations: [SIDES.A.ej] }),
    inside: 'A',
    expected: { inside: 'AAA AAA AAA A AAA AAA AAA', outside: 'DDD DDD DDD D DDD DDD ADD' },
  },
  'capacity operator of the réanimation Location of CHU A': {
    principal: userPrincipal('m-capacity', 'capacity-operator', { locations: [SIDES.A.location] }),
    inside: 'A',
    expected: { inside: 'DDD DDD DDD A DDD DDD ADD', outside: 'DDD DDD DDD D DDD DDD ADD' },
  },
  reader: {
    principal: userPrincipal('m-reader', 'reader', {}),
    inside: 'A',
    expected: { inside: 'DDD DDD DDD D DDD DDD ADD', outside: 'DDD DDD DDD D DDD DDD ADD' },
  },
  'client write-capacities on the réanimation offer of CHU A': {
    principal: clientPrincipal('m-client-capacities', ['read', 'write-capacities'], { services: [SIDES.A.offer] }),
    inside: 'A',
    expected: { inside: 'DDD DDD DDD A DDD DDD ADD', outside: 'DDD DDD DDD D DDD DDD ADD' },
  },
  'client write-offer on EG CHU A': {
    principal: clientPrincipal('m-client-offer', ['read', 'write-offer'], { organizations: [SIDES.A.eg] }),
    inside: 'A',
    expected: { inside: 'AAA AAA AAA A AAA AAA AAA', outside: 'DDD DDD DDD D DDD DDD ADD' },
  },
};

type Operation = 'create' | 'update' | 'delete';

interface Write {
  name: string;
  type: string;
  operation: Operation;
  /** The id written, when the request names it (PUT, DELETE). */
  id?: (s: SideName) => string;
  body?: (s: SideName) => Promise<Resource>;
}

let db: Database;
let repo: Repository;

async function current<T extends Resource>(type: string, id: string): Promise<T> {
  const found = (await repo.readCurrent(type, [id])).get(id);
  assert.ok(found, `${type}/${id} exists`);
  return found as T;
}

function updateOf<T extends Resource>(type: string, id: (s: SideName) => string, change: (r: T) => T): Write {
  return { name: `${type} update`, type, operation: 'update', id, body: async (s) => change(await current<T>(type, id(s))) };
}

function deleteOf(type: string, id: (s: SideName) => string): Write {
  return { name: `${type} delete`, type, operation: 'delete', id };
}

function createOf(type: string, body: (s: SideName) => Resource): Write {
  return { name: `${type} create`, type, operation: 'create', body: async (s) => body(s) };
}

const side = (s: SideName): (typeof SIDES)[SideName] => SIDES[s];

/** The 19 columns of {@link MATRIX}, in order. */
const WRITES: Write[] = [
  createOf('Organization', (s) => organizationInternal(s, `oi-${s}-new`, '3', side(s).service)),
  updateOf<Organization>('Organization', (s) => side(s).unit, (r) => ({ ...r, name: `Unité renommée ${Date.now()}` })),
  deleteOf('Organization', (s) => side(s).unit),
  createOf('HealthcareService', (s) => offer(s, `hs-${s}-new`, side(s).service, side(s).location)),
  updateOf<HealthcareService>('HealthcareService', (s) => side(s).offer, (r) => ({ ...r, comment: `Mis à jour ${Date.now()}` })),
  deleteOf('HealthcareService', (s) => side(s).offer),
  createOf('Location', (s) => location(s, `loc-${s}-new`)),
  updateOf<Location>('Location', (s) => side(s).location, (r) => ({ ...r, description: `Décrit ${Date.now()}` })),
  deleteOf('Location', (s) => side(s).location),
  {
    ...updateOf<Location>('Location', (s) => side(s).location, (r) => {
      const next = structuredClone(r);
      setCapacities(next, [capacity(CAPACITY_STATUS.installe, 10), capacity(CAPACITY_STATUS.disponible, Math.floor(Math.random() * 10))]);
      return next;
    }),
    name: 'Location capacities update',
  },
  createOf('PractitionerRole', (s) => role(s, `pr-${s}-other`, side(s).practitioner, side(s).offer)),
  updateOf<PractitionerRole>('PractitionerRole', (s) => side(s).role, (r) => ({ ...r, active: true })),
  deleteOf('PractitionerRole', (s) => side(s).role),
  {
    name: 'Practitioner create (PUT, named by a role of the side)',
    type: 'Practitioner',
    operation: 'create',
    id: (s) => side(s).newPractitioner,
    body: async (s) => practitioner(s, side(s).newPractitioner, '10000000099'),
  },
  updateOf<Practitioner>('Practitioner', (s) => side(s).practitioner, (r) => ({ ...r, name: [{ family: 'Durand', given: ['Claire'] }] })),
  deleteOf('Practitioner', (s) => side(s).practitioner),
  createOf('Task', (s) => task(undefined, `HealthcareService/${side(s).offer}`)),
  updateOf<Task>('Task', (s) => side(s).task, (r) => ({ ...r, description: `Précisé ${Date.now()}` })),
  deleteOf('Task', (s) => side(s).task),
];

const SUCCESS: Record<Operation, number> = { create: 201, update: 200, delete: 204 };

interface State {
  versionId: number | null;
  deleted: boolean | null;
  history: number;
  ofType: number;
  denied: number;
}

async function stateOf(type: string, id: string | undefined, actorId: string): Promise<State> {
  const { rows } = await db.pool.query<{ version_id: number | null; deleted: boolean | null; history: string; of_type: string; denied: string }>(
    `SELECT (SELECT version_id FROM resource WHERE resource_type = $1 AND id = $2) AS version_id,
            (SELECT deleted FROM resource WHERE resource_type = $1 AND id = $2) AS deleted,
            (SELECT count(*) FROM resource_history WHERE resource_type = $1 AND id = $2) AS history,
            (SELECT count(*) FROM resource WHERE resource_type = $1) AS of_type,
            (SELECT count(*) FROM audit_event WHERE actor_id = $3 AND outcome = 'denied') AS denied`,
    [type, id ?? '', actorId],
  );
  const r = rows[0];
  assert.ok(r);
  return { versionId: r.version_id, deleted: r.deleted, history: Number(r.history), ofType: Number(r.of_type), denied: Number(r.denied) };
}

/** The newest write record (not a read of restricted fields) of an actor. */
async function lastAudit(actorId: string): Promise<{ action: string; outcome: string; resource_type: string; resource_id: string | null; detail: { reason?: string } | null }> {
  const { rows } = await db.pool.query(
    `SELECT action, outcome, resource_type, resource_id, detail FROM audit_event
     WHERE actor_id = $1 AND action IN ('create', 'update', 'delete') ORDER BY id DESC LIMIT 1`,
    [actorId],
  );
  assert.ok(rows[0], `an audit row for ${actorId}`);
  return rows[0];
}

before(async () => {
  ({ db, repo } = await openAccessDataset());
});
after(async () => {
  await db.close();
});

test('the matrix has one expectation per write and target', () => {
  for (const [name, row] of Object.entries(MATRIX)) {
    for (const where of ['inside', 'outside'] as const) {
      assert.match(row.expected[where].replace(/ /g, ''), new RegExp(`^[AD]{${WRITES.length}}$`), `${name} ${where}`);
    }
  }
});

for (const [roleName, row] of Object.entries(MATRIX)) {
  describe(roleName, () => {
    for (const where of ['inside', 'outside'] as const) {
      const s: SideName = where === 'inside' ? row.inside : row.inside === 'A' ? 'B' : 'A';
      const expected = row.expected[where].replace(/ /g, '');
      WRITES.forEach((w, i) => {
        const allowed = expected[i] === 'A';
        test(`${w.name} ${where} the perimeter is ${allowed ? 'allowed' : 'denied'}`, async () => {
          const p = row.principal;
          const id = w.id?.(s);
          const snapshot = id !== undefined && w.operation === 'delete' ? await current(w.type, id) : undefined;
          const body = await w.body?.(s);
          const stateBefore = await stateOf(w.type, id, p.id);
          const req: FhirRequest = {
            method: w.operation === 'delete' ? 'DELETE' : id !== undefined ? 'PUT' : 'POST',
            path: id !== undefined ? `${w.type}/${id}` : w.type,
            query: {},
            baseUrl: 'http://ror.test/fhir',
            ...(body !== undefined ? { body } : {}),
          };
          const res = await handleFhirRequest(req, { repo, principal: p });
          if (!allowed) {
            assert.equal(res.status, 403, JSON.stringify(res.body));
            const diagnostics = (res.body as { issue?: { code: string; diagnostics?: string }[] }).issue?.[0];
            assert.equal(diagnostics?.code, 'forbidden');
            assert.match(diagnostics?.diagnostics ?? '', new RegExp(`^Accès refusé à ${p.label}`));
            const stateAfter = await stateOf(w.type, id, p.id);
            assert.deepEqual({ ...stateAfter, denied: stateAfter.denied - 1 }, stateBefore, 'nothing written, one denied audit row');
            const audit = await lastAudit(p.id);
            assert.equal(audit.outcome, 'denied');
            assert.equal(audit.action, w.operation);
            assert.equal(audit.resource_type, w.type);
            assert.equal(audit.resource_id, id ?? null);
            assert.ok(audit.detail?.reason, 'the reason is recorded');
            return;
          }
          assert.equal(res.status, SUCCESS[w.operation], JSON.stringify(res.body));
          const writtenId = id ?? (res.body as Resource).id;
          assert.ok(writtenId);
          const audit = await lastAudit(p.id);
          assert.deepEqual([audit.outcome, audit.action, audit.resource_id], ['success', w.operation, writtenId]);
          if (w.operation === 'create') await repo.delete(w.type, writtenId);
          if (snapshot) await repo.update(snapshot);
        });
      });
    }
  });
}
