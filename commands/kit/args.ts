import { z } from 'zod';
import type { ArgValue, CommandSpec, OptionSpec } from '../../src/chat/command';
import { optionValueSchema } from '../../src/chat/option-value';
import { UserError } from '../../src/errors';

/**
 * An option's argument: checked by the option's one parser (src/chat/option-value.ts); a missing
 * required one is refused saying what the command needs.
 */
function optionSchema(command: string, o: OptionSpec): z.ZodType {
  const value = optionValueSchema(o);
  if (!o.required) return value.optional();
  return z
    .any()
    .refine((v) => v !== undefined, `${command} needs ${o.name}: ${o.description}`)
    .pipe(value);
}

type ArgsSchema = z.ZodType<Record<string, unknown>>;

/** Specs are fixed once loaded, so each one's schema is built once, not on every command. */
const schemas = new WeakMap<Pick<CommandSpec, 'name' | 'options'>, ArgsSchema>();

/** The zod schema of a subcommand's arguments, built from its option specs. */
function argsSchema(spec: Pick<CommandSpec, 'name' | 'options'>): ArgsSchema {
  let schema = schemas.get(spec);
  if (!schema) schemas.set(spec, (schema = buildArgsSchema(spec)));
  return schema;
}

function buildArgsSchema(spec: Pick<CommandSpec, 'name' | 'options'>): ArgsSchema {
  const shape = Object.fromEntries(spec.options.map((o) => [o.name, optionSchema(spec.name, o)]));
  const names = spec.options.map((o) => o.name);
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `${spec.name} has no option ${iss.keys.map((k) => `"${k}"`).join(', ')}` +
          (names.length ? ` (options: ${names.join(', ')})` : ' (it takes no options)')
        : undefined,
  });
}

/** Validates and coerces arguments; a bad one is a UserError saying what is accepted. */
export function validateArgs(spec: Pick<CommandSpec, 'name' | 'options'>, args: Record<string, ArgValue>): Record<string, unknown> {
  const parsed = argsSchema(spec).safeParse(args);
  if (!parsed.success) throw new UserError(parsed.error.issues[0]!.message);
  // Optional options that were absent come back as undefined keys; drop them so `in` checks stay honest.
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
}

/** One line of usage in text form, e.g. `subscribe [time <time>] [tz <tz>]`. */
export function usageOf(spec: Pick<CommandSpec, 'name' | 'options'>): string {
  const parts = spec.options.map((o) => {
    const value = o.choices
      ? o.choices.join('|')
      : o.rest
        ? `${o.name}...`
        : o.type === 'boolean'
          ? 'on|off'
          : o.type === 'channel'
            ? '#channel'
            : `<${o.name}>`;
    const word = o.positional || o.rest ? value : `${o.name} ${value}`;
    return o.required ? word : `[${word}]`;
  });
  return [spec.name, ...parts].join(' ');
}
