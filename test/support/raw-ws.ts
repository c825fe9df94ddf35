// A graphql-ws socket driven message by message (the `graphql-transport-ws` protocol over `ws`), for tests that must
// send an operation at an exact moment and see exactly what comes back, and how the socket closes.
import WebSocket from 'ws';
import { onCleanup } from './cleanup.js';

export type ServerMessage = { id?: string; type: string; payload?: any };
export type Closed = { code: number; reason: string };

export type RawWs = {
  socket: WebSocket;
  /** Sends a `subscribe` message; resolves with the operation's `next` payloads and its `complete`, or its `error`. */
  operation: (query: string, variables?: Record<string, unknown>) => Promise<ServerMessage[]>;
  /** Resolves when the socket closes; rejects when it is still open after `timeoutMs`. */
  closed: (timeoutMs: number) => Promise<Closed>;
};

/**
 * Opens a socket and sends connection_init with the key (and `init`'s other fields, e.g. a platform key's
 * `projectId`); resolves on connection_ack, rejects on a close.
 */
export async function openRawWs(httpUrl: string, key: string, init: Record<string, unknown> = {}): Promise<RawWs> {
  const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  onCleanup(() => socket.terminate());
  const listeners = new Set<(message: ServerMessage) => void>();
  let closed: Closed | null = null;
  const whenClosed = new Promise<Closed>((resolve) =>
    socket.once('close', (code, reason) => resolve((closed = { code, reason: reason.toString() }))),
  );
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    for (const listener of [...listeners]) listener(message);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { ...init, authorization: `Bearer ${key}` } })));
    listeners.add(function ack(message) {
      if (message.type !== 'connection_ack') return;
      listeners.delete(ack);
      resolve();
    });
    void whenClosed.then((c) => reject(new Error(`closed before connection_ack: ${c.code} ${c.reason}`)));
  });
  let nextId = 0;
  return {
    socket,
    operation: (query, variables) => {
      const id = String(++nextId);
      const received: ServerMessage[] = [];
      return new Promise((resolve, reject) => {
        const listener = (message: ServerMessage) => {
          if (message.id !== id) return;
          received.push(message);
          if (message.type === 'complete' || message.type === 'error') {
            listeners.delete(listener);
            resolve(received);
          }
        };
        listeners.add(listener);
        void whenClosed.then((c) => reject(Object.assign(new Error(`socket closed: ${c.code} ${c.reason}`), c)));
        socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
      });
    },
    closed: (timeoutMs) =>
      closed
        ? Promise.resolve(closed)
        : new Promise<Closed>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the socket was still open after ${timeoutMs} ms`)), timeoutMs);
            void whenClosed.then((c) => {
              clearTimeout(timer);
              resolve(c);
            });
          }),
  };
}
