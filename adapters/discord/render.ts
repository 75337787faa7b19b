import { escapeDiscordMarkdown } from './escape';
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIEmbed } from 'discord.js';
import { messageControls, type MessageControls, type PaperControl, type Reply } from '../../src/chat/reply';
import { controlId, parseControlId } from '../../src/chat/controls';
import type { Paper } from '../../src/model/paper';
import { byline, httpUrl, oneLine, truncate } from '../../commands/kit/format';
import { paperLinks } from '../../commands/kit/links';

export type ActionRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/** A Reply as Discord shows it; turned into a REST body or discord.js options by the helpers below. */
export interface DiscordMessage {
  content: string | undefined;
  embeds: APIEmbed[];
  files: { name: string; data: Buffer }[];
  /** Its controls: a row of buttons for one paper, or a select menu saving one of several. */
  components: ActionRow[];
  ephemeral: boolean;
}

/** Nobody is ever pinged: paper titles are untrusted and may say `@everyone`. */
export const NO_MENTIONS = { parse: [] as [] };

// Discord's documented message and embed limits (developers/resources/message.mdx).
export const MAX_CONTENT = 2000;
export const MAX_EMBEDS = 10;
const MAX_EMBED_TOTAL = 6000;
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 4096;
const MAX_FIELDS = 25;
const MAX_FIELD_NAME = 256;
const MAX_FIELD_VALUE = 1024;
const MAX_AUTHOR = 256;
const MAX_FOOTER = 2048;
const LIST_ABSTRACT = 220;
const FULL_ABSTRACT = 900;
/** Room for an abstract in full (arXiv allows 1,920 characters), its links after it. */
const WHOLE_ABSTRACT = 3800;
// Component limits (developers/components/reference.mdx): a select menu's options, and their labels.
const MAX_OPTIONS = 25;
const MAX_LABEL = 100;
/** A thread's (and a forum post's) name. */
export const MAX_THREAD_NAME = 100;
const ORANGE = 0xff9d00;

/**
 * Escapes every markdown construct Discord reads, masked links and headings included, and breaks
 * mention syntax with a zero-width space: allowed_mentions already stops the ping, but an untrusted
 * title should not even look like `@everyone` or `<@id>` in the message.
 */
function escapeText(text: string): string {
  return escapeDiscordMarkdown(text)
    .replace(/@(everyone|here)/g, '@\u200b$1')
    .replace(/<@/g, '<@\u200b');
}

