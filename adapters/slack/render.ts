import type { Button, KnownBlock, SectionBlock } from '@slack/types';
import { controlId } from '../../src/chat/controls';
import { messageControls, type Block, type MessageControls, type PaperControl, type Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { byline, httpUrl, oneLine, truncate } from '../../commands/kit/format';
import { paperLinks } from '../../commands/kit/links';

/** A Slack message: Block Kit blocks and the plain `text` Slack shows in notifications. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

// Slack's documented limits (docs.slack.dev/reference/block-kit/blocks).
export const MAX_BLOCKS = 50;
export const MAX_TEXT = 3000;
const MAX_HEADER = 150;
const MAX_FIELD = 2000;
const MAX_FIELDS = 10;
/** Longer URLs are dropped; real paper links are far shorter, and this keeps a section within MAX_TEXT. */
const MAX_URL = 1000;
const LIST_ABSTRACT = 280;
const FULL_ABSTRACT = 1200;
// Block Kit element limits (docs.slack.dev/reference/block-kit/block-elements): a button's text,
// a static_select's options and their text.
const MAX_BUTTON_TEXT = 75;
const MAX_OPTIONS = 100;
const MAX_OPTION_TEXT = 75;

const CODE_FENCE = '```';

/** Action ids of the PDF/code link buttons, which need only an ack. */
export const OPEN_LINK_ACTION_PREFIX = 'papers_open_';

/**
 * Escapes text for mrkdwn. Slack reads only `&`, `<` and `>` as control characters, so escaping
 * them is what stops `<!channel>` or `<@U123>` in an untrusted title from pinging anyone.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escaped, then cut so the escaped form fits (escaping lengthens the text). A character escapes to
 * at most 5 (`&amp;`), so each step cuts a fifth of the excess: never more than needed, where
 * cutting all of it at once could leave no room at all and show only `…`.
 */
export function mrkdwn(text: string, max: number): string {
  let escaped = escapeMrkdwn(text);
  for (let room = max; escaped.length > max; room -= Math.ceil((escaped.length - max) / 5)) escaped = escapeMrkdwn(truncate(text, room));
  return escaped;
}

/** Only http(s) URLs become links, images or buttons; anything else in untrusted data is dropped. */
export function safeUrl(url: string | null): string | null {
  const href = httpUrl(url);
  // `|` would end the URL part of a `<url|text>` link.
  return href && href.length <= MAX_URL ? href.replace(/\|/g, '%7C') : null;
}

const CONTROL_TEXT: Record<PaperControl, string> = { save: '🔖 Save', similar: '🔎 Similar', abstract: '📄 Abstract', discuss: '💬 Discuss' };

/** A button for one of the bot's controls: action_id says version, action and paper, and nothing more. */
export function controlButton(action: Parameters<typeof controlId>[0], paperId: string, text: string): Button | null {
  const id = controlId(action, paperId);
  return id ? { type: 'button', action_id: id, text: { type: 'plain_text', text: truncate(text, MAX_BUTTON_TEXT), emoji: true }, value: paperId } : null;
}

/** One Save picker over the papers of a message, in display order. */
function savePicker(papers: readonly Paper[]): KnownBlock[] {
  const options = papers
    .map((paper, i) => ({ paper, rank: i + 1 }))
    .filter(({ paper }) => controlId('save', paper.id) !== null)
    .slice(0, MAX_OPTIONS)
    .map(({ paper, rank }) => ({
      text: { type: 'plain_text' as const, text: truncate(`${rank}. ${oneLine(paper.title)}`, MAX_OPTION_TEXT), emoji: true },
      value: paper.id,
    }));
  if (options.length === 0) return [];
  return [
    {
      type: 'actions',
      elements: [
        { type: 'static_select', action_id: controlId('save')!, placeholder: { type: 'plain_text', text: '🔖 Save one of these…', emoji: true }, options },
      ],
    },
  ];
}

/** A paper's title as a bold link to its page (or bold text without one), ranked when in a list. */
export function titleLink(paper: Paper, rank?: number): string {
  const title = oneLine(paper.title);
  const link = safeUrl(paper.url)?.replace(/&/g, '&amp;') ?? null;
  const prefix = rank !== undefined ? `${rank}. ` : '';
  return link ? `*${prefix}<${link}|${mrkdwn(title, 500)}>*` : `*${prefix}${mrkdwn(title, 500)}*`;
}

function paperBlocks(paper: Paper, opts: { rank?: number; reason?: string; abstractChars: number; controls?: readonly PaperControl[] }): KnownBlock[] {
  const title = oneLine(paper.title);
  const titleText = titleLink(paper, opts.rank);
  const meta = [`▲ ${paper.upvotes}`, paper.publishedAt, byline(paper)].filter((x): x is string => Boolean(x));
  const abstract = oneLine(paper.aiSummary ?? paper.summary);
  const body = [titleText, mrkdwn(meta.join(' · '), 400), abstract ? mrkdwn(abstract, opts.abstractChars) : ''].filter(Boolean).join('\n');

  const main = section(body);
  const thumbnail = safeUrl(paper.thumbnailUrl);
  if (thumbnail) main.accessory = { type: 'image', image_url: thumbnail, alt_text: truncate(title, 200) };

  const blocks: KnownBlock[] = [main];
  const controls = (opts.controls ?? []).flatMap((c) => controlButton(c, paper.id, CONTROL_TEXT[c]) ?? []);
  const links = [
    { label: 'PDF', url: safeUrl(paper.pdfUrl) },
    { label: 'Code', url: safeUrl(paper.githubUrl) },
  ]
    .filter((b): b is { label: string; url: string } => b.url !== null)
    .map(
      (b): Button => ({
        type: 'button',
        // URL buttons still send an interaction; main.ts acks every action id with this prefix.
        action_id: `${OPEN_LINK_ACTION_PREFIX}${b.label.toLowerCase()}_${paper.id}`.slice(0, 255),
        text: { type: 'plain_text', text: b.label },
        url: b.url,
      }),
    );
  if (controls.length + links.length > 0) blocks.push({ type: 'actions', elements: [...controls, ...links] });
  if (opts.reason) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(opts.reason, MAX_TEXT) }] });
  return blocks;
}

