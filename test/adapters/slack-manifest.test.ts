import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_EVENTS, SLACK_SCOPES } from '../../adapters/slack/main';
import { repoRoot } from '../helpers/fixtures';

interface Manifest {
  features: {
    app_home: { home_tab_enabled: boolean };
    slash_commands: { command: string; url: string; should_escape: boolean }[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string } };
}

describe('Slack app manifest', () => {
  const manifest = parse(readFileSync(path.join(repoRoot, 'adapters/slack/manifest.yaml'), 'utf8')) as Manifest;

  it('asks for exactly the scopes the adapter uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...SLACK_SCOPES].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('declares the /papers command and exactly the events the adapter handles, all on /slack/events', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(['/papers']);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...SLACK_EVENTS].sort());
    const urls = [manifest.features.slash_commands[0]!.url, manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
  });

  it('turns on the Home tab and interactivity (the buttons), and has channels sent as ids', () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.slash_commands[0]!.should_escape).toBe(true);
  });
});
