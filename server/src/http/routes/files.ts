import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { readUploadBody } from '../files-upload.js';
import { originOf } from '../origin.js';

/** Room for the JSON form's base64 (4 characters per 3 bytes) and its other fields. */
const JSON_FORM_OVERHEAD = 64 * 1024;
/**
 * The JSON form is read whole before the caller is even known, so it is capped whatever the upload limit:
 * larger files use the raw body (the JS SDK streams Node Buffers and streams that way).
 */
const JSON_FORM_MAX = 32 * 1024 * 1024;

/**
 * `POST /files/:filename` (upload, 201 `{url, name}`) and `DELETE /files/:filename` (master key), rest.md
 * §10: the rules are core's (`core.files`). Downloads are not API routes: they need no Parse headers
 * (`<img src>`), see `files-download.ts`.
 */
export function fileRoutes(options: { maxUploadSize: number; encoding: EncodingContext }): RouteDefinition[] {
  const { encoding } = options;
  return [
    {
      method: 'POST',
      path: '/files',
      body: 'stream',
      handler: () => Promise.reject(new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename not provided.' })),
    },
    {
      method: 'POST',
      path: '/files/:filename',
      body: 'stream',
      bodyLimit: Math.min(Math.ceil((options.maxUploadSize * 4) / 3), JSON_FORM_MAX) + JSON_FORM_OVERHEAD,
      handler: (request) => upload(encoding, request),
    },
    { method: 'DELETE', path: '/files/:filename', handler: (request) => remove(encoding, request) },
  ];
}

async function upload(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const saved = await request.core.files.upload({
    auth: request.auth,
    name: request.params['filename'] ?? '',
    upload: readUploadBody(request),
    origin: originOf(request, encoding),
  });
  return { status: 201, body: { url: saved.url, name: saved.name }, headers: { Location: saved.url } };
}

/** `DELETE /files/:filename`: 200 with an empty body. */
async function remove(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  await request.core.files.delete({
    auth: request.auth,
    name: request.params['filename'] ?? '',
    origin: originOf(request, encoding),
  });
  return { body: undefined };
}
