import type { Organization, Resource } from '@medplum/fhirtypes';
import { EXT, EXTERNAL_EXT } from '../model/urls.ts';
import { getOrganizationKind } from '../model/organization.ts';
import { StoreError } from '../store/errors.ts';
import { jsonEqual } from '../store/json.ts';
import { isInside, type Anchors } from './perimeter.ts';
import type { Principal, Role } from './principal.ts';

export type WriteAction = 'create' | 'update' | 'delete';

/** A stored or proposed version with what it hangs from. */
export interface AnchoredVersion {
  resource: Resource;
  anchors: Anchors;
}

/** A write as the policy judges it: the access store gathers these facts first. */
export interface WriteAttempt {
  /** `update` only when a current version exists (a PUT on a new id is a create). */
  action: WriteAction;
  resourceType: string;
  id?: string;
  /** The current version (update, delete); absent for a create, or a delete of nothing. */
  before?: AnchoredVersion;
  /** The proposed version (create, update). */
  after?: AnchoredVersion;
  /** A HealthcareService write: the stored Locations it lists, with their anchors. */
  listedLocations?: Anchors[];
  /** A Task create: whether the caller may read its focus (it exists and the access profile shows it). */
  focusReadable?: boolean;
  /**
   * An update: the elements of the current version the caller's access profile altered when serving it, which
   * its new version changes too (so they cannot be merged back); `*` when the profile hides the whole resource.
   */
  unmergeable?: string[];
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** Elements of an EJ/EG the FINESS import owns (see importers/finess/fhir.ts); only administrators change them here. */
const FINESS_OWNED = new Set([
  'identifier',
  'name',
  '_name',
  'type',
  'address',
  'telecom',
  'partOf',
  'active',
  `extension:${EXTERNAL_EXT.organizationPeriod}`,
  `extension:${EXT.organizationClosingType}`,
  `extension:${EXT.organizationCreationDate}`,
]);
const CAPACITIES = `extension:${EXT.locationSupportedCapacity}`;

const ROLE_LABELS: Record<Role, string> = {
  'national-admin': 'administrateur national',
  'regional-admin': 'administrateur régional',
  referent: 'référent',
  'capacity-operator': 'opérateur de capacités',
  reader: 'lecteur',
};

const ACTION_LABELS: Record<WriteAction | 'read', string> = {
  create: 'création de',
  update: 'modification de',
  delete: 'suppression de',
  read: 'lecture de',
};

export function canRead(p: Principal): boolean {
  return p.scopes.includes('read');
}

/** Throws 403 unless the principal may read (scope `read`); what it is served is then filtered by its access profile. */
export function requireRead(p: Principal, what: string): void {
  if (!canRead(p)) throw forbidden(p, 'read', what, "la portée « read » est requise pour lire l'annuaire");
}

function describe(p: Principal): string {
  const kind = p.kind === 'client' ? 'client API' : p.kind === 'system' ? 'système' : p.role !== undefined ? ROLE_LABELS[p.role] : 'utilisateur';
  return `${p.label} (${kind})`;
}

/** The 403 of a refused operation; `what` is `Type/id` or `Type`. */
export function forbidden(p: Principal, action: WriteAction | 'read', what: string, reason: string): StoreError {
  return new StoreError(403, [
    { severity: 'error', code: 'forbidden', diagnostics: `Accès refusé à ${describe(p)} : ${ACTION_LABELS[action]} ${what} — ${reason}.` },
  ]);
}

/**
 * Top-level elements that differ between two versions, extensions compared by url (`extension:<url>`), `meta`
 * without the store's stamps (versionId, lastUpdated).
 */
export function changedElements(before: Resource, after: Resource): string[] {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'extension' || key === 'meta') continue;
    if (!jsonEqual(a[key], b[key])) changed.push(key);
  }
  const unstamped = (r: Resource): unknown => {
    const { versionId: _v, lastUpdated: _l, ...meta } = r.meta ?? {};
    return Object.keys(meta).length > 0 ? meta : undefined;
  };
  if (!jsonEqual(unstamped(before), unstamped(after))) changed.push('meta');
  const extensions = (r: Resource): Map<string, unknown[]> => {
    const byUrl = new Map<string, unknown[]>();
    for (const e of (r as { extension?: { url: string }[] }).extension ?? []) byUrl.set(e.url, [...(byUrl.get(e.url) ?? []), e]);
    return byUrl;
  };
  const ea = extensions(before);
  const eb = extensions(after);
  for (const url of new Set([...ea.keys(), ...eb.keys()])) {
    if (!jsonEqual(ea.get(url), eb.get(url))) changed.push(`extension:${url}`);
  }
  return changed;
}

