import { describe, expect, it } from 'vitest';
import type { SlashCommand } from '@slack/bolt';
import { escapeMrkdwn, MAX_BLOCKS, MAX_TEXT, renderReply } from '../../adapters/slack/render';
import { commandInvocation, reactionEvent } from '../../adapters/slack/translate';
import { isListedAdmin } from '../../src/chat/command';
import { parseListing } from '../../src/parse/index';
import type { Paper } from '../../src/model/paper';
import type { Reply } from '../../src/chat/reply';
import { readFixture } from '../helpers/fixtures';
import { slackSignature } from '../fakes/slack';

const papers = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;
const qerl = papers.find((p) => p.id === '2510.11696')!;

/** Every mrkdwn or plain text string anywhere in the blocks. */
function texts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const own = (o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string' ? [o.text] : [];
    return [...own, ...Object.values(o).flatMap(texts)];
  }
  return [];
}

describe('fake Slack signer', () => {
  it("matches Slack's published worked example", () => {
    const sig = JSON.parse(readFixture('platform/slack-slash-command.signature.json')) as {
      signing_secret: string;
      headers: Record<string, string>;
    };
    const body = readFixture('platform/slack-slash-command.txt');
    expect(slackSignature(sig.signing_secret, sig.headers['X-Slack-Request-Timestamp']!, body)).toBe(sig.headers['X-Slack-Signature']);
  });
});

describe('Slack render', () => {
  it('shows a paper with linked title, upvotes, date, organization, abstract, thumbnail, PDF/code buttons and the reason', () => {
    const reply: Reply = {
      blocks: [
        { kind: 'text', text: 'Daily Papers of Oct 14' },
        { kind: 'papers', items: [{ rank: 1, paper: qerl, reason: 'most upvoted today' }] },
      ],
      visibility: 'public',
      fallback: 'Daily Papers of Oct 14',
    };
    const { blocks, text } = renderReply(reply);
    expect(text).toBe('Daily Papers of Oct 14');
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Daily Papers of Oct 14', emoji: true } });
    const section = blocks[1] as { text: { text: string }; accessory?: { type: string; image_url: string } };
    expect(section.text.text).toContain(`*1. <${qerl.url}|QeRL: Beyond Efficiency`);
    expect(section.text.text).toContain(`▲ ${qerl.upvotes} · ${qerl.publishedAt}`);
    if (qerl.organization) expect(section.text.text).toContain(qerl.organization);
    expect(section.text.text).toContain((qerl.aiSummary ?? qerl.summary).slice(0, 40));
    expect(section.accessory).toMatchObject({ type: 'image', image_url: qerl.thumbnailUrl });
    const actions = blocks.find((b) => b.type === 'actions') as { elements: { text: { text: string }; url: string }[] };
    expect(actions.elements.map((e) => e.text.text)).toContain('PDF');
    expect(actions.elements.find((e) => e.text.text === 'PDF')!.url).toBe(qerl.pdfUrl);
    if (qerl.githubUrl) expect(actions.elements.find((e) => e.text.text === 'Code')!.url).toBe(qerl.githubUrl);
    expect(texts(blocks.at(-1))).toEqual(['most upvoted today']);
  });

  it('escapes &, < and > in untrusted paper text so mentions never ping', () => {
    const evil: Paper = {
      ...qerl,
      title: 'Attention <!channel> & <@U123> is <https://evil.example|all> you need',
      summary: 'We <!here> show a > b',
      aiSummary: null,
      organization: '<!everyone>',
      thumbnailUrl: 'javascript:alert(1)',
    };
    const { blocks, text } = renderReply({
      blocks: [{ kind: 'paper', paper: evil, reason: 'because <!subteam^S1>' }],
      visibility: 'public',
      fallback: evil.title,
    });
    const all = [...texts(blocks), text].join('\n');
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(all).not.toMatch(/<[!@]/);
    expect(all).not.toContain('<https://evil.example');
    expect(JSON.stringify(blocks)).not.toContain('javascript:');
  });

  it('escapes `|` in link URLs so an untrusted URL cannot end its link and spoof the link text', () => {
    const paper: Paper = { ...qerl, url: 'https://huggingface.co/papers/x|Click here' };
    const { blocks } = renderReply({ blocks: [{ kind: 'paper', paper }], visibility: 'public', fallback: '' });
    expect(texts(blocks)[0]!.split('\n')[0]).toBe(`*<https://huggingface.co/papers/x%7CClick%20here|${qerl.title}>*`);
  });

  it('keeps within 50 blocks and 3000 characters per text, saying what was cut', () => {
    const many: Reply = {
      blocks: [
        { kind: 'text', text: 'x&'.repeat(2000) },
        { kind: 'papers', items: papers.map((paper, i) => ({ rank: i + 1, paper, reason: 'r'.repeat(5000) })) },
      ],
      visibility: 'public',
      fallback: 'y'.repeat(5000),
    };
    const { blocks, text } = renderReply(many);
    expect(blocks.length).toBe(MAX_BLOCKS);
    expect(texts(blocks.at(-1)).join()).toMatch(/more blocks did not fit/);
    for (const t of [...texts(blocks), text]) expect(t.length).toBeLessThanOrEqual(MAX_TEXT);
    // Long text is split into pieces without cutting an entity in half.
    const pieces = texts(blocks).filter((t) => t.startsWith('x'));
    expect(pieces.length).toBe(4);
    expect(pieces.join('') === escapeMrkdwn('x&'.repeat(2000))).toBe(true);
  });

  it('shows a file as code blocks and fields as a fields section', () => {
    const { blocks } = renderReply({
      blocks: [
        { kind: 'fields', fields: [{ label: 'Time', value: '09:00 <Europe/Berlin>' }] },
        { kind: 'file', name: 'bookmarks.bib', mime: 'application/x-bibtex', content: '@article{a, title={A & B}}' },
      ],
      visibility: 'private',
      fallback: 'settings',
    });
    expect(texts(blocks)).toEqual(['*Time*\n09:00 &lt;Europe/Berlin&gt;', 'bookmarks.bib', '```@article{a, title={A &amp; B}}```']);
  });
});

