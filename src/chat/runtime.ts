import { performance } from 'node:perf_hooks';
import { UserError, errorMessage } from '../errors';
import type { Logger } from '../log';
import type { PostRecord } from '../store/types';
import { createAnswerRecords } from './answer-records';
import type { ClickEvent } from './click';
import { parseControlId } from './controls';
import type { Invocation, Platform, Services } from './command';
import type { ReactionEvent } from './reaction';
import { textReply, type Reply } from './reply';
import type { ThreadOpener } from './threads';

export type Visibility = Reply['visibility'];

/** A message an answer posted, and the papers it carries in display order (keycap k = paperIds[k-1]). */
export interface SentMessage {
  /** The id a reaction on it will name (Discord records an answer under its interaction, see adapters/discord). */
  messageId: string;
  paperIds: string[];
}

/**
 * How one platform answers one command. An adapter builds one per command from the platform's
 * event; the runtime decides which of these to call, and when.
 */
export interface CommandTransport {
  platform: Platform;
  /** The channel the command came from: its answers are recorded there. */
  channelId: string;
  /**
   * How long the answer may take before the platform needs a first response (Discord's 3 s, Slack's
   * 3 s ack, less a margin); null when the platform waits (the console).
   */
  deferAfterMs: number | null;
  /**
   * Whether a public answer can be the first response and still be a message people react to. On
   * Slack it cannot (the ack's body has no ts to record), so a public command is acked at once.
   */
  publicAnswerFirst: boolean;
  /** Answers with the first response. Returns the public messages it posted. */
  answer(reply: Reply): Promise<SentMessage[]>;
  /** The first response without the answer. `expected` is the visibility the platform must fix now. */
  defer(expected: Visibility): Promise<void>;
  /** Answers after defer(expected). Returns the public messages it posted. */
  answerDeferred(reply: Reply, expected: Visibility): Promise<SentMessage[]>;
  /** Waits for a deferred command's turn to run, so the first responses of a burst go out first. */
  nextTurn?(): Promise<void>;
  /** Told after a command that may change the caller's own data (bookmarks): Slack refreshes their Home tab. */
  callerChanged?(): void;
}

/** How one platform tells a reacting user what their reaction did. */
export interface ReactionTransport {
  /** Privately: a DM, an ephemeral message, a line in the terminal. */
  confirm(reply: Reply): Promise<void>;
  /** Finds the message reacted to where the platform knows more than the store (default: the store). */
  findPost?(ev: ReactionEvent): Promise<PostRecord | null>;
  /** Told when the reaction changed the reacting user's bookmarks. */
  callerChanged?(): void;
}

/**
 * How one platform answers one click: always privately, within its deadline (Discord's 3 s for
 * the interaction callback, Slack's 3 s for the ack).
 */
export interface ClickTransport {
  platform: Platform;
  /** How long the answer may take before the first response is due (less a margin); null when the platform waits. */
  deferAfterMs: number | null;
  /** Whether the first response can carry the answer: Discord's callback can, Slack's block_actions ack cannot. */
  answerFirst: boolean;
  /** Answers, privately, with the first response. */
  answer(reply: Reply): Promise<void>;
  /** The first response without the answer (Discord: a deferred ephemeral message; Slack: the ack). */
  defer(): Promise<void>;
  /** Answers, privately, after defer(). */
  answerDeferred(reply: Reply): Promise<void>;
  /** How Discuss opens a thread here; absent where the platform has no threads. */
  threads?: ThreadOpener;
  /** Finds the clicked message's record where the platform knows more than the store (Discord: an answer under its interaction). */
  findPost?(ev: ClickEvent): Promise<PostRecord | null>;
  /** Told when the click changed the clicker's own data (bookmarks). */
  callerChanged?(): void;
}

/** What a click's handler may use of its platform. */
export type ClickPlatform = Pick<ClickTransport, 'threads' | 'findPost'>;

