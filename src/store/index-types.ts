/**
 * Search-index values extracted from one resource version, one array per SearchParameter type.
 * `code` is the SearchParameter code (e.g. `identifier`, `capacity-status`).
 * The store writes them to the `sp_*` tables in the same transaction as the version.
 */
export interface IndexEntries {
  token: { code: string; system: string | null; value: string | null }[];
  string: { code: string; value: string }[];
  /** Instants (ISO 8601 with zone) bounding the value; null = unbounded on that side. */
  date: { code: string; low: string | null; high: string | null }[];
  number: { code: string; value: number }[];
  quantity: { code: string; value: number; system: string | null; unit: string | null }[];
  /** Type and id of the target (`Type/id`, also at the end of an absolute URL); a reference of another form keeps `targetType` null and its raw text in `targetId`. */
  reference: { code: string; targetType: string | null; targetId: string }[];
  uri: { code: string; value: string }[];
  /** WGS84 position (Location.position) for `near`. */
  position: { lat: number; lon: number } | null;
  /**
   * One row per `ror-location-supported-capacity` entry of a Location, in order, so that several capacity
   * criteria can be required of one and the same entry. Codes are those of the entry's JDV.
   */
  capacity: CapacityIndexEntry[];
}

export interface CapacityIndexEntry {
  capacityType: string;
  capacityStatus: string;
  temporality: string;
  gender: string | null;
  closingType: string | null;
  additionalBedType: string | null;
  crisisType: string | null;
  temporaryAssignment: string;
  nbCapacity: number;
  /** The update date as an instant range at its precision, as `sp_date` holds dates. */
  updateLow: string;
  updateHigh: string;
  /** typeSourceCapacite, JDV_J193 */
  sourceType: string;
  comment: string | null;
}

export function emptyIndexEntries(): IndexEntries {
  return { token: [], string: [], date: [], number: [], quantity: [], reference: [], uri: [], position: null, capacity: [] };
}

/** The columns of `sp_capacity` in order, as `json_to_recordset` reads them. */
export const CAPACITY_COLUMNS =
  'resource_type text, id text, entry int, capacity_type text, capacity_status text, temporality text, gender text, closing_type text, ' +
  'additional_bed_type text, crisis_type text, temporary_assignment text, nb_capacity int, update_low timestamptz, update_high timestamptz, ' +
  'source_type text, comment text';

/** One capacity index entry as the columns of its `sp_capacity` row (key columns aside). */
export function capacityColumns(e: CapacityIndexEntry): Record<string, string | number | null> {
  return {
    capacity_type: e.capacityType,
    capacity_status: e.capacityStatus,
    temporality: e.temporality,
    gender: e.gender,
    closing_type: e.closingType,
    additional_bed_type: e.additionalBedType,
    crisis_type: e.crisisType,
    temporary_assignment: e.temporaryAssignment,
    nb_capacity: e.nbCapacity,
    update_low: e.updateLow,
    update_high: e.updateHigh,
    source_type: e.sourceType,
    comment: e.comment,
  };
}