describe('Slack translate', () => {
  const command = (text: string, over: Partial<SlashCommand> = {}): SlashCommand => ({
    ...(Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command-enterprise.txt'))) as unknown as SlashCommand),
    text,
    ...over,
  });

  it('parses the slash command text with the shared command specs', () => {
    const inv = commandInvocation(command('subscribe time 09:00 tz Europe/Berlin top 5'), []);
    expect(inv).toMatchObject({
      platform: 'slack',
      command: 'subscribe',
      args: { time: '09:00', tz: 'Europe/Berlin', top: '5' },
      user: { id: 'W111', name: 'primary-owner' },
      channel: { id: 'C111', workspace: 'T111', isDirect: false },
      canManageChannel: true,
    });
    expect(commandInvocation(command(''), []).command).toBe('help');
    expect(commandInvocation(command('today', { channel_id: 'D123', channel_name: 'directmessage' }), []).channel.isDirect).toBe(true);
    expect(() => commandInvocation(command('frobnicate'), [])).toThrow(/Unknown command "frobnicate"/);
  });

  it('lets anyone manage a channel unless SLACK_ADMINS lists who may', () => {
    expect(isListedAdmin('U1', [])).toBe(true);
    expect(isListedAdmin('U1', ['U2'])).toBe(false);
    expect(commandInvocation(command('unsubscribe'), ['W111']).canManageChannel).toBe(true);
    expect(commandInvocation(command('unsubscribe'), ['U999']).canManageChannel).toBe(false);
  });

  it('reads :bookmark: and keycaps one…keycap_ten on messages, and ignores the rest', () => {
    const event = (reaction: string, type: 'reaction_added' | 'reaction_removed' = 'reaction_added', itemType = 'message') =>
      reactionEvent({
        type,
        user: 'U1',
        reaction,
        item_user: 'U2',
        item: { type: itemType, channel: 'C1', ts: '1.2' },
        event_ts: '3.4',
      } as never);
    expect(event('bookmark')).toEqual({ platform: 'slack', channelId: 'C1', messageId: '1.2', userId: 'U1', reaction: { kind: 'bookmark' }, added: true });
    expect(event('one')?.reaction).toEqual({ kind: 'keycap', n: 1 });
    expect(event('keycap_ten', 'reaction_removed')).toMatchObject({ reaction: { kind: 'keycap', n: 10 }, added: false });
    expect(event('thumbsup')).toBeNull();
    expect(event('bookmark', 'reaction_added', 'file')).toBeNull();
  });
});
