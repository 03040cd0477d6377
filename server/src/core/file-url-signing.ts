import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * Expiring signed file URLs (off by default): a file URL carries `?token=<JWT>` naming the file, signed
 * with HS256 under a secret derived from the master key (so every app server of one app agrees without
 * sharing another secret, and rotating the master key revokes every outstanding URL).
 */
export class FileUrlSigner {
  private readonly secret: Buffer;

  constructor(private readonly options: { masterKey: string; ttlSeconds: number; now: () => Date }) {
    this.secret = createHmac('sha256', options.masterKey).update('strata file URL signing v1').digest();
  }

  /** A token for `name`, valid for the configured time from now. */
  token(name: string): string {
    const iat = Math.floor(this.options.now().getTime() / 1000);
    return jwt.sign({ f: name, iat, exp: iat + this.options.ttlSeconds }, this.secret, {
      algorithm: 'HS256',
      noTimestamp: true,
    });
  }

  /** Whether `token` is a valid, unexpired token for exactly this file. */
  verify(name: string, token: string | undefined): boolean {
    if (token === undefined || token.length === 0 || token.length > 4096) return false;
    try {
      const payload = jwt.verify(token, this.secret, {
        algorithms: ['HS256'],
        clockTimestamp: Math.floor(this.options.now().getTime() / 1000),
      });
      return typeof payload === 'object' && payload['f'] === name;
    } catch {
      return false;
    }
  }
}
