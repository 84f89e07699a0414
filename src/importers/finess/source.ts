/**
 * What the FHIR mapping needs from FINESS, whichever the source format (etalab CSV or FINESS+ JSON).
 * Absent values are `undefined`, never empty strings.
 */

export interface FinessAddress {
  /** Complément de distribution / point géographique (bâtiment, résidence, service…). */
  complementDistribution: string | undefined;
  numeroVoie: string | undefined;
  /** Abbreviated street type (`R`, `AV`, `BD`…, NOS TRE_R35). */
  typeVoie: string | undefined;
  voie: string | undefined;
  /** Indice de répétition (B, T, Q, C). */
  complementVoie: string | undefined;
  /** Lieu-dit or postal box (`BP 401 VIRIAT`, `CS 11021`). */
  lieuDitBp: string | undefined;
  /** INSEE (COG) commune code, 5 characters. */
  inseeCode: string;
  /** May be a CEDEX code. */
  postalCode: string;
  city: string;
}

export interface CodeWithLabel {
  code: string;
  display: string | undefined;
}

/** Entité juridique. */
export interface EjSource {
  finess: string;
  /** Raison sociale (short, ≤ 38 characters). */
  name: string;
  longName: string | undefined;
  additionalName: string | undefined;
  address: FinessAddress | undefined;
  telephone: string | undefined;
  telecopie: string | undefined;
  statutJuridique: CodeWithLabel | undefined;
  siren: string | undefined;
  creationDate: string | undefined;
  /** Set when the source says the structure is closed (FINESS+ JSON); YYYY-MM-DD. */
  closingDate: string | undefined;
}

/** Entité géographique (établissement). */
export interface EgSource {
  finess: string;
  finessEj: string;
  name: string;
  longName: string | undefined;
  additionalName: string | undefined;
  address: FinessAddress;
  telephone: string | undefined;
  telecopie: string | undefined;
  category: CodeWithLabel;
  siret: string | undefined;
  /** Service public hospitalier / ESPIC participation (TRE_R73 code). */
  sph: CodeWithLabel | undefined;
  openingDate: string | undefined;
  closingDate: string | undefined;
  /** WGS84 position; undefined when the source gives none (the stored position is then kept). */
  position: { lon: number; lat: number } | undefined;
}

/** Installed capacity of one équipement social (cs1100505), deleted ones already filtered out. */
export interface EquipementSource {
  de: CodeWithLabel;
  ta: CodeWithLabel;
  client: CodeWithLabel;
  capinstot: number;
}