/** What the runtime runs: commands/ supplies them (the core does not import commands). */
export interface ChatHandlers {
  /** Runs one invocation; never throws (errors are private replies). */
  dispatch(inv: Invocation, svc: Services): Promise<Reply>;
  /** A reaction's effect, or null when the message carries no paper of ours. */
  reaction(ev: ReactionEvent, svc: Services, findPost?: (ev: ReactionEvent) => Promise<PostRecord | null>): Promise<Reply | null>;
  /** A click's effect and its (private) answer; never throws. `changed`: the clicker's own data changed. */
  click(ev: ClickEvent, svc: Services, platform: ClickPlatform): Promise<{ reply: Reply; changed: boolean }>;
  /** How a command usually answers, for platforms that must choose before the answer exists. */
  visibilityOf(command: string): Visibility;
  /** Whether a command may change the caller's own data. */
  changesCaller(command: string): boolean;
  /** Whether a command exists (metrics name only those, so a typo cannot mint a series). */
  knows(command: string): boolean;
}

export interface ChatRuntime {
  /**
   * Answers one command. `read` turns the platform event into an invocation; a UserError it throws
   * (bad text) is answered privately with its message. Never throws.
   */
  command(read: () => Invocation, transport: CommandTransport): Promise<void>;
  /** Acts on one reaction and confirms it; resolves with the confirmation (null: not ours). Never throws. */
  reaction(ev: ReactionEvent, transport: ReactionTransport): Promise<Reply | null>;
  /**
   * Acts on one click and answers it privately; resolves with the answer. `read` turns the platform
   * event into a click; a UserError it throws is the answer. Never throws.
   */
  click(read: () => ClickEvent, transport: ClickTransport): Promise<Reply | null>;
  /** Other work an event starts (a Slack Home tab), tracked so stopping waits for it. Never throws. */
  background(what: string, work: () => Promise<void>): Promise<void>;
  /** Waits for every command, reaction and click in flight, then writes the answers' records. */
  drain(): Promise<void>;
}

const SOMETHING_WENT_WRONG = 'Something went wrong on our side. Please try again in a moment.';

/**
 * The one place a platform event becomes an answer: visibility, the platform's deadline and
 * deferral, recording public answers so reactions and clicks on them resolve, confirming reactions,
 * answering clicks privately, and the work in flight that stopping waits for. Adapters supply
 * transports; they hold none of this logic.
 */
