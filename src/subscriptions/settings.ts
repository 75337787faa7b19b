import { z } from 'zod';
import type { OptionSpec } from '../chat/command';
import type { OptionValues } from '../chat/option-value';
import type { SubscriptionSettings } from '../store/types';
import { errorMessage } from '../errors';
import { parseArxivCategories } from '../model/arxiv-categories';
import { RANK_MODES, type RankMode } from '../rank/modes';
import { CADENCES, describeSchedule, WEEK_DAYS } from '../model/cadence';
import { parseTopics } from '../rank/topics';

/**
 * The settings of a channel's daily post, each declared once: its `/papers subscribe` option (also
 * its key in the subscriptions file) with the one parser of its text, its default, its line in the
 * settings display, and whether the ranking reads it. The subscribe options, the subscriptions
 * file's entries, the defaults, the display and the selection cache key all come from here, so a
 * new setting is one declaration below (and its column in the store).
 */

/** Every setting with its value (the store's type leaves arxiv optional for older callers). */
export type CompleteSettings = Required<SubscriptionSettings>;
type Field = keyof CompleteSettings;

/**
 * Option shapes whose checked value is a T: what its schema makes of the text, a whole number, or
 * one of T's choices. So a setting's option cannot yield anything but its field's type.
 */
type Yielding<T> =
  | { readonly schema: z.ZodType<T> }
  | ([T] extends [number] ? { readonly type: 'integer'; readonly schema?: undefined } : never)
  | ([T] extends [boolean] ? { readonly type: 'boolean'; readonly schema?: undefined } : never)
  | ([T] extends [string] ? { readonly choices: readonly T[]; readonly schema?: undefined } : never);

interface SettingDeclaration<F extends Field> {
  /** The `/papers subscribe` option; its name is also the setting's key in the subscriptions file. */
  readonly option: OptionSpec & Yielding<CompleteSettings[F]>;
  readonly default: CompleteSettings[F];
  /** A list: the subscriptions file also takes it as a YAML list. */
  readonly list?: boolean;
  /** Its line in the settings display; absent when another setting's line shows it. */
  readonly display?: { readonly label: string; value(settings: CompleteSettings): string };
  /** Whether the ranking reads it, which makes it part of the selection cache key. */
  readonly ranks: boolean;
}

/** `9:00` or `09:00` → `09:00`; anything else outside 00:00..23:59 is refused. */
export const timeOfDay = z
  .string()
  .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM from 00:00 to 23:59, e.g. 09:00')
  .transform((t) => t.padStart(5, '0'));

/** An IANA zone as Intl knows it, returned in its canonical spelling (`europe/berlin` → `Europe/Berlin`). */
export const timeZone = z.string().transform((zone, ctx) => {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: 'custom', message: `Unknown time zone "${zone}". Use an IANA zone such as Europe/Berlin, America/New_York or UTC.` });
    return z.NEVER;
  }
});

