/**
 * The document paths an expression reads or writes, for the checks DynamoDB makes on them
 * once the table is known: a Query's filter may not name its key, and no expression may reach
 * into a key attribute (`a.b`, `a[0]`).
 */
import type { ConditionAst, Operand, Path, UpdateAst, UpdateValue } from './ast.js';

/** Every path a condition reads, in the order written. */
export function conditionPaths(node: ConditionAst | Operand, out: Path[] = []): Path[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const o of node.operands) conditionPaths(o, out);
      break;
    case 'not':
    case 'size':
      conditionPaths(node.operand, out);
      break;
    case 'compare':
      conditionPaths(node.left, out);
      conditionPaths(node.right, out);
      break;
    case 'between':
      for (const o of [node.operand, node.low, node.high]) conditionPaths(o, out);
      break;
    case 'in':
      for (const o of [node.operand, ...node.list]) conditionPaths(o, out);
      break;
    case 'attribute_exists':
    case 'attribute_not_exists':
    case 'path':
      out.push(node.path);
      break;
    case 'attribute_type':
      conditionPaths(node.operand, out);
      break;
    case 'begins_with':
      conditionPaths(node.operand, out);
      conditionPaths(node.prefix, out);
      break;
    case 'contains':
      conditionPaths(node.operand, out);
      conditionPaths(node.element, out);
      break;
    case 'value':
      break;
  }
  return out;
}

/** Every path an update writes or reads. */
export function updatePaths(update: UpdateAst): Path[] {
  const out: Path[] = [];
  const read = (v: UpdateValue): void => {
    switch (v.kind) {
      case 'path':
        out.push(v.path);
        break;
      case 'if_not_exists':
        out.push(v.path);
        read(v.fallback);
        break;
      case 'list_append':
      case 'plus':
      case 'minus':
        read(v.left);
        read(v.right);
        break;
      case 'value':
        break;
    }
  };
  for (const a of update.actions) {
    out.push(a.path);
    if (a.kind === 'set') read(a.value);
  }
  return out;
}
