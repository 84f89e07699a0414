import { badRequest, StoreError } from '../store/errors.ts';
import type { Prefix, SearchFilter } from '../store/search.ts';
import { parseCriterion } from './search-parser.ts';

/** Most comparisons one `_filter` may hold (a list of values `param eq A or B` counts one per value). */
export const MAX_FILTER_COMPARISONS = 50;
/** How deep parentheses and `not(…)` may nest in one `_filter`. */
export const MAX_FILTER_DEPTH = 20;

const ORDER_OPERATORS: readonly Prefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];
const OPERATORS: readonly string[] = [...ORDER_OPERATORS, 'sw', 'ew', 'co', 'pr', 'ap'];
const UNSUPPORTED_OPERATORS: readonly string[] = ['ss', 'sb', 'in', 'ni', 're', 'po'];

type Operator = Prefix | 'sw' | 'ew' | 'co' | 'pr' | 'ap';

/** One `paramPath op value` of a filter; `at` is its character offset, `text` the comparison as sent. */
interface Comparison {
  path: string;
  op: Operator;
  value: string;
  at: number;
  text: string;
}

/** An operand of `and` or `or`: its filter, and the comparison it is when it is one on its own (a list of values may follow). */
interface Operand {
  filter: SearchFilter;
  comparison?: Comparison;
}

/**
 * Parses a FHIR `_filter` expression (https://hl7.org/fhir/R4/search_filter.html) on `resourceType` into one
 * search filter: comparisons combined with `and` (binding tighter), `or`, `not(…)` and parentheses, each
 * comparison mapped onto the search parameter it names. Keywords and operators are case-insensitive, and
 * `param eq A or B` (a value alone after `or`) stands for `param eq A or param eq B`, as ROR consumers send it.
 * Every malformed expression, unsupported operator or operator that does not fit the parameter type is a 400
 * naming `_filter` and the character offset of the problem.
 */
export function parseFilter(resourceType: string, raw: string): SearchFilter {
  return new FilterParser(resourceType, raw).parse();
}

class FilterParser {
  private pos = 0;
  private comparisons = 0;

  constructor(
    private readonly resourceType: string,
    private readonly src: string,
  ) {}

  parse(): SearchFilter {
    if (this.src.trim() === '') throw badRequest('_filter is empty: expected an expression such as "name co cardio"', '_filter');
    const filter = this.orExpression(0);
    this.skipSpace();
    if (this.src[this.pos] === ')') this.fail('unbalanced parenthesis: ")" closes no "("');
    if (this.pos < this.src.length) this.fail('expected "and", "or" or the end of the filter');
    return filter;
  }

  private orExpression(depth: number): SearchFilter {
    let last = this.andExpression(depth);
    const operands = [last.filter];
    while (this.keyword('or')) {
      const repeated = last.comparison;
      const listed = repeated && this.listedValue();
      if (repeated && listed) {
        operands.push(this.leaf({ ...repeated, ...listed }));
        const { path, op } = repeated;
        if (this.peekKeyword('and')) this.fail(`a list of values ("${path} ${op} A or B") cannot be followed by "and": put it in parentheses`);
      } else {
        last = this.andExpression(depth);
        operands.push(last.filter);
      }
    }
    return combine('any', operands);
  }

  private andExpression(depth: number): Operand {
    const first = this.operand(depth);
    const operands = [first.filter];
    while (this.keyword('and')) operands.push(this.operand(depth).filter);
    return operands.length === 1 ? first : { filter: combine('all', operands) };
  }

