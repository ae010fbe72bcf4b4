import { httpError, parseSfDate } from './util.js';

/** The SOQL subset the emulator understands, parsed into a small AST. */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; ms: number; text: string }
  | { kind: 'date'; value: string };

export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { op: 'and' | 'or'; items: Condition[] }
  | { op: 'not'; item: Condition }
  | { op: 'cmp'; field: string; cmp: CmpOp; value: Literal }
  | { op: 'in'; field: string; negate: boolean; values: Literal[] }
  | { op: 'like'; field: string; pattern: string };

export interface OrderItem {
  field: string;
  desc: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  /** null → `SELECT COUNT()`. */
  fields: string[] | null;
  from: string;
  where: Condition | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
}

type TokenKind = 'str' | 'dt' | 'date' | 'num' | 'op' | 'punct' | 'ident';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const TOKEN_RES: [TokenKind, RegExp][] = [
  ['dt', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/],
  ['date', /^\d{4}-\d{2}-\d{2}(?![\dT])/],
  ['num', /^-?\d+(\.\d+)?(?![\w.])/],
  ['op', /^(!=|<>|<=|>=|=|<|>)/],
  ['punct', /^[(),]/],
  ['ident', /^[A-Za-z_][A-Za-z0-9_.]*/],
];

export const malformed = (message: string) => httpError(400, 'MALFORMED_QUERY', message);

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  outer: while (i < soql.length) {
    const rest = soql.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    if (rest.startsWith("'")) {
      let value = '';
      let j = 1;
      for (; j < rest.length && rest[j] !== "'"; j++) {
        if (rest[j] === '\\') j++;
        value += rest[j] ?? '';
      }
      if (j >= rest.length) throw malformed(`unterminated string literal at column ${i + 1}`);
      tokens.push({ kind: 'str', text: value, pos: i });
      i += j + 1;
      continue;
    }
    for (const [kind, re] of TOKEN_RES) {
      const m = re.exec(rest);
      if (m) {
        tokens.push({ kind, text: m[0], pos: i });
        i += m[0].length;
        continue outer;
      }
    }
    throw malformed(`unexpected token: '${rest[0]}' at column ${i + 1}`);
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  isKeyword(...words: string[]): boolean {
    const t = this.peek();
    return t?.kind === 'ident' && words.includes(t.text.toUpperCase());
  }

  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw malformed("unexpected token: '<EOF>'");
    return t;
  }

  expectKeyword(word: string): void {
    const t = this.next();
    if (t.kind !== 'ident' || t.text.toUpperCase() !== word) {
      throw malformed(`unexpected token: '${t.text}' (expecting ${word})`);
    }
  }

  expectPunct(p: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) throw malformed(`unexpected token: '${t.text}'`);
  }

  ident(): string {
    const t = this.next();
    if (t.kind !== 'ident') throw malformed(`unexpected token: '${t.text}'`);
    if (t.text.includes('.')) {
      throw malformed(`relationship fields are not supported by the emulator: '${t.text}'`);
    }
    return t.text;
  }

  integer(): number {
    const t = this.next();
    if (t.kind !== 'num' || !/^\d+$/.test(t.text)) throw malformed(`unexpected token: '${t.text}'`);
    return Number(t.text);
  }

  literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'str':
        return { kind: 'string', value: t.text };
      case 'num':
        return { kind: 'number', value: Number(t.text) };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'dt': {
        const ms = parseSfDate(t.text);
        if (ms === null) throw malformed(`invalid datetime literal: '${t.text}'`);
        return { kind: 'datetime', ms, text: t.text };
      }
      case 'ident': {
        const w = t.text.toLowerCase();
        if (w === 'true' || w === 'false') return { kind: 'boolean', value: w === 'true' };
        if (w === 'null') return { kind: 'null' };
        throw malformed(`unexpected token: '${t.text}' (date literals are not supported)`);
      }
      case 'op':
      case 'punct':
        throw malformed(`unexpected token: '${t.text}'`);
    }
  }

  condition(): Condition {
    const first = this.unary();
    let joiner: 'and' | 'or' | null = null;
    const items = [first];
    while (this.isKeyword('AND', 'OR')) {
      const word = this.next().text.toLowerCase() as 'and' | 'or';
      if (joiner && joiner !== word) {
        throw malformed(`unexpected token: '${word.toUpperCase()}' (use parentheses with AND/OR)`);
      }
      joiner = word;
      items.push(this.unary());
    }
    return joiner ? { op: joiner, items } : first;
  }

  unary(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { op: 'not', item: this.unary() };
    }
    const t = this.peek();
    if (t?.kind === 'punct' && t.text === '(') {
      this.next();
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const field = this.ident();
    if (this.isKeyword('LIKE')) {
      this.next();
      const p = this.next();
      if (p.kind !== 'str') throw malformed(`unexpected token: '${p.text}' (LIKE needs a string)`);
      return { op: 'like', field, pattern: p.text };
    }
    const negate = this.isKeyword('NOT');
    if (negate) this.next();
    if (this.isKeyword('IN')) {
      this.next();
      this.expectPunct('(');
      const t2 = this.peek();
      if (t2?.kind === 'ident' && t2.text.toUpperCase() === 'SELECT') {
        throw malformed('semi-join subqueries are not supported by the emulator');
      }
      const values = [this.literal()];
      while (this.peek()?.text === ',') {
        this.next();
        values.push(this.literal());
      }
      this.expectPunct(')');
      return { op: 'in', field, negate, values };
    }
    if (negate) throw malformed(`unexpected token: 'NOT'`);
    const op = this.next();
    if (op.kind !== 'op') throw malformed(`unexpected token: '${op.text}'`);
    const cmp = (op.text === '<>' ? '!=' : op.text) as CmpOp;
    return { op: 'cmp', field, cmp, value: this.literal() };
  }

  query(): SoqlQuery {
    this.expectKeyword('SELECT');
    let fields: string[] | null = [];
    if (this.isKeyword('COUNT')) {
      this.next();
      this.expectPunct('(');
      this.expectPunct(')');
      fields = null;
    } else {
      fields.push(this.ident());
      while (this.peek()?.text === ',') {
        this.next();
        fields.push(this.ident());
      }
    }
    this.expectKeyword('FROM');
    const from = this.ident();
    const q: SoqlQuery = { fields, from, where: null, orderBy: [], limit: null, offset: null };
    if (this.isKeyword('WHERE')) {
      this.next();
      q.where = this.condition();
    }
    if (this.isKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      do {
        if (this.peek()?.text === ',') this.next();
        const field = this.ident();
        let desc = false;
        if (this.isKeyword('ASC', 'DESC')) desc = this.next().text.toUpperCase() === 'DESC';
        let nullsLast = desc;
        if (this.isKeyword('NULLS')) {
          this.next();
          const w = this.next().text.toUpperCase();
          if (w !== 'FIRST' && w !== 'LAST') throw malformed(`unexpected token: '${w}'`);
          nullsLast = w === 'LAST';
        }
        q.orderBy.push({ field, desc, nullsLast });
      } while (this.peek()?.text === ',');
    }
    if (this.isKeyword('LIMIT')) {
      this.next();
      q.limit = this.integer();
    }
    if (this.isKeyword('OFFSET')) {
      this.next();
      q.offset = this.integer();
    }
    const extra = this.peek();
    if (extra) throw malformed(`unexpected token: '${extra.text}'`);
    return q;
  }
}

/** Parses a SOQL statement or throws 400 MALFORMED_QUERY. */
export function parseSoql(soql: string): SoqlQuery {
  return new Parser(tokenize(soql)).query();
}