/** `name`, or `extension ror-commune-cog` for an extension element. */
function elementLabel(element: string): string {
  return element.startsWith('extension:') ? `extension ${element.slice('extension:'.length).split('/').pop() ?? ''}` : element;
}

function labels(elements: string[]): string {
  return elements.map(elementLabel).join(', ');
}

const isStructure = (r: Resource | undefined): boolean => r?.resourceType === 'Organization' && getOrganizationKind(r as Organization) !== 'OI';

/** Decides one write; pure. */
export function decideWrite(p: Principal, w: WriteAttempt): Decision {
  const decision = decideByRights(p, w);
  if (!decision.allowed || !w.unmergeable?.length) return decision;
  if (w.unmergeable.includes('*')) return deny('la version actuelle n’est pas visible avec votre profil d’accès ; seul le profil 1 peut la modifier');
  return deny(
    `votre profil d’accès masque une partie de ces éléments de la version actuelle, qui ne peuvent donc être modifiés qu’avec le profil 1 : ${labels(w.unmergeable)}`,
  );
}

function decideByRights(p: Principal, w: WriteAttempt): Decision {
  if (w.resourceType === 'Task') return decideTask(p, w);
  if (p.scopes.includes('write-offer')) return decideOffer(p, w);
  if (p.scopes.includes('write-capacities')) return decideCapacities(p, w);
  return deny("aucun droit d'écriture : la portée « write-offer » (ou « write-capacities » pour les capacités d'un lieu) est requise");
}

function perimeterChecks(p: Principal, w: WriteAttempt): Decision {
  if (w.before && !isInside(p.perimeter, w.before.anchors)) return deny('la ressource est hors de votre périmètre');
  if (w.after && !isInside(p.perimeter, w.after.anchors)) {
    return deny(
      w.before
        ? 'après modification, la ressource sortirait de votre périmètre (le déplacement vers une autre structure, offre ou région est refusé)'
        : 'la nouvelle ressource ne dépend d’aucune structure, offre, lieu ou région de votre périmètre',
    );
  }
  return ALLOW;
}

function decideOffer(p: Principal, w: WriteAttempt): Decision {
  const admin = p.scopes.includes('admin');
  if (!admin && (w.action === 'create' || w.action === 'delete') && isStructure(w.after?.resource ?? w.before?.resource)) {
    return deny(
      'les entités juridiques et établissements géographiques (EJ, EG) sont créés et supprimés par l’import FINESS ou un administrateur ; vous pouvez créer des organisations internes',
    );
  }
  if (!admin && w.before && w.after && (isStructure(w.before.resource) || isStructure(w.after.resource))) {
    const owned = changedElements(w.before.resource, w.after.resource).filter((e) => FINESS_OWNED.has(e));
    if (owned.length > 0) return deny(`ces éléments d'une EJ ou d'un EG sont gérés par FINESS et ne peuvent être modifiés que par un administrateur : ${labels(owned)}`);
  }
  const inside = perimeterChecks(p, w);
  if (!inside.allowed) return inside;
  const outside = (w.listedLocations ?? []).filter((l) => !isInside(p.perimeter, l)).map((l) => l.self);
  if (outside.length > 0) return deny(`l'offre référence des lieux hors de votre périmètre : ${outside.join(', ')}`);
  return ALLOW;
}

function decideCapacities(p: Principal, w: WriteAttempt): Decision {
  if (w.resourceType !== 'Location' || w.action !== 'update' || !w.before || !w.after) {
    return deny('la portée « write-capacities » permet seulement de mettre à jour les capacités d’un lieu (Location) existant');
  }
  const inside = perimeterChecks(p, w);
  if (!inside.allowed) return inside;
  const others = changedElements(w.before.resource, w.after.resource).filter((e) => e !== CAPACITIES);
  if (others.length > 0) {
    return deny(`la portée « write-capacities » ne permet de modifier que les capacités (ror-location-supported-capacity) ; modifié aussi : ${labels(others)}`);
  }
  return ALLOW;
}

function decideTask(p: Principal, w: WriteAttempt): Decision {
  if (w.action === 'create') {
    if (!canRead(p)) return deny('signaler une anomalie demande la portée « read »');
    if (!w.focusReadable) return deny('la ressource signalée (focus) n’existe pas ou ne vous est pas accessible');
    return ALLOW;
  }
  if (!p.scopes.includes('write-offer')) {
    return deny('modifier ou supprimer un signalement demande la portée « write-offer » sur la ressource signalée');
  }
  return perimeterChecks(p, w);
}
