import type { ChatHandlers } from '../../src/chat/runtime';
import { findCommand } from '../index';
import { handleClick } from './clicks';
import { dispatch } from './dispatch';
import { handleReaction } from './reactions';

/** What the chat runtime (src/chat/runtime.ts) runs for every platform: the commands, the reactions and the clicks. */
export const chatHandlers: ChatHandlers = {
  dispatch,
  reaction: handleReaction,
  click: handleClick,
  visibilityOf: (command) => findCommand(command)?.visibility ?? 'public',
  changesCaller: (command) => findCommand(command)?.changes === 'caller',
  knows: (command) => findCommand(command) !== undefined,
};