  private operand(depth: number): Operand {
    this.skipSpace();
    const start = this.pos;
    if (this.src[this.pos] === '(') {
      this.pos++;
      return { filter: this.group(depth, start) };
    }
    const not = this.match(/not\s*\(/iy);
    if (not !== undefined) return { filter: { kind: 'not', filter: this.group(depth, this.pos - 1) } };
    if (this.match(/not\s/iy) !== undefined) {
      this.pos = start + 3;
      this.fail('expected "(" after "not"');
    }
    const keyword = this.match(/(and|or)(?=\s|$)/iy);
    if (keyword !== undefined) this.fail(`expected a comparison "param op value", "(" or "not(", got "${keyword}"`, start);
    const comparison = this.comparison();
    return { filter: this.leaf(comparison), comparison };
  }

  /** The expression after the "(" at `open`, up to its ")". */
  private group(depth: number, open: number): SearchFilter {
    if (depth + 1 > MAX_FILTER_DEPTH) this.fail(`parentheses and not() nest more than ${MAX_FILTER_DEPTH} deep`, open);
    const filter = this.orExpression(depth + 1);
    this.skipSpace();
    if (this.src[this.pos] !== ')') {
      this.fail(this.atEnd() ? `unbalanced parenthesis: expected ")" to close the "(" at offset ${open}` : 'expected "and", "or" or ")"');
    }
    this.pos++;
    return filter;
  }

  private comparison(): Comparison {
    this.skipSpace();
    const at = this.pos;
    const path = this.match(/[A-Za-z0-9_.:-]+/y);
    if (path === undefined) {
      this.fail(this.atEnd() ? 'expected a comparison "param op value", "(" or "not(" before the end of the filter' : 'expected a comparison "param op value", "(" or "not("');
    }
    if (this.src[this.pos] === '[') this.fail(`sub-filters "${path}[…]" are not supported`);
    if (this.src[this.pos] === '=') this.fail(`"=" is not a _filter operator: write "${path} eq value"`);
    if (!this.space()) this.fail(`expected a space and an operator after "${path}"`);
    const opAt = this.pos;
    const word = this.match(/[A-Za-z]+/y);
    if (word === undefined) this.fail(`expected an operator (${OPERATORS.join(', ')}) after "${path}"`);
    const op = word.toLowerCase();
    if (UNSUPPORTED_OPERATORS.includes(op)) this.fail(`operator "${op}" is not supported`, opAt);
    if (!OPERATORS.includes(op)) this.fail(`unknown operator "${word}": expected one of ${OPERATORS.join(', ')}`, opAt);
    if (!this.space()) this.fail(`expected a space and a value after "${path} ${word}"`);
    const value = this.value();
    return { path, op: op as Operator, value, at, text: this.src.slice(at, this.pos) };
  }

  /**
   * After `or`: a value alone, which repeats the comparison before it with that value; undefined (position
   * unchanged) when what follows is no value: a comparison, a group, not(), a keyword, ")" or the end.
   */
  private listedValue(): Pick<Comparison, 'value' | 'at' | 'text'> | undefined {
    this.skipSpace();
    const start = this.pos;
    if (this.src[start] !== '"') {
      const operator = (): boolean => {
        const word = this.match(/[A-Za-z]+(?=\s|$)/y)?.toLowerCase();
        return word !== undefined && (OPERATORS.includes(word) || UNSUPPORTED_OPERATORS.includes(word));
      };
      const noValue =
        this.atEnd() ||
        this.src[start] === '(' ||
        this.src[start] === ')' ||
        this.match(/(not\s*\(|(and|or)(\s|$))/iy) !== undefined ||
        (this.match(/[A-Za-z0-9_.:-]+\s+/y) !== undefined && operator());
      this.pos = start;
      if (noValue) return undefined;
    }
    const value = this.value();
    return { value, at: start, text: this.src.slice(start, this.pos) };
  }

  /** A quoted value (`"…"`, `\"` for a quote) or a run of characters up to a space, ")" or "]". */
  private value(): string {
    const start = this.pos;
    if (this.src[start] === '"') {
      let value = '';
      for (let i = start + 1; i < this.src.length; i++) {
        const c = this.src[i] as string;
        if (c === '"') {
          this.pos = i + 1;
          if (value === '') this.fail('empty quoted value', start);
          return value;
        }
        if (c === '\\' && i + 1 < this.src.length) {
          const next = this.src[++i] as string;
          value += next === '"' ? next : c + next;
        } else value += c;
      }
      this.fail('unterminated quoted value: expected a closing "', start);
    }
    const value = this.match(/[^\s)\]]+/y);
    if (value === undefined) this.fail('expected a value');
    return value;
  }

  private leaf(c: Comparison): SearchFilter {
    if (++this.comparisons > MAX_FILTER_COMPARISONS) this.fail(`more than ${MAX_FILTER_COMPARISONS} comparisons`, c.at);
    try {
      return comparisonFilter(this.resourceType, c);
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      throw new StoreError(
        e.status,
        e.issues.map((i) => ({ ...i, diagnostics: `Invalid _filter at offset ${c.at} ("${c.text}"): ${i.diagnostics ?? i.code}`, expression: ['_filter'] })),
      );
    }
  }

  /** Consumes `word` (case-insensitive) when it comes next as a keyword: followed by a space, "(" or the end. */
  private keyword(word: 'and' | 'or'): boolean {
    if (!this.peekKeyword(word)) return false;
    this.skipSpace();
    this.pos += word.length;
    return true;
  }

