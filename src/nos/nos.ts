import { readdirSync, readFileSync } from 'node:fs';
import { canonicalNosUrl, DESCRIPTION_FIXES, SYSTEM_BY_OID } from './defects.ts';
import { parseNosJson } from './parse.ts';

/** One code of a NOS code system, with its French label as published (absent when the source has none). */
export interface NosConcept {
  readonly system: string;
  readonly code: string;
  readonly display: string | undefined;
}

/** A NOS value set (JDV): its identity and its codes, in source order. */
export interface NosValueSet {
  /** e.g. `JDV-J17-ActiviteOperationnelle-ROR` */
  readonly id: string;
  /** e.g. `J17` */
  readonly shortId: string;
  /** canonical URL, as bound by the ROR IG */
  readonly url: string;
  /** `url` as written in the source file (differs from `url` for a few defective files) */
  readonly declaredUrl: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly systems: readonly string[];
  readonly concepts: readonly NosConcept[];
}

interface IndexedValueSet extends NosValueSet {
  readonly bySystem: ReadonlyMap<string, ReadonlyMap<string, NosConcept>>;
}

interface Hierarchy {
  readonly familleSystem: string;
  readonly activiteSystem: string;
  readonly familleByActivite: ReadonlyMap<string, string>;
  readonly activitesByFamille: ReadonlyMap<string, readonly string[]>;
}

interface Catalog {
  readonly valueSets: readonly IndexedValueSet[];
  readonly byRef: ReadonlyMap<string, IndexedValueSet>;
  /** system → code → concept, the label of the newest value set winning */
  readonly concepts: ReadonlyMap<string, ReadonlyMap<string, NosConcept>>;
  readonly hierarchy: Hierarchy;
}

const VALUESETS_DIR = new URL('./valuesets/', import.meta.url);
const HIERARCHY_FILE = 'ASS_A14-FamilleActivite-ActiviteOperationnelle-FHIR.json';

let catalog: Catalog | undefined;

