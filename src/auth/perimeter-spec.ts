import { IDENTIFIER_SYSTEM, VALUE_SET } from '../model/index.ts';
import { concepts } from '../nos/index.ts';
import type { Repository } from '../store/repository.ts';
import { searchResources } from '../store/search.ts';
import { AuthError } from './errors.ts';
import { EMPTY_PERIMETER, type Perimeter, type Role } from './principal.ts';

type Part = 'regions' | 'organizations' | 'services' | 'locations';
type ResourcePart = Exclude<Part, 'regions'>;

const TYPE_OF_PART: Readonly<Record<ResourcePart, string>> = {
  organizations: 'Organization',
  services: 'HealthcareService',
  locations: 'Location',
};

/** What each holder's perimeter may name; at least one entry is required when `required`. */
const ANYTHING = {
  parts: ['regions', 'organizations', 'services', 'locations'],
  required: false,
  expected: 'des régions, Organization, HealthcareService ou Location',
} as const;
const SPEC: Readonly<Record<Role | 'client', { parts: readonly Part[]; required: boolean; expected: string }>> = {
  'national-admin': { parts: [], required: false, expected: 'aucun identifiant (périmètre national)' },
  'regional-admin': { parts: ['regions'], required: true, expected: 'des codes région JDV_J237 (ex. 52)' },
  referent: {
    parts: ['organizations'],
    required: true,
    expected: 'des Organization (eg-440000271, Organization/ej-440000289) ou des numéros FINESS',
  },
  'capacity-operator': {
    parts: ['services', 'locations'],
    required: true,
    expected: 'des Location ou HealthcareService (Location/…, HealthcareService/…, ou un id seul)',
  },
  reader: ANYTHING,
  client: ANYTHING,
};

const FINESS = /^(?:\d{2}|2[AB])\d{7}$/;

/**
 * The perimeter named by `ids` for an account of `holder`'s role, or for an API client (`'client'`: no ids
 * means a read-only client, which may write nowhere). Ids are region codes (`52`), FINESS numbers (resolved to
 * their Organizations), `Type/id` references or bare ids (looked up in the types the holder may name).
 * Throws `AuthError(400, 'invalid-perimeter')` naming every id that is unknown or not allowed.
 */
export async function resolvePerimeter(repo: Repository, holder: Role | 'client', ids: string[]): Promise<Perimeter> {
  const spec = SPEC[holder];
  if (holder === 'national-admin') {
    if (ids.length > 0) throw invalid(`un administrateur national a un périmètre national : ${spec.expected}, reçu ${ids.join(', ')}`);
    return { ...EMPTY_PERIMETER, national: true };
  }
  if (spec.required && ids.length === 0) throw invalid(`le rôle ${holder} demande un périmètre : ${spec.expected}`);
  const perimeter: Perimeter = { national: false, regions: [], organizations: [], services: [], locations: [] };
  const unresolved: string[] = [];
  for (const raw of ids) {
    const found = await resolveOne(repo, spec.parts, raw.trim());
    if (found.length === 0) unresolved.push(raw);
    for (const [part, id] of found) if (!perimeter[part].includes(id)) perimeter[part].push(id);
  }
  if (unresolved.length > 0) throw invalid(`identifiants introuvables ou non admis pour ${holder} (${spec.expected}) : ${unresolved.join(', ')}`);
  return perimeter;
}

function invalid(message: string): AuthError {
  return new AuthError(400, 'invalid-perimeter', `Périmètre invalide : ${message}.`);
}

async function resolveOne(repo: Repository, parts: readonly Part[], id: string): Promise<[Part, string][]> {
  const slash = id.indexOf('/');
  if (slash > 0) {
    const type = id.slice(0, slash);
    const part = (Object.keys(TYPE_OF_PART) as ResourcePart[]).find((p) => TYPE_OF_PART[p] === type);
    return part && parts.includes(part) ? existing(repo, [part], id.slice(slash + 1)) : [];
  }
  if (parts.includes('regions') && concepts(VALUE_SET.J237).some((c) => c.code === id)) return [['regions', id]];
  if (parts.includes('organizations') && FINESS.test(id)) {
    const { resources } = await searchResources(repo.db, {
      resourceType: 'Organization',
      filters: [{ kind: 'token', code: 'identifier', values: [{ system: IDENTIFIER_SYSTEM.finess, code: id }], not: false }],
      count: 10,
      offset: 0,
      total: false,
    });
    return resources.map((r) => ['organizations', r.id as string]);
  }
  return existing(repo, parts.filter((p): p is ResourcePart => p !== 'regions'), id);
}

/** `[part, id]` for each of `parts` whose resource type has a current resource `id`. */
async function existing(repo: Repository, parts: ResourcePart[], id: string): Promise<[Part, string][]> {
  const found: [Part, string][] = [];
  for (const part of parts) {
    if ((await repo.readCurrent(TYPE_OF_PART[part], [id])).has(id)) found.push([part, id]);
  }
  return found;
}
