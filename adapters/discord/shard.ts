/**
 * One shard's process under the ShardingManager (see sharding.ts). discord.js reads its shard id
 * and count from the environment the manager sets; this process answers commands and reactions
 * for that shard's guilds. The refresher and scheduler run only in the parent.
 */
import { loadConfig } from '../../src/config/load';
import { errorMessage } from '../../src/errors';
import { createLogger } from '../../src/log';
import { openStore } from '../../src/store/open';
import { EMPTY_STATUS, loadSourceStatus } from '../../src/sources/status';
import type { SourceStatus } from '../../src/chat/command';
import { createChatRuntime } from '../../src/chat/runtime';
import { chatHandlers } from '../../commands/kit/handlers';
import { discordAdapter } from './index';
import { startDiscordClient } from './main';

const config = loadConfig(process.env, process.cwd(), [discordAdapter]);
const log = createLogger({ level: config.logLevel, secrets: config.secrets });
const store = await openStore(config.databaseUrl, { log, migrate: false });

// The parent's refresher keeps the source status in the store; answers read a copy refreshed each minute.
let status: SourceStatus = await loadSourceStatus(store.meta).catch(() => EMPTY_STATUS);
const statusTimer = setInterval(() => {
  loadSourceStatus(store.meta).then(
    (s) => (status = s),
    () => {},
  );
}, 60_000);

const services = { store, config, log, now: () => new Date(), sourceStatus: () => status };
const runtime = createChatRuntime({ services, handlers: chatHandlers, log });
const running = await startDiscordClient({ services, log, runtime }, discordAdapter.settingsOf(config)!).catch(async (err: unknown) => {
  // The gateway refused this shard for good (see gateway.ts): one line, and the manager sees it exit.
  log.fatal({ event: 'shard_failed', err: errorMessage(err) }, 'discord shard could not connect');
  await store.close();
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    clearInterval(statusTimer);
    await runtime.drain();
    await running.close();
    await store.close();
    process.exit(0);
  });
}
