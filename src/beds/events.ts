/** NOTIFY channel of bed holds and crises (resource versions go through the store's change channel). */
export const BEDS_CHANNEL = 'ror_beds';

export type BedEvent = { kind: 'hold'; locationId: string } | { kind: 'crisis'; id: string };
