import { defineAdapter } from '../../src/chat/adapter';
import { CONSOLE_ENV, resolveConsole } from './settings';

/**
 * The console: a chat channel in the terminal, for trying the bot offline and for tests. It needs
 * no token, and runs when no other adapter is configured or when asked for (`--console`).
 */
export const consoleAdapter = defineAdapter({
  id: 'console',
  fallback: true,
  env: CONSOLE_ENV,
  secrets: [],
  resolve: resolveConsole,
  start: async (ctx, settings) => (await import('./main')).startConsole(ctx, settings),
  poster: async (ctx) => (await import('./main')).createConsolePoster(ctx),
});
