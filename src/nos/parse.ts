import { isDeepStrictEqual } from 'node:util';

/**
 * Parses the text of a NOS file. Some published NOS files hold the same JSON object several times,
 * concatenated (JDV_J237 in ansforge/IG-NOS): identical copies are collapsed into one; copies that
 * differ are refused, as nobody can tell which one is right.
 */
export function parseNosJson(text: string, fileName: string): unknown {
  const documents = splitJsonDocuments(text, fileName);
  const [first, ...others] = documents;
  if (first === undefined) throw new Error(`NOS file ${fileName} is empty`);
  for (const other of others) {
    if (!isDeepStrictEqual(other, first)) {
      throw new Error(`NOS file ${fileName} holds ${documents.length} different JSON documents; expected one`);
    }
  }
  return first;
}

function splitJsonDocuments(text: string, fileName: string): unknown[] {
  const documents: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      if (depth === 0) throw new Error(`NOS file ${fileName}: unexpected string outside a JSON object at offset ${i}`);
      inString = true;
    } else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth < 0) throw new Error(`NOS file ${fileName}: unbalanced "${ch}" at offset ${i}`);
      if (depth === 0) documents.push(parseOne(text.slice(start, i + 1), fileName));
    } else if (depth === 0 && ch !== undefined && !/\s/.test(ch) && ch !== '\uFEFF') {
      throw new Error(`NOS file ${fileName}: unexpected "${ch}" outside a JSON object at offset ${i}`);
    }
  }
  if (depth !== 0 || inString) throw new Error(`NOS file ${fileName}: truncated JSON`);
  return documents;
}

function parseOne(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`NOS file ${fileName} is not valid JSON: ${(err as Error).message}`);
  }
}
