import { createHmac } from 'node:crypto';
import type * as JwtModule from 'jsonwebtoken';

/** What the signer uses of jsonwebtoken. */
type Jwt = Pick<typeof JwtModule, 'sign' | 'verify'>;

/**
 * Expiring signed file URLs (off by default): a file URL carries `?token=<JWT>` naming the file, signed
 * with HS256 under a secret derived from the master key (so every app server of one app agrees without
 * sharing another secret, and rotating the master key revokes every outstanding URL). Made by `create`, which
 * imports jsonwebtoken only for the servers that sign (it is ~70 modules of a cold start).
 */
export class FileUrlSigner {
  private readonly secret: Buffer;

  private constructor(
    private readonly jwt: Jwt,
    private readonly options: { masterKey: string; ttlSeconds: number; now: () => Date },
  ) {
    this.secret = createHmac('sha256', options.masterKey).update('strata file URL signing v1').digest();
  }

  static async create(options: { masterKey: string; ttlSeconds: number; now: () => Date }): Promise<FileUrlSigner> {
    const jwt = (await import('jsonwebtoken')).default;
    return new FileUrlSigner(jwt, options);
  }

  /** A token for `name`, valid for the configured time from now. */
  token(name: string): string {
    const iat = Math.floor(this.options.now().getTime() / 1000);
    return this.jwt.sign({ f: name, iat, exp: iat + this.options.ttlSeconds }, this.secret, {
      algorithm: 'HS256',
      noTimestamp: true,
    });
  }

  /** Whether `token` is a valid, unexpired token for exactly this file. */
  verify(name: string, token: string | undefined): boolean {
    if (token === undefined || token.length === 0 || token.length > 4096) return false;
    try {
      const payload = this.jwt.verify(token, this.secret, {
        algorithms: ['HS256'],
        clockTimestamp: Math.floor(this.options.now().getTime() / 1000),
      });
      return typeof payload === 'object' && payload['f'] === name;
    } catch {
      return false;
    }
  }
}