/** Breaks mention syntax in text Discord shows as it is (thread names, menu labels), and drops control characters. */
function plainText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
  return oneLine(text.replace(/[\u0000-\u001f\u007f]/g, ' '))
    .replace(/@(everyone|here)/g, '@\u200b$1')
    .replace(/<([@#])/g, '<\u200b$1');
}

/**
 * The name of a paper's thread or forum post: its title on one line, trimmed to Discord's 100
 * characters, its mention syntax broken (a name pings no one, but should not look like it does).
 */
export function threadName(title: string): string {
  return truncate(plainText(title), MAX_THREAD_NAME) || 'Paper discussion';
}

/**
 * Cut, then escaped, and cut again until the escaped form fits (escaping lengthens the text). A
 * character escapes to at most 2 (`\*`, `<@` to `\<@` and a zero-width space), so each step cuts
 * half the excess: never more than needed, where cutting all of it could leave only `…`.
 */
function markdown(text: string, max: number): string {
  let escaped = escapeText(truncate(text, max));
  for (let room = max; escaped.length > max; ) {
    room -= Math.ceil((escaped.length - max) / 2);
    escaped = escapeText(truncate(text, room));
  }
  return escaped;
}

/** Only http(s) URLs become links or images; Discord rejects the whole message for a bad one. */
function safeUrl(url: string | null): string | null {
  // A `)` would end a masked link early.
  return httpUrl(url)?.replace(/\)/g, '%29') ?? null;
}

function links(paper: Paper): string {
  return paperLinks(paper)
    .map(({ label, url }) => [label, safeUrl(url)] as const)
    .filter(([, url]) => url !== null)
    .map(([label, url]) => `[${label}](${url})`)
    .join(' · ');
}

function meta(paper: Paper): string {
  return [`▲ ${paper.upvotes}`, paper.listedOn ?? paper.publishedAt].join(' · ');
}

function paperEmbed(paper: Paper, opts: { rank?: number; reason?: string; full: boolean }): APIEmbed {
  const abstract = oneLine(paper.aiSummary ?? paper.summary);
  const title = `${opts.rank !== undefined ? `${opts.rank}. ` : ''}${oneLine(paper.title)}`;
  const description = [escapeText(meta(paper)), markdown(abstract, opts.full ? FULL_ABSTRACT : LIST_ABSTRACT), links(paper)].filter(Boolean).join('\n');
  const url = safeUrl(paper.url ?? (paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : null));
  const image = safeUrl(paper.thumbnailUrl);
  const by = byline(paper);
  return {
    title: markdown(title, MAX_TITLE),
    ...(url ? { url } : {}),
    description: description.slice(0, MAX_DESCRIPTION),
    color: ORANGE,
    // Author and footer are shown as plain text by Discord, so they are cut but not escaped.
    ...(by ? { author: { name: truncate(oneLine(by), MAX_AUTHOR) } } : {}),
    ...(opts.reason ? { footer: { text: truncate(oneLine(opts.reason), MAX_FOOTER) } } : {}),
    ...(image ? (opts.full ? { image: { url: image } } : { thumbnail: { url: image } }) : {}),
  };
}

/** The abstract in full, its AI summary, and its links. */
function abstractEmbed(paper: Paper): APIEmbed {
  const url = safeUrl(paper.url ?? (paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : null));
  const description = [markdown(oneLine(paper.summary) || '(no abstract)', WHOLE_ABSTRACT), links(paper)].filter(Boolean).join('\n\n');
  return {
    title: markdown(oneLine(paper.title), MAX_TITLE),
    ...(url ? { url } : {}),
    description: description.slice(0, MAX_DESCRIPTION),
    color: ORANGE,
    ...(paper.aiSummary ? { fields: [{ name: 'AI summary', value: markdown(oneLine(paper.aiSummary), MAX_FIELD_VALUE) || '\u200b' }] } : {}),
  };
}

const CONTROL_LOOK: Record<PaperControl, { label: string; emoji: string }> = {
  save: { label: 'Save', emoji: '🔖' },
  similar: { label: 'Similar', emoji: '🔎' },
  abstract: { label: 'Abstract', emoji: '📄' },
  discuss: { label: 'Discuss', emoji: '💬' },
};

/** A message's controls as components: custom_ids say version, action and paper, and nothing more. */
function components(controls: MessageControls | null): ActionRow[] {
  if (!controls) return [];
  if (controls.kind === 'buttons') {
    const buttons = controls.controls.flatMap((c) => {
      const id = controlId(c, controls.paper.id);
      return id
        ? [
            {
              type: ComponentType.Button as const,
              style: ButtonStyle.Secondary as const,
              custom_id: id,
              label: CONTROL_LOOK[c].label,
              emoji: { name: CONTROL_LOOK[c].emoji },
            },
          ]
        : [];
    });
    return buttons.length ? [{ type: ComponentType.ActionRow, components: buttons }] : [];
  }
  const options = controls.papers
    .map((p, i) => ({ paper: p, rank: i + 1 }))
    .filter(({ paper }) => controlId('save', paper.id) !== null)
    .slice(0, MAX_OPTIONS)
    .map(({ paper, rank }) => ({ label: truncate(plainText(`${rank}. ${paper.title}`), MAX_LABEL), value: paper.id }));
  if (options.length === 0) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.StringSelect, custom_id: controlId('save')!, placeholder: '🔖 Save one of these papers…', min_values: 1, max_values: 1, options },
      ],
    },
  ];
}

/** The components without Discuss: a forum post is its own discussion thread. */
export function withoutDiscuss(rows: ActionRow[]): ActionRow[] {
  const isDiscuss = (c: APIComponentInMessageActionRow) => {
    const control = 'custom_id' in c ? parseControlId(c.custom_id) : null;
    return control?.kind === 'current' && control.action === 'discuss';
  };
  return rows.map((row) => ({ ...row, components: row.components.filter((c) => !isDiscuss(c)) })).filter((row) => row.components.length > 0);
}

