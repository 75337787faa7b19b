/**
 * Resolves with the promise's value if it settles within ms, else with null (the promise runs on).
 * The adapters use it to answer in one go when a command is quick, and to defer when it is not.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
