import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Reply } from './reply';
import type { OptionValues } from './option-value';
import type { Store } from '../store/types';
import type { AppConfig } from '../config/schema';
import type { Metrics } from '../metrics/metrics';

/** A chat platform, named by its adapter's id (adapters/index.ts lists them; the core names none). */
export type Platform = string;

/**
 * The kinds of channel a daily post can go to, where the platform tells them apart (Discord): a
 * text channel; an announcement channel, whose messages can be published to servers that follow
 * it; a forum, where every post is a thread of its own.
 */
export type ChannelKind = 'text' | 'announcement' | 'forum';

/**
 * One option of a subcommand. The same spec builds Discord's registered options, parses Slack and
 * console text, and writes the help.
 */
export interface OptionSpec {
  /** Lowercase; also the keyword in text form (`subscribe time 09:00`). */
  readonly name: string;
  readonly description: string;
  /** `channel`: a channel of the caller's workspace, its id as the value (Discord: a channel picker; text: `in #channel`). */
  readonly type: 'string' | 'integer' | 'boolean' | 'channel';
  /** For a channel option: the kinds it accepts (Discord's picker offers only those). */
  readonly channelKinds?: readonly ChannelKind[];
  readonly required?: boolean;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /**
   * In text form the value may stand alone, without its keyword (`top week`, `paper 2401.00001`).
   * A token goes to the first open positional option whose choices contain it, else to the first
   * open positional option without choices.
   */
  readonly positional?: boolean;
  /** Takes the rest of the line (`search memorize test time`). Implies positional. */
  readonly rest?: boolean;
  /**
   * Further checking and conversion of the value after type coercion: its messages are shown to
   * the user, its output is the value `run` gets (src/chat/option-value.ts).
   */
  readonly schema?: z.ZodType;
}

export type ArgValue = string | number | boolean;

/**
 * Who may change a channel's daily post where the platform gives commands no permission bits
 * (Slack, the console): the operator lists user ids, and an empty list means anyone who can use
 * the command there.
 */
export function isListedAdmin(userId: string, admins: readonly string[]): boolean {
  return admins.length === 0 || admins.includes(userId);
}

export interface Invocation {
  platform: Platform;
  /** Subcommand name, e.g. `today`. */
  command: string;
  args: Record<string, ArgValue>;
  user: { id: string; name: string };
  channel: { id: string; workspace?: string; isDirect: boolean; kind?: ChannelKind };
  /** Whether the caller may change this channel's settings (Discord: Manage Channels; Slack: policy). */
  canManageChannel: boolean;
  /** The channels a channel option names, as the platform resolved them for this caller. */
  namedChannels?: readonly NamedChannel[];
}

/** A channel an argument names, and whether the caller may change its settings, as the platform says. */
export interface NamedChannel {
  id: string;
  kind?: ChannelKind;
  canManage: boolean;
}

/** An Invocation whose arguments dispatch has checked against the command's options. */
export interface CommandInvocation<Args = Readonly<Record<string, unknown>>> extends Omit<Invocation, 'args'> {
  args: Args;
}

/** Status of the paper source, so answers can say how old their data is. */
export interface SourceStatus {
  lastSuccessAt: Date | null;
  lastError: string | null;
  /** What the store was filled from when not from the live source (e.g. the bundled listing). */
  note: string | null;
}

/** What a command may use. Commands read the store; they never call a platform or the network. */
export interface Services {
  store: Store;
  config: AppConfig;
  log: Logger;
  now: () => Date;
  sourceStatus: () => SourceStatus;
  /** What the process reports to GET /metrics (METRICS=on); absent when off. */
  metrics?: Metrics;
}

/** What a caller may be allowed; the adapters say whether they are (Invocation.canManageChannel). */
export const PERMISSIONS = ['manage-channel'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /**
   * How the command usually answers, for adapters that must choose before the answer exists
   * (Discord's deferral cannot change visibility later). Default public.
   */
  readonly visibility?: 'public' | 'private';
  /** A permission the caller needs: dispatch refuses anyone without it, privately, with `refusal`. */
  readonly requires?: { readonly permission: Permission; readonly refusal: string };
  /**
   * What running it may change: the channel's daily post, or the caller's own data (bookmarks).
   * Absent: it only reads.
   */
  readonly changes?: 'channel' | 'caller';
  run(inv: CommandInvocation, svc: Services): Promise<Reply>;
}

/** A CommandSpec as written: `run` gets its arguments typed from the options. */
export interface CommandDefinition<O extends OptionSpec> extends Omit<CommandSpec, 'options' | 'run'> {
  readonly options: readonly O[];
  run(inv: CommandInvocation<OptionValues<O>>, svc: Services): Promise<Reply>;
}

/**
 * Declares a subcommand. Its `run` sees each argument as its option makes it (a string, number
 * or boolean by type, one of its choices, or its schema's output), optional unless required.
 */
export function defineCommand<const O extends OptionSpec = never>(definition: CommandDefinition<O>): CommandSpec {
  return {
    ...definition,
    // dispatch checks the arguments against these options before run (commands/kit/args.ts).
    run: (inv, svc) => definition.run(inv as CommandInvocation<OptionValues<O>>, svc),
  };
}
