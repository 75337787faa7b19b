/**
 * One latency-bench target on a thread of its own (latency.ts): its event loop and heap are its
 * own, so its busy time and its garbage collection are measured apart from the other target's.
 */
import type { Reply } from '../src/chat/reply';
import { answerCalls } from './platform-client';
import { startTarget, type Target, type TargetPlatform, type TargetRole } from './latency-targets';

export type TargetCall = { op: 'start'; platform: TargetPlatform; role: TargetRole; reply: Reply } | { op: 'send'; count: number } | { op: 'close' };

let target: Target | undefined;

async function answer(call: TargetCall): Promise<unknown> {
  switch (call.op) {
    case 'start':
      target = await startTarget(call.platform, call.role, call.reply);
      return null;
    case 'send':
      return target!.send(call.count);
    case 'close':
      await target?.stop();
      target = undefined;
      return null;
  }
}

answerCalls(answer);
