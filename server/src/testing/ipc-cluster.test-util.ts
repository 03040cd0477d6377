import { createIpcPubSub, IpcRelay, isIpcPubSubMessage } from '../infra/index.js';
import type { PubSub } from '../infra/index.js';

/**
 * The primary's relay and the workers' IPC pub/sub, in one process: each worker's messages reach the relay, and the
 * relay's reach the worker, asynchronously (a turn of the event loop, as over a pipe; `lag` more turns for the
 * workers it names: a busy process). `relayed` lists the pub/sub messages the relay sent each worker.
 */
export function ipcCluster(
  size: number,
  options: { lag?: ReadonlyMap<number, number> } = {},
): {
  workers: PubSub[];
  relay: IpcRelay;
  relayed: Array<Array<{ channel: string; message: string }>>;
} {
  const relay = new IpcRelay();
  const relayed: Array<Array<{ channel: string; message: string }>> = [];
  const workers = Array.from({ length: size }, (_, id) => {
    const listeners = new Set<(message: unknown) => void>();
    const seen: Array<{ channel: string; message: string }> = [];
    relayed.push(seen);
    relay.add(id, (message) => {
      if (isIpcPubSubMessage(message)) seen.push({ channel: message.channel, message: message.message });
      const lag = options.lag?.get(id) ?? 0;
      for (const listener of [...listeners]) void turns(1 + lag).then(() => listener(message));
    });
    return createIpcPubSub({
      send: (message) => setImmediate(() => relay.receive(id, message)),
      listen: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
  });
  return { workers, relay, relayed };
}

/** Lets `n` turns of the event loop pass (each relay hop takes one). */
export async function turns(n = 10): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}
