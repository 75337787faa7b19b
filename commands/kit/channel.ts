import type { Invocation } from '../../src/chat/command';
import { subscriptionId } from '../../src/subscriptions/id';

/** The subscription of the channel a command was invoked in. */
export function subscriptionIdOf(inv: Pick<Invocation, 'platform' | 'channel'>): string {
  return subscriptionId(inv.platform, inv.channel.id);
}
