import { escapeMarkdown, type APIEmbed } from 'discord.js';
import type { Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { byline, httpUrl, oneLine, truncate } from '../../commands/kit/format';
import { paperLinks } from '../../commands/kit/links';

/** A Reply as Discord shows it; turned into a REST body or discord.js options by the helpers below. */
export interface DiscordMessage {
  content: string | undefined;
  embeds: APIEmbed[];
  files: { name: string; data: Buffer }[];
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
const ORANGE = 0xff9d00;

/**
 * Escapes every markdown construct Discord reads, masked links and headings included, and breaks
 * mention syntax with a zero-width space: allowed_mentions already stops the ping, but an untrusted
 * title should not even look like `@everyone` or `<@id>` in the message.
 */
function escapeText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true })
    .replace(/@(everyone|here)/g, '@\u200b$1')
    .replace(/<@/g, '<@\u200b');
}

/**
 * Cut, then escaped, and cut again until the escaped form fits (escaping lengthens the text).
 * Cutting first matters: escapeMarkdown takes time that grows fast with length, and abstracts are long.
 */
function markdown(text: string, max: number): string {
  let escaped = escapeText(truncate(text, max));
  for (let room = max; escaped.length > max; ) {
    room -= escaped.length - max;
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
    ephemeral: reply.visibility === 'private',
  };
}

/** Options for discord.js (interaction replies, edits, DMs). */
export function toMessageOptions(msg: DiscordMessage) {
  return {
    content: msg.content,
    embeds: msg.embeds,
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
      allowed_mentions: NO_MENTIONS,
      ...(msg.files.length ? { attachments: msg.files.map((f, id) => ({ id, filename: f.name })) } : {}),
    },
    files: msg.files.map((f) => ({ name: f.name, data: f.data })),
  };
}
