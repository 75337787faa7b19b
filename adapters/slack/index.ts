import { defineAdapter } from '../../src/chat/adapter';
import { SLACK_ENV, SLACK_SECRETS, resolveSlack } from './settings';

/** Slack through Bolt: HTTP (signed requests on the bot's port) or Socket Mode, one workspace or many (OAuth). */
export const slackAdapter = defineAdapter({
  id: 'slack',
  env: SLACK_ENV,
  secrets: SLACK_SECRETS,
  resolve: resolveSlack,
  start: async (ctx, settings) => (await import('./main')).startSlack(ctx, settings),
  poster: async (ctx, settings) => (await import('./poster')).createSlackPoster(ctx, settings),
});
