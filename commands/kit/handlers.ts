import type { ChatHandlers } from '../../src/chat/runtime';
import { findCommand } from '../index';
import { dispatch } from './dispatch';
import { handleReaction } from './reactions';

/** What the chat runtime (src/chat/runtime.ts) runs for every platform: the commands and the reactions. */
export const chatHandlers: ChatHandlers = {
  dispatch,
  reaction: handleReaction,
  visibilityOf: (command) => findCommand(command)?.visibility ?? 'public',
};