export function createChatRuntime(opts: { services: Services; handlers: ChatHandlers; log: Logger }): ChatRuntime {
  const { services, handlers, log } = opts;
  const { metrics } = services;
  const answers = createAnswerRecords(services.store, log);
  const inFlight = new Set<Promise<unknown>>();

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  }

  function record(t: CommandTransport, sent: SentMessage[]): void {
    for (const m of sent) answers.add({ platform: t.platform, channelId: t.channelId, messageId: m.messageId, paperIds: m.paperIds, postedAt: services.now() });
  }

  /** The invocation, or the private answer when the event cannot be one. */
  function readInvocation(read: () => Invocation, t: CommandTransport): Invocation | Reply {
    try {
      return read();
    } catch (err) {
      if (err instanceof UserError) return textReply(err.message);
      log.error({ err: errorMessage(err), platform: t.platform, channel: t.channelId }, 'command could not be read');
      return textReply(SOMETHING_WENT_WRONG);
    }
  }

  /** The command's name for metrics: known subcommands by name, anything else as one series. */
  function commandLabel(invocation: Invocation | null): string {
    if (!invocation) return 'unreadable';
    return handlers.knows(invocation.command) ? invocation.command : 'unknown';
  }

  async function answerCommand(read: () => Invocation, t: CommandTransport, seen: { label: string }): Promise<void> {
    const input = readInvocation(read, t);
    const invocation = 'command' in input ? input : null;
    seen.label = commandLabel(invocation);
    const run = async (): Promise<Reply> => {
      if (!invocation) return input as Reply;
      const reply = await handlers.dispatch(invocation, services);
      if (handlers.changesCaller(invocation.command)) t.callerChanged?.();
      return reply;
    };
    const expected: Visibility = invocation ? handlers.visibilityOf(invocation.command) : 'private';

    if (expected === 'public' && !t.publicAnswerFirst) {
      // The first response could not carry the answer anyway: give it at once, then run.
      await t.defer('public');
      await t.nextTurn?.();
      record(t, await t.answerDeferred(await run(), 'public'));
      return;
    }
    const answer = run();
    const early = t.deferAfterMs === null ? await answer : await within(answer, t.deferAfterMs);
    if (early && (early.visibility === 'private' || t.publicAnswerFirst)) {
      record(t, await t.answer(early));
      return;
    }
    await t.defer(expected);
    record(t, await t.answerDeferred(early ?? (await answer), expected));
  }

  async function react(ev: ReactionEvent, t: ReactionTransport): Promise<Reply | null> {
    // The answer reacted to may still wait for its record.
    await answers.settle();
    const reply = await handlers.reaction(ev, services, t.findPost);
    if (reply) {
      t.callerChanged?.();
      await t.confirm(reply);
    }
    return reply;
  }

  /** The click's answer, always private whatever the handler said. */
  async function clickAnswer(read: () => ClickEvent, t: ClickTransport, seen: { label: string }): Promise<Reply> {
    let ev: ClickEvent;
    try {
      ev = read();
      const parsed = parseControlId(ev.control);
      seen.label = parsed?.kind === 'current' ? parsed.action : parsed ? 'expired' : 'unknown';
    } catch (err) {
      if (err instanceof UserError) return textReply(err.message);
      log.error({ err: errorMessage(err), platform: t.platform }, 'click could not be read');
      return textReply(SOMETHING_WENT_WRONG);
    }
    // The message clicked may be an answer still waiting for its record.
    await answers.settle();
    const { reply, changed } = await handlers.click(ev, services, t);
    if (changed) t.callerChanged?.();
    return reply.visibility === 'private' ? reply : { ...reply, visibility: 'private' };
  }

  async function answerClick(read: () => ClickEvent, t: ClickTransport, seen: { label: string }): Promise<Reply> {
    const answer = clickAnswer(read, t, seen);
    if (!t.answerFirst) {
      await t.defer();
      const reply = await answer;
      await t.answerDeferred(reply);
      return reply;
    }
    const early = t.deferAfterMs === null ? await answer : await within(answer, t.deferAfterMs);
    if (early) {
      await t.answer(early);
      return early;
    }
    await t.defer();
    const reply = await answer;
    await t.answerDeferred(reply);
    return reply;
  }

  return {
    command(read, t) {
      const started = performance.now();
      const seen = { label: 'unreadable' };
      return track(
        answerCommand(read, t, seen).then(
          () => metrics?.command(t.platform, seen.label, (performance.now() - started) / 1000, true),
          (err: unknown) => {
            // dispatch never throws; this is the platform refusing the answer (expired token, lost permissions).
            log.warn({ err: errorMessage(err), platform: t.platform, channel: t.channelId }, 'could not answer a command');
            metrics?.command(t.platform, seen.label, (performance.now() - started) / 1000, false);
          },
        ),
      );
    },
    reaction(ev, t) {
      return track(
        react(ev, t).catch((err: unknown) => {
          log.error({ err: errorMessage(err), platform: ev.platform, messageId: ev.messageId }, 'reaction failed');
          return null;
        }),
      );
    },
    click(read, t) {
      const started = performance.now();
      const seen = { label: 'unreadable' };
      return track(
        answerClick(read, t, seen).then(
          (reply) => {
            metrics?.click(t.platform, seen.label, (performance.now() - started) / 1000, true);
            return reply;
          },
          (err: unknown) => {
            // The handler never throws; this is the platform refusing the answer (expired token, lost permissions).
            log.warn({ err: errorMessage(err), platform: t.platform }, 'could not answer a click');
            metrics?.click(t.platform, seen.label, (performance.now() - started) / 1000, false);
            return null;
          },
        ),
      );
    },
    background(what, work) {
      return track(
        work().catch((err: unknown) => {
          log.warn({ err: errorMessage(err), what }, 'background work failed');
        }),
      );
    },
    async drain() {
      // Work in flight may start more (a reaction's confirmation); wait until none is left.
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await answers.settle();
    },
  };
}

/**
 * Resolves with the promise's value if it settles within ms, else with null (the promise runs on):
 * a quick answer goes in one go, a slow one is deferred.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
