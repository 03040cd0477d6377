import { readFile } from 'node:fs/promises';
import type { Config } from '../config/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { PushProvider } from './provider.js';
import { createApnsProvider } from './providers/apns.js';
import { createFcmProvider } from './providers/fcm.js';
import type { ServiceAccount } from './providers/fcm.js';
import { createWebPushProvider } from './providers/web-push.js';

/**
 * The providers the configuration names, by kind (`fcm`, `apns`, `web`), their key files read once at start.
 * A half-configured provider (a key without its id, a VAPID public key without the private one) stops the
 * start with the missing option named: a push silently going nowhere is worse.
 */
export async function pushProvidersFromConfig(config: Config): Promise<Map<string, PushProvider>> {
  const providers = new Map<string, PushProvider>();
  const ca = config.pushCa === undefined ? undefined : await readText(config.pushCa, '--push-ca');
  if (config.pushFcmServiceAccount !== undefined) {
    const account = await readJson(config.pushFcmServiceAccount, '--push-fcm-service-account');
    for (const field of ['project_id', 'client_email', 'private_key'] as const) {
      if (typeof account[field] !== 'string') refuse(`--push-fcm-service-account: the file has no ${field}.`);
    }
    providers.set(
      'fcm',
      createFcmProvider({ serviceAccount: account as unknown as ServiceAccount, baseURL: config.pushFcmUrl }),
    );
  }
  const apnsKey = config.pushApnsKey;
  const apnsCert = config.pushApnsCert;
  if (apnsKey !== undefined || apnsCert !== undefined) {
    if (apnsKey !== undefined && (config.pushApnsKeyId === undefined || config.pushApnsTeamId === undefined)) {
      refuse('--push-apns-key needs --push-apns-key-id and --push-apns-team-id.');
    }
    const url =
      config.pushApnsUrl ??
      (config.pushApnsProduction ? 'https://api.push.apple.com' : 'https://api.sandbox.push.apple.com');
    providers.set(
      'apns',
      createApnsProvider({
        url,
        ...(apnsKey === undefined
          ? { auth: { kind: 'certificate', pem: await readText(apnsCert as string, '--push-apns-cert') } }
          : {
              auth: {
                kind: 'token',
                key: await readText(apnsKey, '--push-apns-key'),
                keyId: config.pushApnsKeyId as string,
                teamId: config.pushApnsTeamId as string,
              },
            }),
        ...(config.pushApnsTopic === undefined ? {} : { topic: config.pushApnsTopic }),
        ...(ca === undefined ? {} : { ca }),
      }),
    );
  }
  const vapid = [config.pushWebVapidPublicKey, config.pushWebVapidPrivateKey, config.pushWebVapidSubject];
  if (vapid.some((v) => v !== undefined)) {
    if (vapid.some((v) => v === undefined)) {
      refuse('Web Push needs --push-web-vapid-public-key, --push-web-vapid-private-key and --push-web-vapid-subject.');
    }
    providers.set(
      'web',
      await createWebPushProvider({
        publicKey: config.pushWebVapidPublicKey as string,
        privateKey: config.pushWebVapidPrivateKey as string,
        subject: config.pushWebVapidSubject as string,
        ...(ca === undefined ? {} : { ca }),
      }),
    );
  }
  return providers;
}

async function readText(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    return refuse(`${option}: cannot read ${path} (${err instanceof Error ? err.message : String(err)}).`);
  }
}

async function readJson(path: string, option: string): Promise<Record<string, unknown>> {
  const text = await readText(path, option);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // refused below
  }
  return refuse(`${option}: ${path} is not a JSON object.`);
}

function refuse(message: string): never {
  throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message });
}
