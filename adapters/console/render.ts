import type { Block, MessageControls, Reply } from '../../src/chat/reply';
import type { Paper } from '../../src/model/paper';
import { messageControls, papersOf } from '../../src/chat/reply';
import { paperLinks } from '../../commands/kit/links';

/** One console message: its text, the papers it carries (so a reaction on it resolves), and what can be clicked on it. */
export interface ConsoleMessage {
  text: string;
  paperIds: string[];
  controls?: MessageControls | null;
}

/**
 * Paper fields are untrusted: drop control characters (an ANSI escape in a title could rewrite the
 * terminal) and, for one-line fields, fold whitespace.
 */
function clean(text: string, oneLine = true): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
  const stripped = text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, '');
  return oneLine ? stripped.replace(/\s+/g, ' ').trim() : stripped.replace(/[ \t]+/g, ' ').trim();
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

function byline(paper: Paper): string {
  const shown = paper.authors.slice(0, 4).map((a) => clean(a));
  const more = (paper.authorCount ?? paper.authors.length) - shown.length;
  const people = shown.length ? shown.join(', ') + (more > 0 ? ` +${more} more` : '') : paper.authorCount ? `${paper.authorCount} authors` : '';
  return [people, paper.organization ? clean(paper.organization) : ''].filter(Boolean).join(' · ');
}

function facts(paper: Paper): string {
  return [
    `${paper.upvotes} upvotes`,
    paper.listedOn ? `listed ${paper.listedOn}` : `published ${paper.publishedAt}`,
    paper.arxivId ? `arXiv ${paper.arxivId}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function links(paper: Paper): string {
  return paperLinks(paper)
    .map((l) => `${l.label}: ${clean(l.url)}`)
    .join('\n');
}

/** A ranked entry (with a reason) is a digest item: short. Without one it is the paper in full. */
function renderPaper(paper: Paper, reason: string | undefined): string {
  const lines = [clean(paper.title), facts(paper)];
  const by = byline(paper);
  if (by) lines.push(by);
  if (reason !== undefined) {
    lines.push(`Why: ${clean(reason)}`);
    lines.push(shorten(clean(paper.aiSummary ?? paper.summary), 300));
  } else {
    if (paper.aiSummary) lines.push(`AI summary: ${clean(paper.aiSummary)}`);
    lines.push('', clean(paper.summary, false), '');
    if (paper.keywords.length) lines.push(`Keywords: ${paper.keywords.map((k) => clean(k)).join(', ')}`);
  }
  lines.push(links(paper));
  return lines.join('\n');
}

/** The abstract in full, the AI summary when there is one, and the links. */
function renderAbstract(paper: Paper): string {
  const lines = [clean(paper.title)];
  if (paper.aiSummary) lines.push(`AI summary: ${clean(paper.aiSummary)}`);
  lines.push('', clean(paper.summary || '(no abstract)', false), '', links(paper));
  return lines.join('\n');
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'abstract':
      return renderAbstract(block.paper);
    case 'text':
      return clean(block.text, false);
    case 'fields':
      return block.fields.map((f) => `${clean(f.label)}: ${clean(f.value)}`).join('\n');
    case 'paper':
      return renderPaper(block.paper, block.reason);
    case 'papers':
      return block.items
        .map(
          (i) => `${i.rank}. ${clean(i.paper.title)}\n   ${[i.paper.arxivId ? `arXiv ${i.paper.arxivId}` : '', clean(i.reason)].filter(Boolean).join(' · ')}`,
        )
        .join('\n');
    case 'file':
      return `----- ${clean(block.name)} -----\n${block.content.trimEnd()}\n----- end of ${clean(block.name)} -----`;
  }
}

/**
 * A command's reply as console messages: each paper block is a message of its own (so `react N 🔖`
 * bookmarks that paper), a list is one message (keycap k picks its k-th entry), and runs of text,
 * fields and files between them are plain messages.
 */
export function renderMessages(reply: Reply): ConsoleMessage[] {
  const messages: ConsoleMessage[] = [];
  let pending: string[] = [];
  const flush = () => {
    if (pending.length) messages.push({ text: pending.join('\n'), paperIds: [] });
    pending = [];
  };
  for (const block of reply.blocks) {
    if (block.kind === 'paper' || block.kind === 'papers') {
      flush();
      const ids = block.kind === 'paper' ? [block.paper.id] : block.items.map((i) => i.paper.id);
      if (ids.length) messages.push({ text: renderBlock(block), paperIds: ids, controls: messageControls([block]) });
    } else {
      pending.push(renderBlock(block));
    }
  }
  flush();
  return messages;
}

/** A whole reply as one message (a daily-post message from the scheduler is one platform message). */
export function renderOneMessage(reply: Reply): ConsoleMessage {
  return {
    text: reply.blocks.map(renderBlock).join('\n'),
    paperIds: papersOf(reply).map((p) => p.id),
    controls: messageControls(reply.blocks),
  };
}

/** The console's buttons: what `click <message> …` can do on a numbered message. */
function controlsLine(controls: MessageControls, number: number): string {
  if (controls.kind === 'picker') return `(click ${number} save <1-${controls.papers.length}> saves one of these)`;
  return `(click ${number} ${controls.controls.join('|')})`;
}

/** Printed above a private reply: on a chat platform only the caller would see it. */
export const PRIVATE_MARK = '(only you can see this)';

/** How a message looks on screen: `[n] ` before messages one can react to, the rest indented under it. */
export function formatMessage(message: ConsoleMessage, number: number | null): string {
  const prefix = number === null ? '' : `[${number}] `;
  const lines = message.text.split('\n');
  if (number !== null && message.controls) lines.push(controlsLine(message.controls, number));
  const body = lines.map((l, i) => (i === 0 ? prefix + l : l === '' ? '' : ' '.repeat(prefix.length) + l)).join('\n');
  return `${body}\n`;
}

/** A discussion thread as the terminal shows it: a line naming it and its message, then its first message, indented. */
export function formatThread(messageId: string, name: string, starter: Reply): string {
  const body = renderOneMessage(starter)
    .text.split('\n')
    .map((l) => (l === '' ? '' : `  | ${l}`))
    .join('\n');
  return `Discussion thread on [${messageId}]: ${clean(name)}\n${body}\n`;
}
