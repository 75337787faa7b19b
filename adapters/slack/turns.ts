/**
 * Lets work through a few at a time per turn of the event loop. The Slack adapter acks a public
 * command first and answers it after: with every answer of a burst let through at once, the
 * answers' work ran between the requests still being read, and held their acks back (Slack's
 * deadline is on the ack). A few per turn keep the answers flowing while the acks go first.
 */
export function createTurns(perTurn: number): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const release = () => {
    for (const go of waiting.splice(0, perTurn)) go();
    if (waiting.length > 0) setImmediate(release);
    else scheduled = false;
  };
  return () =>
    new Promise((resolve) => {
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(release);
      }
    });
}
