export type CsvLineResult = { ok: true; cells: string[] } | { ok: false; reason: string };

/**
 * Splits one CSV line (RFC 4180 quoting: a field wrapped in `"` may contain the separator, and `""`
 * stands for one quote). A quote inside an unquoted field is kept as a literal character.
 * Quoted fields never span lines in FINESS files, so an unclosed quote means a truncated line.
 */
export function parseCsvLine(line: string, separator = ';'): CsvLineResult {
  if (separator.length !== 1 || separator === '"') throw new RangeError(`Invalid CSV separator ${JSON.stringify(separator)}`);
  const cells: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) return { ok: false, reason: `unterminated quoted field in column ${cells.length + 1} (truncated line?)` };
        value += line.slice(j, q);
        if (line[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      cells.push(value);
      if (i === n) return { ok: true, cells };
      if (line[i] !== separator) {
        return { ok: false, reason: `unexpected character ${JSON.stringify(line[i])} after the closing quote of column ${cells.length}` };
      }
      i += 1;
    } else {
      const sep = line.indexOf(separator, i);
      if (sep === -1) {
        cells.push(line.slice(i));
        return { ok: true, cells };
      }
      cells.push(line.slice(i, sep));
      i = sep + 1;
    }
  }
}

/** Quotes a cell when it contains the separator, a quote or starts with one (inverse of parseCsvLine). */
export function formatCsvCell(value: string, separator = ';'): string {
  return value.includes(separator) || value.includes('"') || value.includes('\n') ? `"${value.replaceAll('"', '""')}"` : value;
}
