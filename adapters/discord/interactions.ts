import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  type APIChatInputApplicationCommandInteraction,
  type APIInteraction,
  type REST,
} from 'discord.js';
import type { HttpRoute } from '../../src/chat/adapter';
import type { ChatRuntime } from '../../src/chat/runtime';
import { createReplayGuard } from '../../src/chat/replay-guard';
import type { Logger } from '../../src/log';
import type { ReplayRepository, Store } from '../../src/store/types';
import type { InteractionRef } from './callback';
import { componentTransport, interactionTransport } from './transport';
import { COMMAND_NAME, clickEvent, toInvocation } from './translate';

export interface InteractionDeps {
  runtime: ChatRuntime;
  rest: REST;
  deferAfterMs: number;
  store: Store;
}

/**
 * One interaction, from the gateway or over HTTP (then with `respond`), handed to the chat runtime:
 * `/papers` and clicks on the bot's controls. Resolves once it is answered; false when it is none
 * of those (another application command, an autocomplete), which is left unanswered.
 */
export async function answerInteractionEvent(payload: APIInteraction & { respond?: InteractionRef['respond'] }, deps: InteractionDeps): Promise<boolean> {
  if (payload.type === InteractionType.MessageComponent) {
    await deps.runtime.click(() => clickEvent(payload), componentTransport(payload, deps.rest, deps));
    return true;
  }
  if (payload.type === InteractionType.ApplicationCommand && payload.data.type === ApplicationCommandType.ChatInput && payload.data.name === COMMAND_NAME) {
    const command = payload as APIChatInputApplicationCommandInteraction & { respond?: InteractionRef['respond'] };
    await deps.runtime.command(() => toInvocation(command), interactionTransport(command, deps.rest, deps.deferAfterMs));
    return true;
  }
  return false;
}

/** Ed25519 public keys in DER: this fixed prefix, then the 32 bytes Discord shows as hex. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The application's public key (DISCORD_PUBLIC_KEY, 64 hex digits) as node:crypto takes it; throws on a bad key. */
export function discordPublicKey(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/** Whether Discord signed timestamp + body with the application's key (headers X-Signature-Ed25519 and -Timestamp). */
export function signedByDiscord(key: KeyObject, signature: string | undefined, timestamp: string | undefined, body: Buffer): boolean {
  if (!signature || !timestamp || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  return verify(null, Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signature, 'hex'));
}

/** Interactions are small JSON documents; anything larger is not Discord's. */
const MAX_BODY_BYTES = 1 << 20;
/** A signed request older (or newer) than this is refused: a copy replayed later is not answered. */
export const TIMESTAMP_WINDOW_S = 5 * 60;

export const INTERACTIONS_PATH = '/discord/interactions';

class TooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * POST /discord/interactions, the application's Interactions Endpoint URL (DISCORD_INTERACTIONS=http):
 * the signature is checked before anything else (401 otherwise, which Discord requires before it
 * accepts the URL), PING is answered PONG, and commands and clicks go to the chat runtime like
 * the gateway's, their first response being this request's response.
 */
export function interactionsRoute(deps: InteractionDeps & { publicKey: KeyObject; replays: ReplayRepository; log: Logger; now?: () => number }): HttpRoute {
  const now = deps.now ?? Date.now;
  const guard = createReplayGuard({ ...deps, platform: 'discord' });
  return {
    method: 'POST',
    path: INTERACTIONS_PATH,
    async handle(req, res) {
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (err) {
        if (!(err instanceof TooLarge)) throw err;
        res.writeHead(413).end();
        return;
      }
      const timestamp = header(req, 'x-signature-timestamp');
      if (!signedByDiscord(deps.publicKey, header(req, 'x-signature-ed25519'), timestamp, body)) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('invalid request signature');
        return;
      }
      // Not a number is no time at all: no window holds it (a NaN compares false with everything).
      const signedAt = Number(timestamp);
      if (!Number.isFinite(signedAt) || Math.abs(now() / 1000 - signedAt) > TIMESTAMP_WINDOW_S) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('request too old');
        return;
      }
      // A signed copy replayed within the window, to this replica or any other: Discord's
      // signature has a timestamp but no nonce, so the request is remembered by its signature until then.
      const expiresAt = new Date((signedAt + TIMESTAMP_WINDOW_S) * 1000);
      if (!(await guard.firstTime({ signedAt, signature: header(req, 'x-signature-ed25519')! }, expiresAt))) {
        deps.log.warn({ event: 'discord_replay_refused', timestamp }, 'a replayed Discord interaction was refused');
        res.writeHead(401, { 'content-type': 'text/plain' }).end('request already seen');
        return;
      }
      let payload: APIInteraction;
      try {
        payload = JSON.parse(body.toString('utf8')) as APIInteraction;
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (payload.type === InteractionType.Ping) {
        res.writeHead(200, JSON_TYPE).end(JSON.stringify({ type: InteractionResponseType.Pong }));
        return;
      }
      const respond = (json: Buffer) => {
        res.writeHead(200, JSON_TYPE).end(json);
      };
      const handled = await answerInteractionEvent({ ...payload, respond }, deps);
      // Not ours, or the runtime could not give a first response: Discord shows the user that it failed.
      if (!res.headersSent) res.writeHead(handled ? 500 : 400).end();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
