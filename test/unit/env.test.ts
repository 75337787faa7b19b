import { describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../adapters/index';
import { ConfigError } from '../../src/errors';

const KEY = 'ab'.repeat(32);

/** What `papers start` and every other command say on stderr, one line, before anything starts. */
function refusal(env: Record<string, string>): string {
  try {
    loadBotConfig(env, '/nonexistent');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the environment was accepted');
}

describe('the environment, validated once at start', () => {
  it.each([
    [{ PORT: 'eighty' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT must be a whole number .*65535/],
    [{ HF_BASE_URL: 'huggingface.co' }, /^HF_BASE_URL must be an http\(s\) URL/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ ARXIV_CATEGORIES: 'cs.CL,physics!' }, 'ARXIV_CATEGORIES: "physics!" is not an arXiv category like cs.CL or hep-th'],
    [{ DISCORD_PUBLIC_KEY: 'not-hex' }, 'DISCORD_PUBLIC_KEY must be the 64 hex digits the developer portal shows'],
    [{ DISCORD_PUBLIC_KEY: KEY.slice(2) }, 'DISCORD_PUBLIC_KEY must be the 64 hex digits the developer portal shows'],
    [{ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1', DISCORD_INTERACTIONS: 'http' }, /^DISCORD_INTERACTIONS=http needs DISCORD_PUBLIC_KEY/],
    [{ DISCORD_INTERACTIONS: 'webhook' }, 'DISCORD_INTERACTIONS must be gateway or http'],
    [{ DISCORD_SHARDS: '4-2/8' }, /^DISCORD_SHARDS must be "auto", a number of shards, or A-B\/N .*got "4-2\/8"/],
    [{ DISCORD_SHARDS: '0-8/8' }, /^DISCORD_SHARDS must be .*got "0-8\/8"/],
    [{ SLACK_API_URL: 'ftp://slack.example' }, /^SLACK_API_URL must be an http\(s\) URL/],
    [{ METRICS: 'yes' }, 'METRICS must be on or off'],
  ])('refuses %o with one line naming the variable', (env, said) => {
    const line = refusal(env);
    expect(line).not.toContain('\n');
    if (typeof said === 'string') expect(line).toBe(said);
    else expect(line).toMatch(said);
  });

  it('takes a well-formed Discord HTTP setup and a shard range', () => {
    const config = loadBotConfig(
      { DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1', DISCORD_INTERACTIONS: 'http', DISCORD_PUBLIC_KEY: KEY, DISCORD_SHARDS: '0-3/16', PORT: '8080' },
      '/nonexistent',
    );
    expect(config.adapters.discord).toMatchObject({ interactions: 'http', publicKey: KEY, shards: { first: 0, last: 3, total: 16 } });
    expect(config.http.port).toBe(8080);
  });
});
