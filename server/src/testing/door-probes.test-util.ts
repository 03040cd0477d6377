import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../infra/index.js';

// What the lazily loaded doors' suites (graphql/door.test.ts, app-sockets.test.ts) observe them with: how many
// times a log line was written (one load, one failure), and the raw answer to a WebSocket upgrade.

/** A logger whose lines are kept, and how many of them carry `message`. */
export function capturedLogger(): { logger: ReturnType<typeof createLogger>; count: (message: string) => number } {
  let logged = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  return {
    logger: createLogger({ level: 'debug', destination }),
    count: (message) => logged.split('\n').filter((line) => line.includes(message)).length,
  };
}

/** Sends a raw WebSocket upgrade for `path` and resolves with everything the server wrote before closing. */
export function rawUpgrade(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
