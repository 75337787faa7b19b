import { UserError } from '../errors';

const TOPIC = /^-?[\p{L}\p{N}][\p{L}\p{N} .+#'_-]{0,47}$/u;
const MAX_TOPICS = 20;

/**
 * Topics as a user types them: `llm, vision,-robotics` → ['llm', 'vision', '-robotics'].
 * Lowercased, spaces collapsed, duplicates dropped; `-word` excludes. Throws UserError naming the
 * bad entry and what is accepted.
 */
export function parseTopics(text: string): string[] {
  const topics: string[] = [];
  for (const raw of text.split(',')) {
    const t = raw.trim().replace(/\s+/g, ' ').toLowerCase().replace(/^-\s+/, '-');
    if (t === '') continue;
    if (!TOPIC.test(t))
      throw new UserError(
        `"${raw.trim().slice(0, 50)}" is not a topic: use words separated by commas (up to 48 characters each), e.g. "llm, vision, -robotics"`,
      );
    if (!topics.includes(t)) topics.push(t);
  }
  if (topics.length > MAX_TOPICS) throw new UserError(`at most ${MAX_TOPICS} topics, got ${topics.length}`);
  return topics;
}

/** Matches a topic at the start of a word, ignoring case: `llm` matches "LLMs", not "fullmoon". */
export function topicMatcher(topic: string): RegExp {
  const words = topic.split(' ').map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}`, 'iu');
}
