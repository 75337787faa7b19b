import { defineAdapter } from '../../src/chat/adapter';
import { DISCORD_ENV, DISCORD_SECRETS, resolveDiscord } from './settings';

/** Discord through discord.js: slash commands, reactions and clicks on the gateway, digests over REST. */
export const discordAdapter = defineAdapter({
  id: 'discord',
  env: DISCORD_ENV,
  secrets: DISCORD_SECRETS,
  resolve: resolveDiscord,
  start: async (ctx, settings) => (await import('./main')).startDiscord(ctx, settings),
  poster: async (ctx, settings) => {
    const [{ createDiscordPoster }, { createRest }] = await Promise.all([import('./poster'), import('./rest')]);
    return createDiscordPoster(createRest(settings, ctx.services.metrics), ctx.log.child({ adapter: 'discord' }));
  },
});