function load(): Catalog {
  if (catalog) return catalog;
  const files = readdirSync(VALUESETS_DIR).filter((f) => f.endsWith('.json'));
  const valueSets: IndexedValueSet[] = [];
  let hierarchy: Hierarchy | undefined;
  for (const file of files.sort()) {
    const json = parseNosJson(readFileSync(new URL(file, VALUESETS_DIR), 'utf8'), file);
    if (file === HIERARCHY_FILE) hierarchy = readHierarchy(json, file);
    else valueSets.push(readValueSet(json, file));
  }
  if (!hierarchy) throw new Error(`NOS file ${HIERARCHY_FILE} is missing`);

  const byRef = new Map<string, IndexedValueSet>();
  const addRef = (ref: string, vs: IndexedValueSet): void => {
    const other = byRef.get(ref);
    if (other && other !== vs) throw new Error(`NOS value sets ${other.id} and ${vs.id} share the reference "${ref}"`);
    byRef.set(ref, vs);
  };
  for (const vs of valueSets) {
    for (const ref of [vs.id, vs.url, vs.declaredUrl, vs.shortId, `JDV_${vs.shortId}`, `JDV-${vs.shortId}`]) addRef(ref, vs);
  }

  const concepts = new Map<string, Map<string, NosConcept>>();
  const newestFirst = [...valueSets].sort((a, b) => b.version.localeCompare(a.version));
  for (const vs of newestFirst) {
    for (const c of vs.concepts) {
      let codes = concepts.get(c.system);
      if (!codes) concepts.set(c.system, (codes = new Map()));
      const known = codes.get(c.code);
      if (!known || (known.display === undefined && c.display !== undefined)) codes.set(c.code, c);
    }
  }
  catalog = { valueSets, byRef, concepts, hierarchy };
  return catalog;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function field(obj: Record<string, unknown>, name: string, file: string): string {
  const v = obj[name];
  if (typeof v !== 'string') throw new Error(`NOS file ${file}: "${name}" must be a string`);
  return v;
}

function list(obj: Record<string, unknown>, name: string, file: string): Record<string, unknown>[] {
  const v = obj[name];
  if (!Array.isArray(v) || !v.every(isRecord)) throw new Error(`NOS file ${file}: "${name}" must be an array of objects`);
  return v;
}

function conceptOid(concept: Record<string, unknown>): string | undefined {
  const designations = concept.designation;
  if (!Array.isArray(designations)) return undefined;
  for (const d of designations) {
    if (isRecord(d) && isRecord(d.use) && d.use.code === 'OID' && typeof d.value === 'string') return d.value.trim();
  }
  return undefined;
}

function readValueSet(json: unknown, file: string): IndexedValueSet {
  if (!isRecord(json) || json.resourceType !== 'ValueSet') throw new Error(`NOS file ${file} is not a ValueSet`);
  const id = field(json, 'id', file);
  const shortId = /^JDV-(J\d+)-/.exec(id)?.[1];
  if (!shortId) throw new Error(`NOS file ${file}: id "${id}" does not name a JDV`);
  const compose = json.compose;
  if (!isRecord(compose)) throw new Error(`NOS file ${file}: no compose`);
  if (compose.exclude !== undefined) throw new Error(`NOS file ${file}: compose.exclude is not supported`);

  const concepts: NosConcept[] = [];
  const bySystem = new Map<string, Map<string, NosConcept>>();
  for (const include of list(compose, 'include', file)) {
    if (include.filter !== undefined || include.valueSet !== undefined) {
      throw new Error(`NOS file ${file}: only enumerated concepts are supported`);
    }
    const declaredSystem = field(include, 'system', file);
    for (const raw of list(include, 'concept', file)) {
      const code = field(raw, 'code', file).trim();
      const system = declaredSystem || systemFromOid(raw, file, code);
      const display = typeof raw.display === 'string' && raw.display.trim() !== '' ? raw.display.trim() : undefined;
      let codes = bySystem.get(system);
      if (!codes) bySystem.set(system, (codes = new Map()));
      if (codes.has(code)) continue;
      const concept: NosConcept = { system, code, display };
      codes.set(code, concept);
      concepts.push(concept);
    }
  }

  const fix = DESCRIPTION_FIXES.get(id);
  let description = typeof json.description === 'string' ? json.description : '';
  if (fix && description === fix.wrong) description = fix.right;
  return {
    id,
    shortId,
    url: canonicalNosUrl(id),
    declaredUrl: field(json, 'url', file),
    name: field(json, 'name', file),
    version: field(json, 'version', file),
    description,
    systems: [...bySystem.keys()],
    concepts,
    bySystem,
  };
}

function systemFromOid(concept: Record<string, unknown>, file: string, code: string): string {
  const oid = conceptOid(concept);
  const system = oid ? SYSTEM_BY_OID.get(oid) : undefined;
  if (!system) throw new Error(`NOS file ${file}: code ${code} has no system and no known code-system OID (${oid ?? 'none'})`);
  return system;
}

function readHierarchy(json: unknown, file: string): Hierarchy {
  if (!isRecord(json) || json.resourceType !== 'ConceptMap') throw new Error(`NOS file ${file} is not a ConceptMap`);
  const groups = list(json, 'group', file);
  const [group] = groups;
  if (!group || groups.length !== 1) throw new Error(`NOS file ${file}: expected one group`);
  const familleByActivite = new Map<string, string>();
  const activitesByFamille = new Map<string, string[]>();
  for (const element of list(group, 'element', file)) {
    const famille = field(element, 'code', file);
    for (const target of list(element, 'target', file)) {
      const activite = field(target, 'code', file);
      const previous = familleByActivite.get(activite);
      if (previous !== undefined && previous !== famille) {
        throw new Error(`NOS file ${file}: activité ${activite} is mapped to familles ${previous} and ${famille}`);
      }
      familleByActivite.set(activite, famille);
      let activites = activitesByFamille.get(famille);
      if (!activites) activitesByFamille.set(famille, (activites = []));
      if (!activites.includes(activite)) activites.push(activite);
    }
  }
  return {
    familleSystem: field(group, 'source', file),
    activiteSystem: field(group, 'target', file),
    familleByActivite,
    activitesByFamille,
  };
}

/** Loads the NOS files now (they are otherwise loaded on first use); for warm-up at server start. */
export function loadNos(): void {
  load();
}

/**
 * The value set named by `ref`: canonical URL, the URL declared in its file, its id
 * (`JDV-J17-ActiviteOperationnelle-ROR`) or short id (`J17`, `JDV_J17`, `JDV-J17`). Throws when unknown.
 */
export function valueSet(ref: string): NosValueSet {
  return indexed(ref);
}

/** Like {@link valueSet}, but `undefined` when unknown. */
export function findValueSet(ref: string): NosValueSet | undefined {
  return load().byRef.get(withoutVersion(ref));
}

function withoutVersion(ref: string): string {
  const bar = ref.indexOf('|');
  return bar < 0 ? ref : ref.slice(0, bar);
}

function indexed(ref: string): IndexedValueSet {
  const vs = load().byRef.get(withoutVersion(ref));
  if (!vs) throw new Error(`Unknown NOS value set "${ref}"`);
  return vs;
}

/** Every loaded value set, in file-name order. */
export function allValueSets(): readonly NosValueSet[] {
  return load().valueSets;
}

/** Whether the value set `valueSetRef` (see {@link valueSet}) contains `system|code`. */
export function hasCode(valueSetRef: string, system: string, code: string): boolean {
  return indexed(valueSetRef).bySystem.get(system)?.has(code) ?? false;
}

/** The concept `system|code` as the value set `valueSetRef` lists it, or `undefined`. */
export function conceptIn(valueSetRef: string, system: string, code: string): NosConcept | undefined {
  return indexed(valueSetRef).bySystem.get(system)?.get(code);
}

/** The concept `system|code` in any loaded value set (the label of the newest value set wins), or `undefined`. */
export function concept(system: string, code: string): NosConcept | undefined {
  return load().concepts.get(system)?.get(code);
}

/** French label of `system|code` as published, or `undefined` (unknown code, or a code published without label). */
export function display(system: string, code: string): string | undefined {
  return concept(system, code)?.display;
}

/** Whether any loaded value set draws codes from `system`. */
export function isKnownSystem(system: string): boolean {
  return load().concepts.has(system);
}

/** Value sets drawing codes from `system`, those listing most of its codes first (then the newest). */
export function valueSetsForSystem(system: string): readonly NosValueSet[] {
  const size = (vs: IndexedValueSet): number => vs.bySystem.get(system)?.size ?? 0;
  return load()
    .valueSets.filter((vs) => size(vs) > 0)
    .sort((a, b) => size(b) - size(a) || b.version.localeCompare(a.version));
}

/**
 * The value set to pick codes of `system` from: the one listing most of its codes (ties: the newest),
 * `undefined` when no value set uses the system.
 */
export function valueSetForSystem(system: string): NosValueSet | undefined {
  return valueSetsForSystem(system)[0];
}

/** Concepts of a value set, in source order (for pickers). */
export function concepts(valueSetRef: string): readonly NosConcept[] {
  return valueSet(valueSetRef).concepts;
}

/** Code system of the familles d'activité in the hierarchy (TRE_R265). */
export function familleSystem(): string {
  return load().hierarchy.familleSystem;
}

/** Code system of the activités opérationnelles in the hierarchy (TRE_R211). */
export function activiteSystem(): string {
  return load().hierarchy.activiteSystem;
}

function familleConcept(h: Hierarchy, code: string): NosConcept {
  return concept(h.familleSystem, code) ?? { system: h.familleSystem, code, display: undefined };
}

/**
 * The famille (TRE_R265) an activité opérationnelle (TRE_R211 code) belongs to, from ASS_A14; `undefined` for an
 * activité outside the hierarchy. Throws for a code that is not an activité opérationnelle.
 */
export function familleOfActivite(activiteCode: string): NosConcept | undefined {
  const h = load().hierarchy;
  const known = load().concepts.get(h.activiteSystem)?.has(activiteCode) || h.familleByActivite.has(activiteCode);
  if (!known) throw new Error(`"${activiteCode}" is not an activité opérationnelle code (${h.activiteSystem})`);
  const famille = h.familleByActivite.get(activiteCode);
  return famille === undefined ? undefined : familleConcept(h, famille);
}

/**
 * The activités opérationnelles of a famille (code of `system`, TRE_R265 by default), from ASS_A14.
 * A famille of the JDV without mapped activités (e.g. TRE_R266 ones) gives `[]`; an unknown famille throws.
 */
export function activitesOfFamille(familleCode: string, system: string = familleSystem()): readonly NosConcept[] {
  const h = load().hierarchy;
  const activites = system === h.familleSystem ? h.activitesByFamille.get(familleCode) : undefined;
  if (activites) return activites.map((code) => concept(h.activiteSystem, code) ?? { system: h.activiteSystem, code, display: undefined });
  if (concept(system, familleCode)) return [];
  throw new Error(`"${familleCode}" is not a famille d'activité code (${system})`);
}

/** All famille → activités links of the hierarchy. */
export function familleActiviteLinks(): readonly { famille: NosConcept; activite: NosConcept }[] {
  const h = load().hierarchy;
  return [...h.familleByActivite].map(([activite, famille]) => ({
    famille: familleConcept(h, famille),
    activite: concept(h.activiteSystem, activite) ?? { system: h.activiteSystem, code: activite, display: undefined },
  }));
}
