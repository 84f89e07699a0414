/**
 * Invented national identifiers for generated structures and practitioners. They follow the real formats
 * (FINESS: 9 characters ending with a Luhn key; RPPS: 11 digits ending with a Luhn key) in ranges chosen away
 * from the real ones (see README.md), and every resource carrying one is tagged `synthetic`.
 */

/** Luhn check digit of a digit string (as used by FINESS and RPPS numbers). */
export function luhnKey(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError(`Luhn key needs digits, got "${digits}"`);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(digits: string): boolean {
  return /^\d{2,}$/.test(digits) && luhnKey(digits.slice(0, -1)) === digits.slice(-1);
}

/**
 * FINESS numbers start with the department: `44…`, `2A…`, and for the overseas departments `971…`–`974…`
 * (`97` + the department's last digit) and `98…` for Mayotte.
 */
export function finessPrefix(department: string): string {
  if (/^(\d{2}|2A|2B)$/.test(department)) return department;
  if (/^97[1-4]$/.test(department)) return department;
  if (department === '976') return '98';
  throw new RangeError(`No FINESS numbering for department "${department}"`);
}

/** First serial of the demo's invented FINESS numbers; the synthetic generator stays below it. */
export const DEMO_SERIAL_BASE = 90_000;

/**
 * An invented FINESS number: department prefix, the `series` digits (`8` legal entities, `9` établissements),
 * the serial left-padded to fill 8 characters, then the Luhn key (computed with `A`/`B` of Corsican prefixes read
 * as `0`, unverified).
 */
export function syntheticFiness(department: string, series: string, serial: number): string {
  const prefix = finessPrefix(department) + series;
  const width = 8 - prefix.length;
  if (!/^\d+$/.test(series) || width < 1) throw new RangeError(`Invalid FINESS series "${series}" for ${department}`);
  if (!Number.isInteger(serial) || serial < 0 || serial >= 10 ** width) {
    throw new RangeError(`FINESS serial ${serial} does not fit ${width} digits after "${prefix}"`);
  }
  const body = prefix + String(serial).padStart(width, '0');
  return body + luhnKey(body.replace(/[AB]/g, '0'));
}

/**
 * An invented RPPS number: `99`, the series digit (0 demo, 1 synthetic national), a 7-digit serial and the
 * Luhn key (real RPPS numbers start with `10`).
 */
export function syntheticRpps(series: '0' | '1', serial: number): string {
  if (!Number.isInteger(serial) || serial < 0 || serial >= 1e7) throw new RangeError(`RPPS serial ${serial} out of range`);
  const body = `99${series}${String(serial).padStart(7, '0')}`;
  return body + luhnKey(body);
}