/**
 * Escapes text and splits it into pieces of at most max characters, at line breaks where a line
 * fits, so no piece ends inside an entity like `&amp;`.
 */
function escapedPieces(text: string, max: number): string[] {
  const pieces: string[] = [];
  let current = '';
  const flush = () => {
    if (current) pieces.push(current);
    current = '';
  };
  for (const line of text.split(/(?<=\n)/)) {
    const escaped = escapeMrkdwn(line);
    if (current.length + escaped.length <= max) {
      current += escaped;
      continue;
    }
    flush();
    if (escaped.length <= max) current = escaped;
    else
      for (const ch of line) {
        const e = escapeMrkdwn(ch);
        if (current.length + e.length > max) flush();
        current += e;
      }
  }
  flush();
  return pieces.length > 0 ? pieces : [' '];
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** The abstract in full (in as many sections as it takes), the AI summary, and the links. */
function abstractBlocks(paper: Paper): KnownBlock[] {
  const links = paperLinks(paper)
    .map(({ label, url }) => [label, safeUrl(url)] as const)
    .filter(([, url]) => url !== null)
    .map(([label, url]) => `<${url!.replace(/&/g, '&amp;')}|${label}>`)
    .join(' · ');
  return [
    section(titleLink(paper)),
    ...(paper.aiSummary ? [section(`*AI summary*\n${mrkdwn(oneLine(paper.aiSummary), MAX_TEXT - 20)}`)] : []),
    ...escapedPieces(oneLine(paper.summary) || '(no abstract)', MAX_TEXT).map(section),
    ...(links ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: links }] }] : []),
  ];
}

function renderBlock(block: Block, controls: MessageControls | null): KnownBlock[] {
  switch (block.kind) {
    case 'text':
      return escapedPieces(block.text, MAX_TEXT).map(section);
    case 'papers':
      return block.items.flatMap((item) => paperBlocks(item.paper, { rank: item.rank, reason: item.reason, abstractChars: LIST_ABSTRACT }));
    case 'paper': {
      const buttons = controls?.kind === 'buttons' && controls.paper === block.paper ? controls.controls : undefined;
      return paperBlocks(block.paper, { reason: block.reason, abstractChars: FULL_ABSTRACT, controls: buttons });
    }
    case 'abstract':
      return abstractBlocks(block.paper);
    case 'fields':
      return [
        {
          type: 'section',
          fields: block.fields.slice(0, MAX_FIELDS).map((f) => ({
            type: 'mrkdwn' as const,
            text: `*${mrkdwn(f.label, 100)}*\n${mrkdwn(f.value, MAX_FIELD - 110)}`,
          })),
        },
      ];
    case 'file':
      // A code block per piece; Slack still reads &, < and > inside code, so the content is escaped too.
      return [
        { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(block.name, 200) }] },
        ...escapedPieces(block.content, MAX_TEXT - 6).map((piece) => section(`${CODE_FENCE}${piece}${CODE_FENCE}`)),
      ];
  }
}

/** A short first line above a list of papers reads as its title: show it as a header block. */
function headerFor(reply: Reply): { header: KnownBlock; rest: Block[] } | null {
  const [first, ...rest] = reply.blocks;
  const hasPapers = rest.some((b) => b.kind === 'papers' || b.kind === 'paper');
  if (first?.kind !== 'text' || !hasPapers || first.text.includes('\n') || first.text.length > MAX_HEADER) return null;
  return { header: { type: 'header', text: { type: 'plain_text', text: first.text, emoji: true } }, rest };
}

/**
 * Replies are values, and `/papers today` hands the same Reply object to every request that gets
 * the same answer: each is rendered once (escaping a list of long abstracts takes a millisecond or more).
 */
const rendered = new WeakMap<Reply, SlackMessage>();

/** A Reply as a Slack message within Slack's limits; what does not fit is cut with a note saying so. */
export function renderReply(reply: Reply): SlackMessage {
  let message = rendered.get(reply);
  if (!message) rendered.set(reply, (message = renderOnce(reply)));
  return message;
}

function renderOnce(reply: Reply): SlackMessage {
  const controls = messageControls(reply.blocks);
  const head = headerFor(reply);
  const blocks: KnownBlock[] = head ? [head.header] : [];
  for (const block of head ? head.rest : reply.blocks) blocks.push(...renderBlock(block, controls));
  // The picker goes last, so it survives a cut: it stands for every paper above it.
  const picker = controls?.kind === 'picker' ? savePicker(controls.papers) : [];
  const room = MAX_BLOCKS - picker.length;
  if (blocks.length > room) {
    const dropped = blocks.length - (room - 1);
    blocks.length = room - 1;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…${dropped} more blocks did not fit in one Slack message.` }] });
  }
  return { text: mrkdwn(reply.fallback, MAX_TEXT), blocks: [...blocks, ...picker] };
}