function embedLength(e: APIEmbed): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Keeps the sum of all embeds under Discord's 6000 characters by shortening the longest descriptions. */
function fitTotal(embeds: APIEmbed[]): APIEmbed[] {
  let over = embeds.reduce((n, e) => n + embedLength(e), 0) - MAX_EMBED_TOTAL;
  while (over > 0) {
    const longest = embeds.reduce((a, b) => ((b.description?.length ?? 0) > (a.description?.length ?? 0) ? b : a));
    const length = longest.description?.length ?? 0;
    if (length === 0) break;
    const keep = Math.max(0, length - over - 1);
    longest.description = keep > 0 ? `${longest.description!.slice(0, keep)}…` : undefined;
    over -= length - (longest.description?.length ?? 0);
  }
  return embeds;
}

/**
 * Replies are values, and `/papers today` hands the same Reply object to every request that gets
 * the same answer: each is rendered once (escaping a list of long abstracts takes a millisecond or more).
 */
const rendered = new WeakMap<Reply, DiscordMessage>();

/** Turns a Reply into Discord's message shape: text as content, papers as embeds, documents as files. */
export function renderReply(reply: Reply): DiscordMessage {
  let message = rendered.get(reply);
  if (!message) rendered.set(reply, (message = renderOnce(reply)));
  return message;
}

function renderOnce(reply: Reply): DiscordMessage {
  const texts: string[] = [];
  const embeds: APIEmbed[] = [];
  const files: DiscordMessage['files'] = [];
  for (const block of reply.blocks) {
    switch (block.kind) {
      case 'text':
        texts.push(markdown(block.text, MAX_CONTENT));
        break;
      case 'paper':
        embeds.push(paperEmbed(block.paper, { reason: block.reason, full: true }));
        break;
      case 'abstract':
        embeds.push(abstractEmbed(block.paper));
        break;
      case 'papers':
        for (const item of block.items) embeds.push(paperEmbed(item.paper, { rank: item.rank, reason: item.reason, full: false }));
        break;
      case 'fields':
        embeds.push({
          color: ORANGE,
          fields: block.fields.slice(0, MAX_FIELDS).map((f) => ({
            name: markdown(f.label, MAX_FIELD_NAME) || '\u200b',
            value: markdown(f.value, MAX_FIELD_VALUE) || '\u200b',
          })),
        });
        break;
      case 'file':
        files.push({ name: block.name, data: Buffer.from(block.content, 'utf8') });
        break;
    }
  }
  if (embeds.length > MAX_EMBEDS) texts.push(`(showing ${MAX_EMBEDS} of ${embeds.length})`);
  let content = texts.join('\n\n');
  if (content.length > MAX_CONTENT) content = `${content.slice(0, MAX_CONTENT - 1)}…`;
  // A message needs content, an embed or a file; an empty reply still says something.
  if (!content && embeds.length === 0 && files.length === 0) content = markdown(reply.fallback || '(nothing to show)', MAX_CONTENT);
  return {
    content: content || undefined,
    embeds: fitTotal(embeds.slice(0, MAX_EMBEDS)),
    files,
    components: components(messageControls(reply.blocks)),
    ephemeral: reply.visibility === 'private',
  };
}

/** Options for discord.js (interaction replies, edits, DMs). */
export function toMessageOptions(msg: DiscordMessage) {
  return {
    content: msg.content,
    embeds: msg.embeds,
    components: msg.components,
    files: msg.files.map((f) => ({ attachment: f.data, name: f.name })),
    allowedMentions: NO_MENTIONS,
  };
}

/** A channel message body for the REST API (POST /channels/:id/messages); channel messages are never ephemeral. */
export function toRestBody(msg: DiscordMessage) {
  return {
    body: {
      content: msg.content,
      embeds: msg.embeds,
      ...(msg.components.length ? { components: msg.components } : {}),
      allowed_mentions: NO_MENTIONS,
      ...(msg.files.length ? { attachments: msg.files.map((f, id) => ({ id, filename: f.name })) } : {}),
    },
    files: msg.files.map((f) => ({ name: f.name, data: f.data })),
  };
}
