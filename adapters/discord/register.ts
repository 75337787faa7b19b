import { type REST, Routes, SlashCommandBuilder, type SlashCommandSubcommandBuilder, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { CommandSpec, OptionSpec } from '../../src/chat/command';
import { CHANNEL_TYPES, COMMAND_NAME } from './translate';

function addOption(sub: SlashCommandSubcommandBuilder, o: OptionSpec): void {
  const required = o.required ?? false;
  if (o.type === 'integer') {
    sub.addIntegerOption((opt) => {
      opt.setName(o.name).setDescription(o.description).setRequired(required);
      if (o.min !== undefined) opt.setMinValue(o.min);
      if (o.max !== undefined) opt.setMaxValue(o.max);
      if (o.choices) opt.addChoices(...o.choices.map((c) => ({ name: c, value: Number(c) })));
      return opt;
    });
  } else if (o.type === 'boolean') {
    sub.addBooleanOption((opt) => opt.setName(o.name).setDescription(o.description).setRequired(required));
  } else if (o.type === 'channel') {
    sub.addChannelOption((opt) => {
      opt.setName(o.name).setDescription(o.description).setRequired(required);
      if (o.channelKinds) opt.addChannelTypes(...o.channelKinds.map((k) => CHANNEL_TYPES[k]));
      return opt;
    });
  } else {
    sub.addStringOption((opt) => {
      opt.setName(o.name).setDescription(o.description).setRequired(required);
      if (o.choices) opt.addChoices(...o.choices.map((c) => ({ name: c, value: c })));
      return opt;
    });
  }
}

/**
 * The `/papers` command tree: one subcommand per spec, with typed options, choices and limits.
 * discord.js's builder validates names, lengths and option order, so a bad spec fails here
 * rather than as a 400 from Discord.
 */
export function buildCommandTree(specs: CommandSpec[]): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const root = new SlashCommandBuilder().setName(COMMAND_NAME).setDescription('Top research papers from Hugging Face Daily Papers and arXiv');
  for (const spec of specs) {
    root.addSubcommand((sub) => {
      sub.setName(spec.name).setDescription(spec.description);
      for (const option of spec.options) addOption(sub, option);
      return sub;
    });
  }
  return root.toJSON();
}

/**
 * Registers the tree with a bulk overwrite (PUT), so running it twice leaves the same commands.
 * Guild commands appear at once (for development); global ones are for everyone.
 */
export async function registerCommands(opts: {
  rest: REST;
  applicationId: string;
  guildId?: string;
  specs: CommandSpec[];
}): Promise<{ scope: 'guild' | 'global'; count: number }> {
  const route = opts.guildId ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId) : Routes.applicationCommands(opts.applicationId);
  const registered = (await opts.rest.put(route, { body: [buildCommandTree(opts.specs)] })) as unknown[];
  return { scope: opts.guildId ? 'guild' : 'global', count: registered.length };
}
