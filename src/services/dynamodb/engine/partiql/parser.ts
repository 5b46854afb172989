/**
 * A recursive-descent parser for the PartiQL DynamoDB accepts:
 *
 *   statement := (select | insert | update | delete | EXISTS "(" select ")") [";"]
 *   select    := SELECT ("*" | path ("," path)*) FROM source [WHERE expr] [ORDER BY name [ASC|DESC] ("," ...)*]
 *   insert    := INSERT INTO name VALUE expr
 *   update    := UPDATE source ((SET path "=" expr ("," ...)*) | (REMOVE path ("," path)*))+ [WHERE expr] [returning]
 *   delete    := DELETE FROM source [WHERE expr] [returning]
 *   returning := RETURNING (ALL | MODIFIED) (OLD | NEW) "*"
 *   source    := name ["." name]
 *
 * Expressions are expr-parser.ts's. The parser accepts more than DynamoDB runs (arithmetic in
 * a WHERE, LIKE, any function name) so the translator can refuse those with DynamoDB's own
 * messages; what it cannot parse gets AWS's syntax-error details.
 */
import {
  describe,
  type OrderItem,
  type ParsedStatement,
  type PathExpr,
  type Returning,
  type SelectStatement,
  type Source,
  type Statement,
  type UpdateClause,
} from './ast.js';
import { invalid, malformed, MSG } from './errors.js';
import { ExpressionParser } from './expr-parser.js';
import { KEYWORDS, tokenize } from './lexer.js';

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export function parseStatement(source: string): ParsedStatement {
  const parser = new Parser(tokenize(source));
  const statement = parser.statement();
  return { statement, parameters: parser.params };
}

class Parser extends ExpressionParser {
  statement(): Statement {
    const t = this.peek();
    let s: Statement;
    if (t.kind === 'eof') throw malformed(MSG.unexpectedTerm);
    if (this.isWord('SELECT')) s = this.select();
    else if (this.isWord('INSERT')) s = this.insert();
    else if (this.isWord('UPDATE')) s = this.update();
    else if (this.isWord('DELETE')) s = this.delete();
    else if (this.isWord('EXISTS') && this.isPunct('(', 1)) {
      this.next();
      this.next();
      if (!this.isWord('SELECT')) throw malformed(MSG.expectedDml);
      s = { kind: 'exists', select: this.select() };
      this.expectPunct(')');
    } else throw malformed(MSG.expectedDml);
    this.acceptPunct(';');
    if (this.peek().kind !== 'eof') throw malformed(MSG.leftover);
    return s;
  }