  private peekKeyword(word: 'and' | 'or'): boolean {
    const re = new RegExp(`\\s*${word}(?=[\\s(]|$)`, 'iy');
    re.lastIndex = this.pos;
    return re.test(this.src);
  }

  /** Consumes what `re` (sticky) matches at the position and returns it, or undefined (position unchanged). */
  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    if (!m || m[0] === '') return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  private space(): boolean {
    return this.match(/\s+/y) !== undefined;
  }

  private skipSpace(): void {
    this.space();
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private fail(message: string, at = this.pos): never {
    const near = at >= this.src.length ? 'at the end' : `near "${this.src.slice(at, at + 24)}"`;
    throw badRequest(`Invalid _filter at offset ${at} (${near}): ${message}`, '_filter');
  }
}

/** `kind` of `operands`, nested combinations of the same kind flattened; a single operand as it is. */
function combine(kind: 'all' | 'any', operands: SearchFilter[]): SearchFilter {
  const filters = operands.flatMap((f) => (f.kind === kind ? f.filters : [f]));
  return filters.length === 1 ? (filters[0] as SearchFilter) : { kind, filters };
}

/** The criterion a chain or `_has` ends with. */
function leafOf(f: SearchFilter): SearchFilter {
  return f.kind === 'chain' || f.kind === 'has' ? leafOf(f.filter) : f;
}

/** `f` with the criterion it ends with replaced by `change(leaf)`. */
function withLeaf(f: SearchFilter, change: (leaf: SearchFilter) => SearchFilter): SearchFilter {
  return f.kind === 'chain' || f.kind === 'has' ? { ...f, filter: withLeaf(f.filter, change) } : change(f);
}

const TYPE_OF_KIND: Partial<Record<SearchFilter['kind'], string>> = {
  number: 'number',
  quantity: 'quantity',
  date: 'date',
  lastUpdated: 'date',
  string: 'string',
  token: 'token',
  reference: 'reference',
  uri: 'uri',
  id: 'id',
  content: 'text',
};

/** One comparison as the search criterion of its parameter: the operator becomes a prefix or a modifier. */
function comparisonFilter(resourceType: string, c: Comparison): SearchFilter {
  // A _filter value is one value: commas are literal, the other search escapes (\| \$ \\) keep their meaning.
  const value = c.value.replace(/\\.|,/g, (m) => (m === ',' ? '\\,' : m));
  const criterion = (modifier: string, v = value): SearchFilter => parseCriterion(resourceType, c.path + modifier, v, c.path);
  if (c.op === 'pr') {
    if (value !== 'true' && value !== 'false') throw badRequest(`operator "pr" takes true or false, got "${c.value}"`, '_filter');
    return criterion(':missing', value === 'true' ? 'false' : 'true');
  }
  if (c.op === 'ap') throw badRequest('operator "ap" (approximately) is not supported: combine ge and le', '_filter');
  const plain = criterion('');
  const kind = leafOf(plain).kind;
  const refuse = (allowed: readonly string[]): never => {
    const type = TYPE_OF_KIND[kind] ?? kind;
    throw badRequest(`operator "${c.op}" does not apply to ${type} parameter "${c.path}": use ${[...allowed, 'pr'].join(', ')}`, '_filter');
  };
  switch (kind) {
    case 'number':
    case 'quantity':
    case 'date':
    case 'lastUpdated':
      if (!(ORDER_OPERATORS as readonly string[]).includes(c.op)) refuse(ORDER_OPERATORS);
      return criterion('', c.op + value);
    case 'string':
      switch (c.op) {
        case 'eq':
          return criterion(':exact');
        case 'ne':
          return { kind: 'not', filter: criterion(':exact') };
        case 'sw':
          return plain;
        case 'ew':
          return withLeaf(plain, (leaf) => (leaf.kind === 'string' ? { ...leaf, match: 'end' } : leaf));
        case 'co':
          return criterion(':contains');
        default:
          return refuse(['eq', 'ne', 'sw', 'ew', 'co']);
      }
    case 'token':
      if (c.op === 'eq') return plain;
      if (c.op === 'ne') return criterion(':not');
      return refuse(['eq', 'ne']);
    case 'content':
      if (c.op === 'eq' || c.op === 'co') return plain;
      if (c.op === 'ne') return { kind: 'not', filter: plain };
      return refuse(['eq', 'ne', 'co']);
    default:
      if (c.op === 'eq') return plain;
      if (c.op === 'ne') return { kind: 'not', filter: plain };
      return refuse(['eq', 'ne']);
  }
}
