import type { ArgValue, OptionSpec } from '../../src/chat/command';
import { describeAccepted } from '../../src/chat/option-value';
import { UserError } from '../../src/errors';
import { commands, findCommand } from '../index';
import { usageOf } from './args';

/** Splits on whitespace; "double quotes" keep spaces inside one token. */
function tokenize(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/**
 * Parses the text form of a command (Slack's `/papers` text, the console): the subcommand, then
 * `keyword value` pairs and positional values as the spec allows, e.g.
 * `subscribe time 09:00 tz Europe/Berlin top 5`, `search memorize test time`, `bookmarks export bibtex`.
 * Values stay strings; dispatch coerces and validates them against the spec.
 */
export function parseCommandText(text: string): { command: string; args: Record<string, ArgValue> } {
  const tokens = tokenize(text.trim());
  const name = tokens.shift()?.toLowerCase() ?? 'help';
  const spec = findCommand(name);
  if (!spec) throw new UserError(`Unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}.`);

  const args: Record<string, ArgValue> = {};
  const open = (o: OptionSpec) => !(o.name in args);
  const byKeyword = new Map(spec.options.map((o) => [o.name, o]));
  while (tokens.length > 0) {
    const token = tokens.shift()!;
    const keyword = byKeyword.get(token.toLowerCase());
    if (keyword && open(keyword)) {
      if (keyword.rest) {
        args[keyword.name] = tokens.splice(0).join(' ');
      } else if (keyword.type === 'boolean' && (tokens.length === 0 || byKeyword.has(tokens[0]!.toLowerCase()))) {
        args[keyword.name] = true;
      } else {
        if (tokens.length === 0) throw new UserError(`${keyword.name} needs a value: ${keyword.description}. Usage: ${usageOf(spec)}`);
        args[keyword.name] = takeValue(tokens);
      }
      continue;
    }
    const positional = spec.options.filter((o) => (o.positional || o.rest) && open(o));
    const target = positional.find((o) => o.choices?.includes(token.toLowerCase())) ?? positional.find((o) => !o.choices);
    if (!target) {
      // A word where only fixed choices may stand: say which choices (`top year`).
      const chooser = positional.find((o) => o.choices);
      if (chooser) throw new UserError(`${chooser.name} must be ${describeAccepted(chooser)} (got "${token}")`);
      throw new UserError(`Unexpected "${token}" for ${spec.name}. Usage: ${usageOf(spec)}`);
    }
    args[target.name] = target.rest ? [token, ...tokens.splice(0)].join(' ') : token;
  }
  return { command: spec.name, args };
}

/** One value; a list written with spaces after its commas (`topics a, b, -c`) is joined back together. */
function takeValue(tokens: string[]): string {
  let value = tokens.shift()!;
  while (value.endsWith(',') && tokens.length > 0) value += tokens.shift()!;
  return value;
}
