import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundingBox, haversineKm, isInBoundingBox } from './distance.ts';

const NANTES = { lat: 47.21725, lon: -1.55336 };
const ANGERS = { lat: 47.47381, lon: -0.54774 };

test('Nantes–Angers is about 80 km as the crow flies', () => {
  const km = haversineKm(NANTES, ANGERS);
  assert.ok(km > 78 && km < 83, `got ${km}`);
  assert.equal(haversineKm(ANGERS, NANTES), km);
  assert.equal(haversineKm(NANTES, NANTES), 0);
});

test('one degree of latitude is 111.2 km on the mean-radius sphere', () => {
  assert.ok(Math.abs(haversineKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }) - 111.195) < 0.001);
});

test('a bounding box contains every point within the radius and excludes a far one', () => {
  const box = boundingBox(NANTES, 100);
  assert.ok(isInBoundingBox(box, ANGERS));
  assert.ok(!isInBoundingBox(box, { lat: 48.85, lon: 2.35 }));
  for (let bearing = 0; bearing < 360; bearing += 15) {
    const rad = (bearing * Math.PI) / 180;
    const d = 99.9 / 6371.0088;
    const lat1 = (NANTES.lat * Math.PI) / 180;
    const lon1 = (NANTES.lon * Math.PI) / 180;
    const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(rad));
    const lon2 = lon1 + Math.atan2(Math.sin(rad) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
    const p = { lat: (lat2 * 180) / Math.PI, lon: (lon2 * 180) / Math.PI };
    assert.ok(haversineKm(NANTES, p) < 100);
    assert.ok(isInBoundingBox(box, p), `bearing ${bearing}`);
  }
});

test('a bounding box across the antimeridian wraps (Wallis-et-Futuna)', () => {
  const box = boundingBox({ lat: -13.3, lon: 179.9 }, 50);
  assert.ok(box.minLon > box.maxLon);
  assert.ok(isInBoundingBox(box, { lat: -13.3, lon: -179.9 }));
  assert.ok(!isInBoundingBox(box, { lat: -13.3, lon: 170 }));
});

test('a bounding box reaching a pole spans every longitude', () => {
  const box = boundingBox({ lat: 89.9, lon: 10 }, 50);
  assert.equal(box.maxLat, 90);
  assert.equal(box.minLon, -180);
  assert.equal(box.maxLon, 180);
});

test('invalid coordinates and radii are rejected', () => {
  assert.throws(() => haversineKm({ lat: 91, lon: 0 }, NANTES), /latitude/);
  assert.throws(() => haversineKm(NANTES, { lat: 0, lon: Number.NaN }), /longitude/);
  assert.throws(() => boundingBox(NANTES, -1), /radius/);
  assert.throws(() => boundingBox(NANTES, Number.POSITIVE_INFINITY), /radius/);
});