/** Text read by one of core's parsers, which throw UserError; the message, after the option's name, is the issue. */
function parsedBy<T>(name: string, parse: (text: string) => T): z.ZodType<T> {
  return z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${name}: ${errorMessage(err)}` });
      return z.NEVER;
    }
  });
}

/** `none` clears the topics; anything else must pass core's topic rules. */
const topicsOf = (text: string) => (text.trim().toLowerCase() === 'none' ? [] : parseTopics(text));

const RANK_MEANINGS: Record<RankMode, string> = {
  popular: 'by upvotes',
  balanced: 'upvotes, recency and topics',
  channel: "balanced, plus likeness to this channel's bookmarks",
};

const onOff = (on: boolean) => (on ? 'on' : 'off');

/** Type-checks every declaration against its field, keeping the literal types the subscribe arguments are typed from. */
function declare<const S extends { [F in Field]: SettingDeclaration<F> }>(settings: S): S {
  return settings;
}

/** The settings in the order `subscribe` lists its options and `settings` shows them. */
export const SETTINGS = declare({
  time: {
    option: { name: 'time', description: 'when to post, HH:MM (default 09:00)', type: 'string', schema: timeOfDay },
    default: '09:00',
    display: { label: 'Time', value: (s) => `${s.time} ${s.timezone}` },
    ranks: false,
  },
  timezone: {
    option: { name: 'tz', description: 'time zone, e.g. Europe/Berlin (default UTC)', type: 'string', schema: timeZone },
    default: 'UTC',
    // Shown on the time's line.
    ranks: false,
  },
  every: {
    option: {
      name: 'every',
      description: 'day (default), weekday (Monday to Friday) or week (the top of the last seven days, once a week)',
      type: 'string',
      choices: CADENCES,
    },
    default: 'day',
    display: { label: 'Posts', value: (s) => describeSchedule(s) },
    ranks: false,
  },
  weekDay: {
    option: { name: 'day', description: 'the day of a weekly post, mon to sun (default mon)', type: 'string', choices: WEEK_DAYS },
    default: 'mon',
    // Shown on the line of every.
    ranks: false,
  },
  top: {
    option: { name: 'top', description: 'papers per post, 1 to 10 (default 5)', type: 'integer', min: 1, max: 10 },
    default: 5,
    display: { label: 'Papers per post', value: (s) => String(s.top) },
    ranks: true,
  },
  topics: {
    option: {
      name: 'topics',
      description: 'keywords to favour, -keyword to exclude, e.g. agents,-robotics; none clears',
      type: 'string',
      schema: parsedBy('topics', topicsOf),
    },
    default: [],
    list: true,
    display: { label: 'Topics', value: (s) => (s.topics.length ? s.topics.join(', ') : 'any') },
    ranks: true,
  },
  minUpvotes: {
    option: { name: 'min-upvotes', description: 'skip papers with fewer upvotes (default 0)', type: 'integer', min: 0 },
    default: 0,
    display: { label: 'Minimum upvotes', value: (s) => String(s.minUpvotes) },
    ranks: true,
  },
  rank: {
    option: {
      name: 'rank',
      description: "popular (upvotes), balanced (+ recency, topics; default), channel (+ like this channel's bookmarks)",
      type: 'string',
      choices: RANK_MODES,
    },
    default: 'balanced',
    display: { label: 'Ranking', value: (s) => `${s.rank} (${RANK_MEANINGS[s.rank]})` },
    ranks: true,
  },
  arxiv: {
    option: {
      name: 'arxiv',
      description: 'also new arXiv papers in these categories, e.g. cs.LG,cs.CL; none clears',
      type: 'string',
      schema: parsedBy('arxiv', parseArxivCategories),
    },
    default: [],
    list: true,
    display: { label: 'arXiv categories', value: (s) => (s.arxiv.length ? s.arxiv.join(', ') : 'none') },
    ranks: true,
  },
  threads: {
    option: { name: 'threads', description: 'open a discussion thread on every paper of the daily post, on or off (default off)', type: 'boolean' },
    default: false,
    display: { label: 'Discussion threads', value: (s) => onOff(s.threads) },
    ranks: false,
  },
  publish: {
    option: { name: 'publish', description: 'announcement channels: publish each message to following servers, on or off (default off)', type: 'boolean' },
    default: false,
    display: { label: 'Publish to followers', value: (s) => onOff(s.publish) },
    ranks: false,
  },
});

type SettingDeclarations = typeof SETTINGS;
export type Setting = SettingDeclarations[Field];
type SettingOption = Setting['option'];
/** Setting values by option name, as `subscribe` gets them and the subscriptions file writes them. */
export type SettingValues = OptionValues<SettingOption>;

// `declare` checked that SETTINGS has exactly these keys.
const FIELDS = Object.keys(SETTINGS) as Field[];

/** What a channel without a subscription gets from `today`, and what `subscribe` starts from. */
export const DEFAULT_SETTINGS: CompleteSettings = settingsOf((field) => SETTINGS[field].default);

/** `base` with the settings that `given` holds (by option name) replaced. */
export function withSettings(base: CompleteSettings, given: SettingValues): CompleteSettings {
  return settingsOf((field) => given[SETTINGS[field].option.name] ?? base[field]);
}

/** Settings built field by field; each option yields its field's type (Yielding), which TypeScript cannot follow through a loop. */
function settingsOf(valueFor: (field: Field) => unknown): CompleteSettings {
  return Object.fromEntries(FIELDS.map((field) => [field, valueFor(field)])) as CompleteSettings;
}

type RankingField = { [F in Field]: SettingDeclarations[F]['ranks'] extends true ? F : never }[Field];

/** The settings the ranking reads: what the selection cache key is made of. */
export type RankingSettings = Pick<CompleteSettings, RankingField>;

export const RANKING_FIELDS: readonly RankingField[] = FIELDS.filter((field): field is RankingField => SETTINGS[field].ranks);

/** The subscribe options, one per setting. */
export const SETTING_OPTIONS: readonly SettingOption[] = Object.values(SETTINGS).map((s) => s.option);
