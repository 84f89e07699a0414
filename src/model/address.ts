import type { Address, Extension } from '@medplum/fhirtypes';
import { extension, type PrimitiveElement, sub } from './ext.ts';
import { EXT, EXTERNAL_EXT, SYSTEM } from './urls.ts';

/** A French géopostal address split into its ROR parts (ISO 21090 ADXP line extensions). */
export interface RorAddress {
  /** numeroVoie */
  houseNumber?: string;
  /** extension (bis, ter…) */
  buildingNumberSuffix?: string;
  /** typeVoie, a JDV_J219 code (e.g. "R" rue, "AV" avenue) */
  streetNameType?: string;
  /** libelleVoie */
  streetNameBase?: string;
  /** complementPointGeographique */
  additionalLocator?: string;
  /** pointRemise */
  careOf?: string;
  /** mentionDistribution */
  postBox?: string;
  lieuDit?: string;
  /** the printable line; defaults to "houseNumber suffix type base" */
  text?: string;
  postalCode?: string;
  city?: string;
  /** COG code of the commune (fr-core-address-insee-code) */
  inseeCode?: string;
}

/** WGS84 position of an address (EG géolocalisation) or a Location. */
export interface GeoPoint {
  latitude: number;
  longitude: number;
  /** coordonneesFiables */
  reliable?: boolean;
}

type AddressJson = Address & { _line?: (PrimitiveElement | null)[] };

const LINE_PARTS: readonly [keyof RorAddress, string][] = [
  ['careOf', EXTERNAL_EXT.adxpCareOf],
  ['additionalLocator', EXTERNAL_EXT.adxpAdditionalLocator],
  ['houseNumber', EXTERNAL_EXT.adxpHouseNumber],
  ['buildingNumberSuffix', EXTERNAL_EXT.adxpBuildingNumberSuffix],
  ['streetNameType', EXTERNAL_EXT.adxpStreetNameType],
  ['streetNameBase', EXTERNAL_EXT.adxpStreetNameBase],
  ['postBox', EXTERNAL_EXT.adxpPostBox],
  ['lieuDit', EXTERNAL_EXT.lieuDit],
];

/** COG commune code: 5 characters, digits or Corsica's 2A/2B. */
export const COMMUNE_CODE = /^(\d{5}|2[AB]\d{3})$/;

export function checkCommuneCode(code: string, what: string): string {
  if (!COMMUNE_CODE.test(code)) throw new Error(`${what} must be a COG commune code (5 characters, e.g. 75056 or 2A004), got "${code}"`);
  return code;
}

export function checkPoint(p: GeoPoint): void {
  if (!Number.isFinite(p.latitude) || p.latitude < -90 || p.latitude > 90) throw new Error(`Latitude out of range: ${p.latitude}`);
  if (!Number.isFinite(p.longitude) || p.longitude < -180 || p.longitude > 180) throw new Error(`Longitude out of range: ${p.longitude}`);
}

/** Builds a FHIR Address; `geolocation` adds the HL7 geolocation extension (EG addresses). */
export function buildAddress(a: RorAddress, geolocation?: GeoPoint): Address {
  const address: AddressJson = {};
  const extensions: Extension[] = [];
  if (a.inseeCode !== undefined) {
    extensions.push({
      url: EXTERNAL_EXT.addressInseeCode,
      valueCoding: { system: SYSTEM.commune, code: checkCommuneCode(a.inseeCode, 'address INSEE code') },
    });
  }
  if (geolocation) {
    checkPoint(geolocation);
    const parts: Extension[] = [
      { url: 'latitude', valueDecimal: geolocation.latitude },
      { url: 'longitude', valueDecimal: geolocation.longitude },
    ];
    if (geolocation.reliable !== undefined) parts.push({ url: EXT.confidenceGeolocation, valueBoolean: geolocation.reliable });
    extensions.push({ url: EXTERNAL_EXT.geolocation, extension: parts });
  }
  if (extensions.length > 0) address.extension = extensions;

  const lineExtensions: Extension[] = [];
  for (const [key, url] of LINE_PARTS) {
    const value = a[key];
    if (value !== undefined && value !== '') lineExtensions.push({ url, valueString: value });
  }
  const text =
    a.text ?? [a.houseNumber, a.buildingNumberSuffix, a.streetNameType, a.streetNameBase].filter((p) => p && p !== '').join(' ');
  if (text !== '' || lineExtensions.length > 0) {
    address.line = [text];
    if (lineExtensions.length > 0) address._line = [{ extension: lineExtensions }];
  }
  if (a.postalCode !== undefined) address.postalCode = a.postalCode;
  if (a.city !== undefined) address.city = a.city;
  address.country = 'FR';
  return address;
}

export function readAddress(address: Address): RorAddress {
  const read: RorAddress = {};
  const lineExtensions = (address as AddressJson)._line?.[0]?.extension ?? [];
  for (const [key, url] of LINE_PARTS) {
    const value = lineExtensions.find((e) => e.url === url)?.valueString;
    if (value !== undefined) read[key] = value;
  }
  const text = address.line?.[0];
  if (text !== undefined) read.text = text;
  if (address.postalCode !== undefined) read.postalCode = address.postalCode;
  if (address.city !== undefined) read.city = address.city;
  const insee = extension(address, EXTERNAL_EXT.addressInseeCode)?.valueCoding?.code;
  if (insee !== undefined) read.inseeCode = insee;
  return read;
}

export function readGeolocation(address: Address): GeoPoint | undefined {
  const geo = extension(address, EXTERNAL_EXT.geolocation);
  const latitude = sub(geo, 'latitude')?.valueDecimal;
  const longitude = sub(geo, 'longitude')?.valueDecimal;
  if (latitude === undefined || longitude === undefined) return undefined;
  const reliable = sub(geo, EXT.confidenceGeolocation)?.valueBoolean;
  return reliable === undefined ? { latitude, longitude } : { latitude, longitude, reliable };
}
