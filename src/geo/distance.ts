/** A WGS84 position in decimal degrees. */
export interface GeoPoint {
  lat: number;
  lon: number;
}

/**
 * A latitude/longitude box. When it crosses the antimeridian, `minLon > maxLon`
 * (the box covers [minLon, 180] ∪ [-180, maxLon]); use `isInBoundingBox` rather than comparing by hand.
 */
export interface BoundingBox {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/** IUGG mean Earth radius (R1), in kilometres. */
export const EARTH_RADIUS_KM = 6371.0088;

const RAD = Math.PI / 180;

export function assertGeoPoint(p: GeoPoint, what = 'point'): void {
  if (!Number.isFinite(p.lat) || p.lat < -90 || p.lat > 90) {
    throw new RangeError(`${what}: latitude must be a number in [-90, 90], got ${String(p.lat)}`);
  }
  if (!Number.isFinite(p.lon) || p.lon < -180 || p.lon > 180) {
    throw new RangeError(`${what}: longitude must be a number in [-180, 180], got ${String(p.lon)}`);
  }
}

/** Great-circle distance in kilometres (haversine formula on a sphere of radius EARTH_RADIUS_KM). */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  assertGeoPoint(a, 'first point');
  assertGeoPoint(b, 'second point');
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Smallest latitude/longitude box containing every point within `radiusKm` of `center`
 * (a pre-filter: points in the box still need a haversine check). Near a pole the box spans all longitudes.
 */
export function boundingBox(center: GeoPoint, radiusKm: number): BoundingBox {
  assertGeoPoint(center, 'center');
  if (!Number.isFinite(radiusKm) || radiusKm < 0) {
    throw new RangeError(`radius must be a finite number of kilometres >= 0, got ${String(radiusKm)}`);
  }
  const angular = radiusKm / EARTH_RADIUS_KM;
  const lat = center.lat * RAD;
  let minLat = lat - angular;
  let maxLat = lat + angular;
  let minLon: number;
  let maxLon: number;
  if (minLat > -Math.PI / 2 && maxLat < Math.PI / 2) {
    const dLon = Math.asin(Math.min(1, Math.sin(angular) / Math.cos(lat)));
    minLon = center.lon * RAD - dLon;
    maxLon = center.lon * RAD + dLon;
    if (minLon < -Math.PI) minLon += 2 * Math.PI;
    if (maxLon > Math.PI) maxLon -= 2 * Math.PI;
  } else {
    minLat = Math.max(minLat, -Math.PI / 2);
    maxLat = Math.min(maxLat, Math.PI / 2);
    minLon = -Math.PI;
    maxLon = Math.PI;
  }
  return { minLat: minLat / RAD, maxLat: maxLat / RAD, minLon: minLon / RAD, maxLon: maxLon / RAD };
}

export function isInBoundingBox(box: BoundingBox, p: GeoPoint): boolean {
  if (p.lat < box.minLat || p.lat > box.maxLat) return false;
  return box.minLon <= box.maxLon ? p.lon >= box.minLon && p.lon <= box.maxLon : p.lon >= box.minLon || p.lon <= box.maxLon;
}
