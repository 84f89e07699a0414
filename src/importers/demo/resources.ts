import type { HealthcareService, Location, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import {
  buildHealthcareService,
  buildLocation,
  buildOrganization,
  buildPractitioner,
  buildPractitionerRole,
  type CapacityEntry,
  type GeoPoint,
  LOCATION_STATUS,
  OI_TYPE,
  type RorContact,
  type RorTelecom,
} from '../../model/index.ts';
import { familleOfActivite } from '../../nos/index.ts';
import { type OfferTemplate, POLES, type PoleKey } from './catalogue.ts';
import type { CapacityPlan, LegalEntityPlan, OfferPlan, SitePlan } from './plan.ts';
import { Prng } from './prng.ts';

/** Resources of the dataset, in the order they are written (parents before children). */
export type DemoResource = Organization | Location | HealthcareService | Practitioner | PractitionerRole;

/** Readable, deterministic resource ids (FHIR id pattern `[A-Za-z0-9\-.]{1,64}`). */
export const ids = {
  legalEntity: (finess: string): string => `ej-${finess}`,
  site: (finess: string): string => `eg-${finess}`,
  siteLocation: (finess: string): string => `site-${finess}`,
  pole: (finess: string, pole: PoleKey): string => `oi-${finess}-pole-${pole}`,
  service: (finess: string, service: string): string => `oi-${finess}-svc-${service}`,
  offer: (finess: string, key: string): string => `hs-${finess}-${key}`,
  offerLocation: (finess: string, key: string): string => `loc-${finess}-${key}`,
  role: (finess: string, key: string, n: number): string => `pr-${finess}-${key}-${n}`,
  practitioner: (rpps: string): string => `prac-${rpps}`,
};

const ref = (type: string, id: string): string => `${type}/${id}`;

export function legalEntityResource(ej: LegalEntityPlan): Organization {
  return buildOrganization({
    id: ids.legalEntity(ej.finess),
    kind: 'EJ',
    name: ej.name,
    finess: ej.finess,
    statutJuridique: ej.statutJuridique,
    agregatStatutJuridique: ej.agregat,
    address: ej.address,
    region: ej.region,
    origin: ej.origin,
    createdAt: ej.createdAt,
  });
}

function capacityEntries(c: CapacityPlan): CapacityEntry[] {
  const entry = (status: string, nb: number, at: string): CapacityEntry => ({
    capacityType: c.nature,
    capacityStatus: status,
    temporality: '01',
    nbCapacity: nb,
    sourceType: c.source,
    updateDate: at,
    temporaryAssignment: '01',
  });
  const entries = [entry('01', c.installed, c.installedAt)];
  if (c.available !== undefined) entries.push(entry('02', c.available, c.liveAt));
  if (c.occupied !== undefined) entries.push(entry('03', c.occupied, c.liveAt));
  return entries;
}

/** First digits of geographic phone numbers by region (JDV_J237 code), for sites without a real number. */
const PHONE_PREFIX: Readonly<Record<string, string>> = {
  '01': '0590',
  '02': '0596',
  '03': '0594',
  '04': '0262',
  '06': '0269',
  '11': '01',
  '24': '02',
  '27': '03',
  '28': '02',
  '32': '03',
  '44': '03',
  '52': '02',
  '53': '02',
  '75': '05',
  '76': '05',
  '84': '04',
  '93': '04',
  '94': '04',
};

/**
 * A plausible 10-digit phone number of one `line` of a site, always the same for the same site and line: the
 * site's switchboard prefix when it has a real number, else its region's.
 */
function sitePhone(site: SitePlan, line: string): string {
  const prefix = site.phone?.slice(0, 6) ?? PHONE_PREFIX[site.region] ?? '09';
  const digits = 10 - prefix.length;
  return prefix + String(new Prng(`phone:${site.finess}:${line}`).int(0, 10 ** digits - 1)).padStart(digits, '0');
}

/**
 * The contacts of an offer, so that every JDV_J222 level shows in the demo: ville offers have a public
 * appointment line (1), médico-social ones a public reception (1) and their direction (2), hospital ones the
 * secretariat of their service (2) and, for emergency and critical-care units, a direct line (3). Every contact
 * of a sensitive unit is très restreint (RG_EXP_039). Codes: purpose JDV_J221, function JDV_J220.
 */
function offerContacts(site: SitePlan, t: OfferTemplate): RorContact[] {
  const contact = (c: Pick<RorContact, 'purpose' | 'function' | 'description'>, level: string, line: string): RorContact => {
    const confidentiality = t.sensitive === true ? '3' : level;
    return { ...c, confidentiality, telecoms: [{ value: sitePhone(site, line), channel: '2', confidentiality }] };
  };
  if (t.champ === '05') return [contact({ purpose: '02', function: '05', description: 'Prise de rendez-vous' }, '1', `rendez-vous:${t.service.key}`)];
  if (t.champ === '04') {
    return [
      contact({ purpose: '01', description: 'Accueil' }, '1', 'accueil'),
      contact({ purpose: '10', function: '01', description: 'Direction' }, '2', 'direction'),
    ];
  }
  const contacts = [contact({ purpose: '07', function: '05', description: `Secrétariat — ${t.service.name}` }, '2', `secretariat:${t.service.key}`)];
  if (t.directLine === 'unit') contacts.push(contact({ purpose: '04', function: '22', description: 'Ligne directe de l’unité' }, '3', `unite:${t.key}`));
  if (t.directLine === 'regulation') contacts.push(contact({ purpose: '13', description: 'Régulation médicale (SAMU)' }, '3', 'regulation'));
  return contacts;
}

/**
 * The EG Organization, its site Location, its OIs (pôles, and services when the profile has them), and each
 * offer with its Location and practitioners.
 */
export function siteResources(site: SitePlan): DemoResource[] {
  const { finess, region, createdAt } = site;
  const egRef = ref('Organization', ids.site(finess));
  const siteLocRef = ref('Location', ids.siteLocation(finess));
  const position: GeoPoint = { latitude: site.position.lat, longitude: site.position.lon, reliable: site.position.reliable };
  const telecoms: RorTelecom[] | undefined = site.phone ? [{ value: site.phone, channel: '2', confidentiality: '1' }] : undefined;
  const out: DemoResource[] = [];

  out.push(
    buildOrganization({
      id: ids.site(finess),
      kind: 'EG',
      name: site.name,
      ...(site.additionalName ? { additionalName: site.additionalName } : {}),
      finess,
      category: site.category,
      ...(site.sphParticipation ? { sphParticipation: site.sphParticipation } : {}),
      partOf: ref('Organization', ids.legalEntity(site.legalEntityFiness)),
      address: site.address,
      geolocation: position,
      ...(telecoms ? { contacts: [{ purpose: '06', confidentiality: '1', telecoms }] } : {}),
      region,
      origin: site.origin,
      createdAt,
    }),
    buildLocation({
      id: ids.siteLocation(finess),
      identifier: `${region}/${ids.siteLocation(finess)}`,
      name: site.name,
      status: 'active',
      operationalStatus: LOCATION_STATUS.operational,
      managingOrganization: egRef,
      address: site.address,
      position,
      communeCog: site.address.inseeCode,
      ...(telecoms ? { telecoms } : {}),
      region,
      origin: site.origin,
      createdAt,
    }),
  );

  const providerOf = new Map<string, string>();
  const organisation = site.profile.organisation;
  if (organisation !== 'none') {
    const poles = new Set<PoleKey>();
    const services = new Map<string, { name: string; pole: PoleKey }>();
    for (const o of site.offers) {
      poles.add(o.template.pole);
      if (!services.has(o.template.service.key)) services.set(o.template.service.key, { name: o.template.service.name, pole: o.template.pole });
    }
    for (const pole of poles) {
      const id = ids.pole(finess, pole);
      out.push(
        buildOrganization({ id, kind: 'OI', oiType: OI_TYPE.pole, name: POLES[pole], oiIdentifier: `${region}/${id}`, partOf: egRef, region, origin: 'synthetic', createdAt }),
      );
    }
    for (const [key, s] of services) {
      const poleRef = ref('Organization', ids.pole(finess, s.pole));
      if (organisation === 'poles') {
        providerOf.set(key, poleRef);
        continue;
      }
      const id = ids.service(finess, key);
      out.push(
        buildOrganization({ id, kind: 'OI', oiType: OI_TYPE.service, name: s.name, oiIdentifier: `${region}/${id}`, partOf: poleRef, region, origin: 'synthetic', createdAt }),
      );
      providerOf.set(key, ref('Organization', id));
    }
  }

  const practitioners = new Set<string>();
  for (const offer of site.offers) {
    out.push(...offerResources(site, offer, providerOf.get(offer.template.service.key) ?? egRef, siteLocRef, position, practitioners));
  }
  return out;
}

/** An offer's Location, HealthcareService and PractitionerRoles, plus the Practitioners not in `written` yet. */
function offerResources(
  site: SitePlan,
  offer: OfferPlan,
  provider: string,
  siteLocRef: string,
  position: GeoPoint,
  written: Set<string>,
): DemoResource[] {
  const { finess, region, createdAt } = site;
  const t = offer.template;
  const locId = ids.offerLocation(finess, t.key);
  const hsId = ids.offer(finess, t.key);
  const out: DemoResource[] = [];
  const beds = t.capacity?.nature === '01' || offer.residential !== undefined;
  out.push(
    buildLocation({
      id: locId,
      identifier: `${region}/${locId}`,
      name: `${t.name} — ${site.name}`,
      status: 'active',
      operationalStatus: LOCATION_STATUS.operational,
      ...(beds ? { type: '001' } : {}),
      managingOrganization: ref('Organization', ids.site(finess)),
      partOf: siteLocRef,
      address: site.address,
      position,
      communeCog: site.address.inseeCode,
      ...(t.equipment ? { equipments: [{ type: t.equipment, nbInService: 1 }] } : {}),
      ...(offer.residential ? { residentialCapacities: offer.residential } : {}),
      ...(offer.capacity ? { capacities: capacityEntries(offer.capacity) } : {}),
      region,
      origin: offer.origin,
      createdAt,
    }),
  );
  const famille = t.champ === '04' ? familleOfActivite(t.activite) : undefined;
  if (t.champ === '04' && !famille) throw new Error(`Médico-social offer ${t.key}: activité ${t.activite} has no famille`);
  out.push(
    buildHealthcareService({
      id: hsId,
      identifier: `${region}/${hsId}`,
      name: t.name,
      providedBy: provider,
      locations: [ref('Location', locId)],
      champActivite: t.champ,
      typeOffre: t.typeOffre,
      activite: t.activite,
      ...(famille ? { famille: { system: famille.system, code: famille.code } } : {}),
      careMode: t.careMode,
      ...(t.receptionType ? { receptionType: t.receptionType } : {}),
      ...(offer.expertiseLevel ? { expertiseLevels: [offer.expertiseLevel] } : {}),
      patientType: {
        ...(t.publics ? { publics: [...t.publics] } : {}),
        ageRange: { low: { value: t.ageRange[0], unit: 'a' }, high: { value: t.ageRange[1], unit: 'a' } },
      },
      sensitiveUnit: t.sensitive === true,
      contacts: offerContacts(site, t),
      region,
      origin: offer.origin,
      createdAt,
    }),
  );
  offer.practitioners.forEach((p, i) => {
    const pracId = ids.practitioner(p.rpps);
    const roleId = ids.role(finess, t.key, i + 1);
    if (!written.has(pracId)) {
      written.add(pracId);
      out.push(
        buildPractitioner({
          id: pracId,
          idNatPs: `8${p.rpps}`,
          family: p.name.family,
          given: [p.name.given],
          civilite: p.name.civilite,
          region,
          origin: 'synthetic',
          createdAt,
        }),
      );
    }
    out.push(
      buildPractitionerRole({
        id: roleId,
        identifier: `${region}/${roleId}`,
        practitioner: ref('Practitioner', pracId),
        healthcareService: ref('HealthcareService', hsId),
        organization: ref('Organization', ids.site(finess)),
        locations: [ref('Location', locId)],
        profession: t.profession ?? '10',
        expertiseType: 'S',
        specialties: { specialty: p.specialty },
        unitExerciseMode: site.profile.exerciseMode,
        exerciseName: { title: 'DR', lastName: p.name.family.toUpperCase(), firstName: p.name.given },
        region,
        origin: 'synthetic',
        createdAt,
      }),
    );
  });
  return out;
}
