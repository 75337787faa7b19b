import type { Reply } from '../../src/chat/reply';
import { papersOf } from '../../src/chat/reply';

/** All the words of a reply, for assertions that should not depend on block layout. */
export function textOf(reply: Reply): string {
  return reply.blocks
    .map((b) =>
      b.kind === 'text' ? b.text : b.kind === 'fields' ? b.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : b.kind === 'file' ? b.content : '',
    )
    .join('\n');
}

export function paperIdsOf(reply: Reply): string[] {
  return papersOf(reply).map((p) => p.id);
}
