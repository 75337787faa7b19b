import type { Subscription } from '../store/types';
import { SETTINGS } from './settings';

/** A subscription as label/value pairs, for `settings` and the `subscribe` confirmation: each displayed setting, then whether it is on. */
export function subscriptionFields(sub: Subscription): { label: string; value: string }[] {
  const settings = Object.values(SETTINGS).flatMap((s) => ('display' in s ? [{ label: s.display.label, value: s.display.value(sub) }] : []));
  return [...settings, { label: 'Status', value: sub.enabled ? 'on' : 'off' }];
}