  private select(): SelectStatement {
    this.next();
    if (this.isWord('DISTINCT')) throw invalid('Unsupported token in expression: DISTINCT');
    this.acceptWord('ALL');
    if (this.isWord('VALUE') || this.isWord('PIVOT')) throw invalid(MSG.valueOrPivot);
    let projection: PathExpr[] | undefined;
    if (this.isOp('*')) {
      this.next();
      if (this.isPunct(',')) throw invalid(MSG.starAndOthers);
    } else {
      projection = [];
      this.projecting = true;
      do projection.push(this.projectionItem());
      while (this.acceptPunct(','));
      this.projecting = false;
    }
    this.expectWord('FROM');
    const source = this.source(false);
    if (this.isPunct(',') || ['JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'FULL', 'OUTER'].some((k) => this.isWord(k))) throw invalid(MSG.multipleFrom);
    const where = this.acceptWord('WHERE') ? this.expr() : undefined;
    for (const clause of ['GROUP', 'HAVING', 'LIMIT', 'OFFSET']) {
      if (this.isWord(clause)) throw invalid(`Unsupported clause: ${clause === 'GROUP' ? 'GROUP BY' : clause}`);
    }
    const orderBy: OrderItem[] = [];
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      do orderBy.push(this.orderItem());
      while (this.acceptPunct(','));
    }
    return { kind: 'select', projection, source, where, orderBy };
  }

  private projectionItem(): PathExpr {
    if (this.isOp('*')) throw invalid(MSG.starAndOthers);
    const e = this.expr();
    if (e.kind !== 'path') throw invalid(MSG.unexpectedPathComponent);
    const t = this.peek();
    if (this.isWord('AS') || t.kind === 'quoted' || (t.kind === 'word' && !KEYWORDS.has(t.upper))) throw invalid(MSG.alias);
    return e;
  }

  private orderItem(): OrderItem {
    const e = this.additive();
    if (e.kind !== 'path' || e.steps.length !== 1) throw invalid(`Argument to ORDER BY must be of type VariableReference. Type: ${describe(e)}`);
    const descending = this.acceptWord('DESC');
    if (!descending) this.acceptWord('ASC');
    return { name: (e.steps[0] as { name: string }).name, descending };
  }

  /** A table or `table.index`; `dml` statements word a missing name as PartiQL's DML parser does. */
  private source(dml: boolean): Source {
    const names = [this.identifier(dml)];
    while (this.acceptPunct('.')) names.push(this.identifier(dml));
    if (this.isPunct('[')) throw invalid('Invalid list expression in source.');
    const t = this.peek();
    if (this.isWord('AS') || t.kind === 'quoted' || (t.kind === 'word' && !KEYWORDS.has(t.upper))) throw invalid(MSG.alias);
    if (names.length > 2) throw invalid(MSG.fromComponents);
    for (const n of names) {
      if (n === '') throw invalid(MSG.emptyPathComponent);
      if (!TABLE_NAME.test(n)) throw invalid(MSG.tableName);
    }
    return { table: names[0]!, index: names[1] };
  }

  private identifier(dml: boolean): string {
    const t = this.peek();
    if (t.kind === 'quoted' || (t.kind === 'word' && !KEYWORDS.has(t.upper))) {
      this.next();
      return t.text;
    }
    if (dml) throw malformed(MSG.expectedIdentifier);
    return this.termError(t);
  }

  private insert(): Statement {
    this.next();
    this.expectWord('INTO');
    const table = this.identifier(true);
    if (this.isPunct('.')) throw invalid(MSG.dmlFrom);
    if (table === '') throw invalid(MSG.emptyPathComponent);
    if (!TABLE_NAME.test(table)) throw invalid(MSG.tableName);
    if (!this.acceptWord('VALUE')) throw malformed(this.peek().kind === 'eof' ? MSG.unexpectedTerm : MSG.leftover);
    const value = this.expr();
    if (this.isWord('RETURNING')) throw invalid(MSG.returningInsert);
    return { kind: 'insert', table, value };
  }

  private update(): Statement {
    this.next();
    const source = this.source(true);
    const clauses: UpdateClause[] = [];
    for (;;) {
      if (this.acceptWord('SET')) {
        do {
          const path = this.target();
          if (!this.isOp('=')) throw malformed('Expected =');
          this.next();
          clauses.push({ kind: 'set', path, value: this.expr() });
        } while (this.acceptPunct(','));
      } else if (this.acceptWord('REMOVE')) {
        do clauses.push({ kind: 'remove', path: this.target() });
        while (this.acceptPunct(','));
      } else break;
    }
    if (!clauses.length) throw malformed(this.peek().kind === 'eof' ? MSG.unexpectedTerm : MSG.leftover);
    const where = this.acceptWord('WHERE') ? this.expr() : undefined;
    return { kind: 'update', source, clauses, where, returning: this.returning() };
  }

  private delete(): Statement {
    this.next();
    this.expectWord('FROM');
    const source = this.source(true);
    const where = this.acceptWord('WHERE') ? this.expr() : undefined;
    return { kind: 'delete', source, where, returning: this.returning() };
  }

  /** The path a SET or REMOVE writes. */
  private target(): PathExpr {
    const e = this.unary();
    if (e.kind !== 'path') throw invalid(`Unrecognized assignment target: ${describe(e)}`);
    return e;
  }

  private returning(): Returning | undefined {
    if (!this.acceptWord('RETURNING')) return undefined;
    const scope = this.acceptWord('ALL') ? 'ALL' : this.acceptWord('MODIFIED') ? 'UPDATED' : undefined;
    const age = scope && (this.acceptWord('OLD') ? 'OLD' : this.acceptWord('NEW') ? 'NEW' : undefined);
    if (!scope || !age) throw malformed('Expected returning mapping');
    if (!this.isOp('*')) throw invalid(MSG.returningStar);
    this.next();
    if (this.isPunct(',')) throw invalid(MSG.returningMany);
    return `${scope}_${age}` as Returning;
  }
}
