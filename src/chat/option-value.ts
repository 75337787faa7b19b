import { z } from 'zod';
import type { ArgValue, OptionSpec } from './command';

/**
 * What an option's value is once checked: what its schema makes of it, else one of its choices,
 * else its type. Command arguments and config-file settings are both read this way.
 */
export type OptionValue<O extends OptionSpec> = O extends { readonly schema: infer S extends z.ZodType }
  ? z.output<S>
  : O extends { readonly choices: readonly (infer C)[] }
    ? C
    : O['type'] extends 'integer'
      ? number
      : O['type'] extends 'boolean'
        ? boolean
        : string;

/** Checked values by option name, for a union of options: required ones present, the others optional. */
export type OptionValues<O extends OptionSpec> = {
  [P in O as P extends { readonly required: true } ? P['name'] : never]: OptionValue<P>;
} & {
  [P in O as P extends { readonly required: true } ? never : P['name']]?: OptionValue<P>;
};

/** What an option accepts, in words, for error messages and help. */
export function describeAccepted(o: OptionSpec): string {
  if (o.choices) return `one of ${o.choices.join(', ')}`;
  if (o.type === 'integer') {
    if (o.min !== undefined && o.max !== undefined) return `a whole number from ${o.min} to ${o.max}`;
    if (o.min !== undefined) return `a whole number of at least ${o.min}`;
    return 'a whole number';
  }
  if (o.type === 'boolean') return 'on or off';
  if (o.type === 'channel') return 'a channel';
  return 'some text';
}

/** Turns a raw value (Discord and YAML give typed values, text forms give strings) into the option's type. */
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
    return ['on', 'true', 'yes'].includes(s) ? true : ['off', 'false', 'no'].includes(s) ? false : undefined;
  }
  const s = String(raw).trim();
  if (s === '') return undefined;
  if (o.choices) return o.choices.find((c) => c === s.toLowerCase());
  return s;
}

/**
 * The one parser of an option's value: a raw value coerced to the option's type, limits and
 * choices, then through the option's own schema. Its messages name the option and say what is accepted.
 */
export function optionValueSchema<O extends OptionSpec>(o: O): z.ZodType<OptionValue<O>> {
  const typed = z.union([z.string(), z.number(), z.boolean()], { error: `${o.name} must be ${describeAccepted(o)}` }).transform((raw, ctx) => {
    const value = coerce(o, raw);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `${o.name} must be ${describeAccepted(o)} (got "${String(raw).slice(0, 60)}")` });
      return z.NEVER;
    }
    return value;
  });
  // The option's type decides the value's (OptionValue); zod cannot follow that from a spec known only at run time.
  return (o.schema ? typed.pipe(o.schema as z.ZodType<unknown, ArgValue>) : typed) as z.ZodType<OptionValue<O>>;
}
