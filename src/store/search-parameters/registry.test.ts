import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ROR_SEARCH_PARAMETER_BASE,
  getSearchParameter,
  resourceTypes,
  restrictToResourceType,
  searchParametersFor,
} from './registry.ts';

/** The `ror-sp-*` parameters the ROR server CapabilityStatement lists (IG ror-serveur.fsh), with their types. */
const SERVER_ROR_PARAMETERS: Record<string, Record<string, string>> = {
  Location: {
    'capacity-status': 'token',
    'nb-capacity': 'number',
    'additional-bed-type': 'token',
    'capacity-closing-type': 'token',
    'capacity-type': 'token',
    'capacity-update-date': 'date',
    'crisis-type': 'token',
    'equipment-type': 'token',
    'equipment-feature': 'token',
    'gender-capacity-available': 'token',
    'limit-value': 'quantity',
    'commune-cog': 'token',
    'near-insee-code': 'special',
    'residential-number': 'number',
    'residential-type': 'token',
    'temporality-capacity': 'token',
    'temporary-assignement': 'token',
  },
  HealthcareService: {
    'age-range-high': 'quantity',
    'age-range-low': 'quantity',
    'intervention-zone': 'token',
    'patient-type': 'token',
    'psychiatric-sector': 'string',
    'notavailable-closing-reopeningdate': 'date',
  },
  Organization: {
    'closing-type': 'token',
    'drop-zone': 'token',
    'period-end': 'date',
    'price-amount-currency': 'token',
    'price-amount-value': 'number',
    'price-dependency-level': 'token',
    'price-residential-type': 'token',
    'price-type': 'token',
    'price-unit': 'token',
    'price-validity-start-date': 'date',
    'price-welcome-type': 'token',
    'special-price': 'token',
  },
};

/** The standard parameters the same CapabilityStatement lists per resource. */
const SERVER_STANDARD_PARAMETERS: Record<string, string[]> = {
  Location: ['_id', '_lastUpdated', '_tag', 'type', 'identifier', 'near', 'status', 'operational-status', 'address-postalcode', 'address-city'],
  HealthcareService: ['_id', '_lastUpdated', '_tag', 'location', 'identifier', 'name', 'service-category', 'service-type', 'characteristic', 'specialty'],
  Organization: ['_id', '_lastUpdated', '_tag', '_content', 'identifier', 'name', 'type'],
  Practitioner: ['_id', '_lastUpdated', '_tag'],
  PractitionerRole: ['_id', '_lastUpdated', '_tag'],
  Task: ['_id', '_content'],
};

describe('search parameter registry', () => {
  it('serves the six ROR resource types', () => {
    assert.deepEqual([...resourceTypes], ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task']);
  });

  it('holds the R4 core parameters of each type plus the ROR ones', () => {
    const counts = Object.fromEntries(
      resourceTypes.map((t) => {
        const params = searchParametersFor(t);
        return [t, { all: params.length, ror: params.filter((p) => p.source === 'ror').length }];
      }),
    );
    assert.deepEqual(counts, {
      Organization: { all: 35, ror: 13 },
      HealthcareService: { all: 28, ror: 7 },
      Location: { all: 41, ror: 17 },
      Practitioner: { all: 26, ror: 0 },
      PractitionerRole: { all: 22, ror: 0 },
      Task: { all: 28, ror: 0 },
    });
  });

  it('has every ROR parameter of the server CapabilityStatement, with its type and canonical URL', () => {
    for (const [type, params] of Object.entries(SERVER_ROR_PARAMETERS)) {
      for (const [code, spType] of Object.entries(params)) {
        const sp = getSearchParameter(type, code);
        assert.ok(sp, `${type}.${code} is missing`);
        assert.equal(sp.type, spType, `${type}.${code} type`);
        assert.equal(sp.source, 'ror');
        assert.ok(sp.url.startsWith(ROR_SEARCH_PARAMETER_BASE), sp.url);
      }
    }
  });

  it('has every standard parameter the server CapabilityStatement lists', () => {
    for (const [type, codes] of Object.entries(SERVER_STANDARD_PARAMETERS)) {
      for (const code of codes) {
        const sp = getSearchParameter(type, code);
        assert.ok(sp, `${type}.${code} is missing`);
        assert.equal(sp.source, 'fhir');
        assert.ok(sp.url.startsWith('http://hl7.org/fhir/SearchParameter/'), sp.url);
      }
    }
  });

  it('points ROR expressions at the IG canonical extension URLs only', () => {
    for (const type of resourceTypes) {
      for (const sp of searchParametersFor(type).filter((p) => p.source === 'ror')) {
        const urls = [...(sp.expression ?? '').matchAll(/url\s*=\s*'([^']+)'/g)].map((m) => m[1] as string).filter((u) => u.includes('/'));
        for (const url of urls) {
          assert.ok(
            url.startsWith('https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-') || url.startsWith('http://hl7.org/fhir/StructureDefinition/'),
            `${type}.${sp.code}: ${url}`,
          );
        }
      }
    }
  });

  it('tells where each parameter is served from', () => {
    const kind = (type: string, code: string): string | undefined => getSearchParameter(type, code)?.indexing;
    for (const type of resourceTypes) {
      assert.equal(kind(type, '_id'), 'resource-column');
      assert.equal(kind(type, '_lastUpdated'), 'resource-column');
      assert.equal(kind(type, '_content'), 'none');
      assert.equal(kind(type, '_text'), 'none');
      assert.equal(kind(type, '_query'), 'none');
      assert.equal(kind(type, '_tag'), 'index');
    }
    assert.equal(kind('Location', 'near'), 'position');
    assert.equal(kind('Location', 'near-insee-code'), 'position');
    assert.equal(kind('Location', 'capacity-status'), 'index');
    for (const type of resourceTypes) {
      for (const sp of searchParametersFor(type)) {
        if (sp.indexing === 'index') assert.ok(sp.expression, `${type}.${sp.code} is indexed without an expression`);
        if (sp.type === 'composite') assert.equal(sp.indexing, 'none');
      }
    }
  });

  it('resolves abstract-base and multi-base expressions for the asked type', () => {
    assert.equal(getSearchParameter('Location', '_tag')?.expression, 'Location.meta.tag');
    assert.equal(getSearchParameter('Practitioner', 'email')?.expression, "Practitioner.telecom.where(system='email')");
    assert.equal(getSearchParameter('PractitionerRole', 'email')?.expression, "PractitionerRole.telecom.where(system='email')");
    assert.deepEqual(getSearchParameter('HealthcareService', 'organization')?.target, ['Organization']);
  });

  it('answers undefined for an unknown code and refuses an unknown resource type', () => {
    assert.equal(getSearchParameter('Location', 'no-such-param'), undefined);
    assert.throws(() => searchParametersFor('Patient'), /No search parameters for resource type "Patient"/);
  });
});

describe('restrictToResourceType', () => {
  it('keeps the branches of the type and rewrites Resource heads', () => {
    assert.equal(restrictToResourceType('Patient.name | Practitioner.name | (Practitioner.alias)', 'Practitioner'), 'Practitioner.name | (Practitioner.alias)');
    assert.equal(restrictToResourceType('Resource.meta.tag', 'Task'), 'Task.meta.tag');
    assert.equal(restrictToResourceType("Location.name.where($this = 'a|b')", 'Location'), "Location.name.where($this = 'a|b')");
    assert.equal(restrictToResourceType('Patient.name', 'Location'), undefined);
  });

  it('refuses unbalanced expressions', () => {
    assert.throws(() => restrictToResourceType("Location.name.where(x = 'a'", 'Location'), /Unbalanced/);
  });
});
