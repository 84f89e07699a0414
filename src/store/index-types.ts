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
}

export function emptyIndexEntries(): IndexEntries {
  return { token: [], string: [], date: [], number: [], quantity: [], reference: [], uri: [], position: null };
}
