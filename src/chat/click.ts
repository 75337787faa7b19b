import type { Platform } from './command';

/**
 * One click on a control the bot drew (a button, a picker's choice, the console's `click`), as
 * every platform reports it. Who clicked, and where, come from the platform's event; the control
 * id only says what to do (src/chat/controls.ts).
 */
export interface ClickEvent {
  platform: Platform;
  /** Discord guild / Slack team, when there is one. */
  workspaceId: string | null;
  /** The channel of the message clicked; null when the control is on no message (Slack's Home tab). */
  channelId: string | null;
  messageId: string | null;
  userId: string;
  /** The control's id as the bot drew it. */
  control: string;
  /** A picker's choice: the id of the paper picked. */
  value?: string;
  /**
   * The entry of the message meant, when the control names no paper and no choice does (the
   * console's `click 7 save 3`): like keycap n, the n-th paper the message carries.
   */
  entry?: number;
}
