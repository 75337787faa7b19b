// Stryker ignorers: code whose mutants cost a test run or a type check each and can tell nothing.
// - LogCalls: log calls (`log.warn({...}, 'message')`, `opts.log.error(...)`). What a log line says,
//   or whether it is written, is not behaviour the mutated modules promise; its mutants (message or
//   fields emptied, the call removed) can only survive. Redaction in logs is guarded by the drills.
// - KyselyNames: table, column and operator names in kysely queries. Kysely types them, so each
//   mutant (a name emptied) is a compile error the TypeScript checker rejects, outside the score;
//   checking them was 60 of bookmarks.ts's 68 mutants and most of its run time.
// - ErrorWording: the message given to `new SomeError(...)`. That an error is thrown, and which, is
//   still mutated (the throw removed, its condition changed); its wording is not behaviour.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const LOGGERS = new Set(['log', 'logger', 'console']);

/** `log.warn`, `opts.log.warn`, `this.logger.info`, `console.error`. */
function isLogCall(node) {
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LEVELS.has(property.name)) return false;
  if (object.type === 'Identifier') return LOGGERS.has(object.name);
  return object.type === 'MemberExpression' && object.property.type === 'Identifier' && LOGGERS.has(object.property.name);
}

/** Kysely methods whose string arguments are all names; `where` and `on` take a value third. */
const NAMES_ONLY = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'innerJoin',
  'leftJoin',
  'select',
  'selectAll',
  'returning',
  'orderBy',
  'columns',
  'column',
  'onRef',
]);
const NAME_THEN_VALUE = new Set(['where', 'on']);

function isKyselyName(path) {
  if (path.node.type !== 'StringLiteral' && path.node.type !== 'TemplateLiteral' && path.node.type !== 'ArrayExpression') return false;
  let arg = path;
  if (path.parentPath?.isArrayExpression()) arg = path.parentPath;
  const call = arg.parentPath;
  if (!call?.isCallExpression() || call.node.callee.type !== 'MemberExpression' || call.node.callee.property.type !== 'Identifier') return false;
  const method = call.node.callee.property.name;
  const index = call.node.arguments.indexOf(arg.node);
  if (index < 0) return false;
  return NAMES_ONLY.has(method) || (NAME_THEN_VALUE.has(method) && index < 2);
}

/** The message argument of `new UserError('…')`, `new ParseError(`…`)` and the like. */
function isErrorWording(path) {
  if (path.node.type !== 'StringLiteral' && path.node.type !== 'TemplateLiteral') return false;
  const parent = path.parentPath;
  return (
    parent?.isNewExpression() === true &&
    parent.node.callee.type === 'Identifier' &&
    parent.node.callee.name.endsWith('Error') &&
    parent.node.arguments[0] === path.node
  );
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'LogCalls', {
    shouldIgnore(path) {
      const node = path.isExpressionStatement() ? path.node.expression : path.node;
      return isLogCall(node) ? 'a log call: its wording and fields are not behaviour under test' : undefined;
    },
  }),
  declareValuePlugin(PluginKind.Ignore, 'KyselyNames', {
    shouldIgnore(path) {
      return isKyselyName(path) ? 'a table, column or operator name kysely type-checks' : undefined;
    },
  }),
  declareValuePlugin(PluginKind.Ignore, 'ErrorWording', {
    shouldIgnore(path) {
      return isErrorWording(path) ? "an error's wording" : undefined;
    },
  }),
];
