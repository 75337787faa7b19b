import { z } from 'zod';
import { commands } from '../commands/index';
import { registerCommands } from '../adapters/discord/register';
import { createRest } from '../adapters/discord/rest';
import { discordAdapter } from '../adapters/discord/index';
import { loadBotConfig } from '../adapters/index';
import { errorMessage } from '../src/errors';
import { CliError, type CliContext } from './context';
import { commandArgs } from './args';

const USAGE = 'usage: papers register [--guild ID]  (registers /papers with Discord: in one guild at once, or globally)';

const Snowflake = z.string().regex(/^\d{17,20}$/, 'a Discord id is 17 to 20 digits');

/**
 * `papers register`: sends the whole /papers tree as a bulk overwrite, so running it again after
 * an upgrade replaces the old tree instead of adding to it.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs(args, ctx, USAGE, { guild: { type: 'string' } }, { noPositionals: true });
  if (!parsed) return 0;
  const { values } = parsed;
  const guild = values.guild === undefined ? undefined : Snowflake.safeParse(values.guild);
  if (guild && !guild.success) throw new CliError(`--guild "${values.guild}": ${guild.error.issues[0]!.message}`, 2);

  const discord = discordAdapter.settingsOf(loadBotConfig(ctx.env, ctx.cwd));
  if (!discord?.applicationId) throw new CliError('papers register needs DISCORD_TOKEN and DISCORD_APPLICATION_ID');
  try {
    const { scope } = await registerCommands({ rest: createRest(discord), applicationId: discord.applicationId, guildId: guild?.data, specs: commands });
    const where = scope === 'guild' ? `in guild ${guild!.data} (available now)` : 'globally (may take up to an hour to appear)';
    ctx.stdout.write(`registered /papers with ${commands.length} subcommands ${where}\n`);
    return 0;
  } catch (err) {
    // discord.js puts each field error of an "Invalid Form Body" on a line of its own: keep them all on the one line.
    const detail = errorMessage(err)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join('; ');
    throw new CliError(`Discord refused the commands: ${detail}`);
  }
}
