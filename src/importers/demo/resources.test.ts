import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthcareService } from '@medplum/fhirtypes';
import { getServiceContacts, type RorContactRead } from '../../model/index.ts';
import { validateRorResource } from '../../model/validate.ts';
import { offerTemplate, structureProfile } from './catalogue.ts';
import type { SitePlan } from './plan.ts';
import { siteResources } from './resources.ts';

const OFFERS = ['urgences', 'rea-adulte', 'smur', 'cardiologie', 'cardiologie-consultations', 'usmp', 'medecine-generale', 'hebergement-permanent'];

function site(finess: string, region: string, phone?: string): SitePlan {
  return {
    finess,
    legalEntityFiness: '440000289',
    name: 'Centre hospitalier de démonstration',
    origin: 'synthetic',
    region,
    category: '355',
    address: { text: '1 place Alexis Ricordeau', postalCode: '44000', city: 'Nantes', inseeCode: '44109' },
    position: { lat: 47.21, lon: -1.55, reliable: true },
    ...(phone ? { phone } : {}),
    profile: structureProfile('chu'),
    offers: OFFERS.map((key) => ({
      template: key === 'cardiologie-consultations' ? { ...offerTemplate('cardiologie'), key, careMode: '32', typeOffre: '69' } : offerTemplate(key),
      origin: 'synthetic',
      practitioners: [],
    })),
    createdAt: '2024-01-01T00:00:00Z',
  };
}

function contactsByOffer(s: SitePlan): Map<string, RorContactRead[]> {
  const offers = siteResources(s).filter((r): r is HealthcareService => r.resourceType === 'HealthcareService');
  return new Map(offers.map((hs) => [hs.id?.slice(`hs-${s.finess}-`.length) ?? '', getServiceContacts(hs)]));
}

const levels = (contacts: RorContactRead[] | undefined): string => (contacts ?? []).map((c) => c.confidentiality).join('');

test('offers carry contacts of the three confidentiality levels, each telecom at its contact’s level', () => {
  const s = site('449000001', '52', '0240087323');
  const contacts = contactsByOffer(s);
  assert.equal(levels(contacts.get('urgences')), '23', 'secretariat + direct line of the unit');
  assert.equal(levels(contacts.get('rea-adulte')), '23');
  assert.equal(levels(contacts.get('smur')), '23');
  assert.equal(contacts.get('smur')?.[1]?.purpose, '13', 'SMUR: régulation, alerte H24');
  assert.equal(levels(contacts.get('cardiologie')), '2');
  assert.equal(levels(contacts.get('usmp')), '3', 'a sensitive unit’s contacts are très restreint (RG_EXP_039)');
  assert.equal(levels(contacts.get('medecine-generale')), '1');
  assert.equal(levels(contacts.get('hebergement-permanent')), '12');
  for (const list of contacts.values()) {
    for (const c of list) {
      assert.equal(c.telecoms.length, 1);
      assert.equal(c.telecoms[0]?.confidentiality, c.confidentiality);
    }
  }
  for (const r of siteResources(s)) assert.deepEqual(validateRorResource(r), [], `${r.resourceType}/${r.id}`);
});

test('contact numbers are 10 digits on the site’s switchboard or its region’s prefix, stable per site and line', () => {
  const numbers = (s: SitePlan): string[] => [...contactsByOffer(s).values()].flat().map((c) => c.telecoms[0]?.value ?? '');
  const withPhone = site('449000001', '52', '0240087323');
  for (const n of numbers(withPhone)) assert.match(n, /^024008\d{4}$/);
  for (const n of numbers(site('449000001', '52'))) assert.match(n, /^02\d{8}$/);
  for (const n of numbers(site('979000001', '04'))) assert.match(n, /^0262\d{6}$/);
  assert.deepEqual(numbers(withPhone), numbers(site('449000001', '52', '0240087323')));
  assert.notDeepEqual(numbers(withPhone), numbers(site('449000002', '52', '0240087323')));

  const contacts = contactsByOffer(withPhone);
  const secretariat = (key: string): string | undefined => contacts.get(key)?.[0]?.telecoms[0]?.value;
  assert.equal(secretariat('cardiologie'), secretariat('cardiologie-consultations'), 'offers of one service share its secretariat');
  assert.notEqual(secretariat('cardiologie'), secretariat('urgences'));
});
