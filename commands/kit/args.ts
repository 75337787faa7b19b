import { z } from 'zod';
import type { ArgValue, CommandSpec, OptionSpec } from '../../src/chat/command';
import { UserError } from '../../src/errors';

/** What an option accepts, in words, for error messages and help. */
export function describeAccepted(o: OptionSpec): string {
  if (o.choices) return `one of ${o.choices.join(', ')}`;
  if (o.type === 'integer') {
    if (o.min !== undefined && o.max !== undefined) return `a whole number from ${o.min} to ${o.max}`;
    if (o.min !== undefined) return `a whole number of at least ${o.min}`;
    return 'a whole number';
  }
  if (o.type === 'boolean') return 'true or false';
  return 'some text';
}

/** Turns a raw value (Discord gives typed values, Slack and the console give strings) into the option's type. */
function coerce(o: OptionSpec, raw: ArgValue): ArgValue | undefined {
  if (o.type === 'integer') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n)) return undefined;
    if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) return undefined;
    return n;
  }
  if (o.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).trim().toLowerCase();
    return s === 'true' || s === 'yes' ? true : s === 'false' || s === 'no' ? false : undefined;
  }
  const s = String(raw).trim();
  if (s === '') return undefined;
  if (o.choices) return o.choices.find((c) => c === s.toLowerCase());
  return s;
}

function optionSchema(command: string, o: OptionSpec): z.ZodType<ArgValue | undefined> {
  const typed = z
    .union([z.string(), z.number(), z.boolean()], {
      error: (iss) => (iss.input === undefined ? `${command} needs ${o.name}: ${o.description}` : `${o.name} must be ${describeAccepted(o)}`),
    })
    .transform((raw, ctx) => {
      const value = coerce(o, raw);
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: `${o.name} must be ${describeAccepted(o)} (got "${String(raw).slice(0, 60)}")` });
        return z.NEVER;
      }
      return value;
    });
  const checked = o.schema ? typed.pipe(o.schema as z.ZodType<ArgValue, ArgValue>) : typed;
  return o.required ? checked : checked.optional();
}

type ArgsSchema = z.ZodType<Record<string, ArgValue>>;

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
  }) as unknown as ArgsSchema;
}

/** Validates and coerces arguments; a bad one is a UserError saying what is accepted. */
export function validateArgs(spec: Pick<CommandSpec, 'name' | 'options'>, args: Record<string, ArgValue>): Record<string, ArgValue> {
  const parsed = argsSchema(spec).safeParse(args);
  if (!parsed.success) throw new UserError(parsed.error.issues[0]!.message);
  // Optional options that were absent come back as undefined keys; drop them so `in` checks stay honest.
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
}

/** One line of usage in text form, e.g. `subscribe [time <time>] [tz <tz>]`. */
export function usageOf(spec: Pick<CommandSpec, 'name' | 'options'>): string {
  const parts = spec.options.map((o) => {
    const value = o.choices ? o.choices.join('|') : o.rest ? `${o.name}...` : `<${o.name}>`;
    const word = o.positional || o.rest ? value : `${o.name} ${value}`;
    return o.required ? word : `[${word}]`;
  });
  return [spec.name, ...parts].join(' ');
}
