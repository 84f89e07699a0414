import type { Location } from '@medplum/fhirtypes';
import { CAPACITY_SOURCE, CAPACITY_TEMPORALITY, TEMPORARY_ASSIGNMENT, capacityKeyOf, getCapacities, setCapacities, type CapacityEntry } from '../model/capacity.ts';
import { VALUE_SET } from '../model/urls.ts';
import { inValueSet } from './codes.ts';
import { BedError } from './errors.ts';

/** One figure to set: the entry of this key gets this count (and today's date); `remove` deletes the entry. */
export interface CountInput {
  /** statutCapacite, JDV_J188 */
  status: string;
  count?: number;
  /** natureCapacite, JDV_J187 (default 01 lit) */
  capacityType?: string;
  /** temporaliteCapacite, JDV_J189 (default 01 courant) */
  temporality?: string;
  gender?: string;
  closingType?: string;
  additionalBedType?: string;
  crisisType?: string;
  /** affectationTemporaire, JDV_J195 (default 01 aucune) */
  temporaryAssignment?: string;
  comment?: string;
  remove?: boolean;
}

/** The counts of one unit to set in one call (`PUT /api/beds/units/{id}`). */
export interface UnitUpdate {
  counts: CountInput[];
  /** typeSourceCapacite, JDV_J193 (default 01 saisie manuelle) */
  source?: string;
}

const CODED: readonly [keyof CountInput, string, string][] = [
  ['status', VALUE_SET.J188, 'statut (JDV_J188 : 01 installé, 02 disponible, 03 occupé, 04 réservé, 05 fermé, 06 supplémentaire)'],
  ['capacityType', VALUE_SET.J187, 'nature (JDV_J187 : 01 lit, 02 place)'],
  ['temporality', VALUE_SET.J189, 'temporalité (JDV_J189 : 01 courant, 02 +1 h, 03 +24 h, 04 +48 h, 05 +7 j)'],
  ['gender', VALUE_SET.J190, 'genre (JDV_J190 : 01 femme, 02 homme, 03 indifférencié, 04 indéterminé)'],
  ['closingType', VALUE_SET.J191, 'type de fermeture (JDV_J191)'],
  ['additionalBedType', VALUE_SET.J192, 'type de lits supplémentaires (JDV_J192)'],
  ['crisisType', VALUE_SET.J194, 'type de crise (JDV_J194)'],
  ['temporaryAssignment', VALUE_SET.J195, 'affectation temporaire (JDV_J195)'],
];
const FIELDS = new Set<string>(['status', 'count', 'capacityType', 'temporality', 'gender', 'closingType', 'additionalBedType', 'crisisType', 'temporaryAssignment', 'comment', 'remove']);
const MAX_COUNTS = 100;
const MAX_BEDS = 100_000;

const bad = (message: string): BedError => new BedError(400, 'invalid-body', message);

/** Reads and checks a request body: every field known, every code of its value set, counts non-negative integers. */
export function parseUnitUpdate(body: unknown): UnitUpdate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('Corps JSON attendu : { "counts": [{ "status": "02", "count": 3 }, …], "source": "01" }.');
  const { counts, source, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw bad(`Champ inconnu « ${extra[0]} » (attendus : counts, source).`);
  if (!Array.isArray(counts) || counts.length === 0 || counts.length > MAX_COUNTS) throw bad(`counts : liste de 1 à ${MAX_COUNTS} chiffres attendue.`);
  if (source !== undefined && !inValueSet(VALUE_SET.J193, source)) throw bad(`source : code du JDV_J193 attendu (01 saisie manuelle, 02 bed management, 03 GAM, 04 DPI), reçu « ${String(source)} ».`);
  const parsed = counts.map((c: unknown, i): CountInput => {
    const at = `counts[${i}]`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw bad(`${at} : objet attendu.`);
    const input = c as Record<string, unknown>;
    const unknown = Object.keys(input).find((k) => !FIELDS.has(k));
    if (unknown !== undefined) throw bad(`${at}.${unknown} : champ inconnu.`);
    for (const [field, vs, what] of CODED) {
      const v = input[field];
      if ((field === 'status' || v !== undefined) && !inValueSet(vs, v)) throw bad(`${at}.${field} : ${what} attendu, reçu « ${String(v)} ».`);
    }
    if (input.remove !== undefined && typeof input.remove !== 'boolean') throw bad(`${at}.remove : booléen attendu.`);
    if (input.remove !== true) {
      const n = input.count;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_BEDS) throw bad(`${at}.count : entier positif ou nul attendu (0 = saturé mais ouvert), reçu « ${String(n)} ».`);
    } else if (input.count !== undefined) {
      throw bad(`${at} : count et remove s’excluent.`);
    }
    if (input.comment !== undefined && (typeof input.comment !== 'string' || input.comment.length > 500)) throw bad(`${at}.comment : texte de 500 caractères au plus attendu.`);
    return input as unknown as CountInput;
  });
  return { counts: parsed, ...(source !== undefined ? { source: source as string } : {}) };
}

function entryOf(c: CountInput, source: string, at: string): CapacityEntry {
  const e: CapacityEntry = {
    capacityType: c.capacityType ?? '01',
    capacityStatus: c.status,
    temporality: c.temporality ?? CAPACITY_TEMPORALITY.courant,
    nbCapacity: c.count ?? 0,
    sourceType: source,
    updateDate: at,
    temporaryAssignment: c.temporaryAssignment ?? TEMPORARY_ASSIGNMENT.aucune,
  };
  if (c.gender !== undefined) e.gender = c.gender;
  if (c.closingType !== undefined) e.closingType = c.closingType;
  if (c.additionalBedType !== undefined) e.additionalBedType = c.additionalBedType;
  if (c.crisisType !== undefined) e.crisisType = c.crisisType;
  if (c.comment !== undefined) e.comment = c.comment;
  return e;
}

/**
 * The Location with `update` applied: each count replaces the entry of the same full key (or is added), dated
 * `at`; the other entries stay as they are. Setting the same counts again gives the same entries, newly dated:
 * re-sending a figure confirms it.
 */
export function applyUnitUpdate(location: Location, update: UnitUpdate, at: string): Location {
  const source = update.source ?? CAPACITY_SOURCE.saisieManuelle;
  const entries = getCapacities(location);
  const seen = new Set<string>();
  for (const [i, c] of update.counts.entries()) {
    const entry = entryOf(c, source, at);
    const key = capacityKeyOf(entry);
    if (seen.has(key)) throw bad(`counts[${i}] : ce chiffre est déjà donné plus haut dans la liste.`);
    seen.add(key);
    const found = entries.findIndex((e) => capacityKeyOf(e) === key);
    if (c.remove === true) {
      if (found < 0) throw new BedError(404, 'not-found', `counts[${i}] : l’unité ne publie pas ce chiffre, il ne peut pas être retiré.`);
      entries.splice(found, 1);
    } else if (found >= 0) {
      entries[found] = entry;
    } else {
      entries.push(entry);
    }
  }
  const next = structuredClone(location);
  setCapacities(next, entries);
  return next;
}
