import type { Platform } from '../chat/command';

/** A subscription's id. One subscription per channel, so the platform and the channel name it. */
export function subscriptionId(platform: Platform, channelId: string): string {
  return `${platform}:${channelId}`;
}
