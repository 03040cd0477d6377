/** Request families of files (uploads, downloads with Range, metadata, deletes) and of everything else a client can
 * reach: aggregate, config, hooks, push, odd headers, malformed bodies and paths no route expects. */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { regex, scalar, value, where } from './payloads.js';
import type { Json } from './payloads.js';
import { enc } from './request-draft.js';
import type { Draft, FuzzTarget, RequestParts } from './request-draft.js';

export interface OtherRequests {
  readonly files: Arbitrary<Draft>;
  readonly other: Arbitrary<Draft>;
}

export function otherRequests(target: FuzzTarget, parts: RequestParts): OtherRequests {
  const { cls, routeSegment } = parts;
  const fileName = fc.oneof(
    fc.constantFrom(
      'a.txt',
      'b.png',
      'c',
      'd.html',
      'e.svg',
      '.hidden',
      'x'.repeat(200),
      '..%2Fetc%2Fpasswd',
      'a%00.txt',
      'metadata',
    ),
    fc.string({ maxLength: 12 }),
  );
  const files = fc.oneof(
    fc
      .record({
        name: fileName,
        bytes: fc.uint8Array({ maxLength: 512 }),
        type: fc.constantFrom(
          'text/plain',
          'image/png',
          'text/html',
          'application/octet-stream',
          'image/svg+xml',
          '',
          'x/y; charset=\u0000',
        ),
        headers: fc.record(
          {
            'X-Parse-Upload-Mode': fc.constant('stream'),
            'X-Parse-File-Metadata': fc.string({ maxLength: 20 }),
            'X-Parse-File-Tags': fc.constant('{"a":"b"}'),
            'X-Parse-File-Directory': fc.constantFrom('dir', '../x', 'metadata/x'),
          },
          { requiredKeys: [] },
        ),
      })
      .map(({ name, bytes, type, headers }): Draft => ({
        family: 'files',
        method: 'POST',
        path: `/files/${enc(name)}`,
        raw: bytes,
        contentType: type,
        headers,
      })),
    fc
      .record({
        name: fileName,
        base64: fc.oneof(fc.base64String({ maxLength: 64 }), fc.string({ maxLength: 10 })),
        fileData: value,
      })
      .map(({ name, base64, fileData }): Draft => ({
        family: 'files',
        method: 'POST',
        path: `/files/${enc(name)}`,
        json: { base64, fileData, _ContentType: 'text/plain' },
        caller: 'bodyCredentials',
      })),
    fc
      .record({
        name: fc.oneof(fc.constantFrom(...target.files), fileName),
        meta: fc.boolean(),
        range: fc.option(fc.constantFrom('bytes=0-1', 'bytes=5-1', 'bytes=-1', 'bytes=0-99999999999', 'junk'), {
          freq: 2,
        }),
      })
      .map(({ name, meta, range }): Draft => ({
        family: 'files',
        method: 'GET',
        path: `/files/${enc(target.appId)}/${meta ? 'metadata/' : ''}${enc(name)}`,
        ...(range === null ? {} : { headers: { Range: range } }),
      })),
    fc
      .record({ name: fileName })
      .map(({ name }): Draft => ({ family: 'files', method: 'DELETE', path: `/files/${enc(name)}` })),
  );

  // Everything else a client can reach, and paths and bodies no route expects.
  const other = fc.oneof(
    fc
      .record({
        c: routeSegment(cls),
        q: fc.record(
          {
            where,
            distinct: fc.oneof(fc.constantFrom('str', 'num', 'toString', '_rperm'), scalar),
            pipeline: fc.oneof(
              fc.array(
                fc.dictionary(
                  fc.constantFrom(
                    '$match',
                    '$group',
                    '$sample',
                    '$project',
                    '$lookup',
                    '$out',
                    '$merge',
                    '$where',
                    'group',
                    '$limit',
                    '$sort',
                  ),
                  value,
                  { maxKeys: 1 },
                ),
                { maxLength: 3 },
              ),
              value,
            ),
          },
          { requiredKeys: [] },
        ),
      })
      .map(({ c, q }): Draft => ({
        family: 'other',
        method: 'GET',
        path: `/aggregate/${c}`,
        query: q as Record<string, Json>,
        caller: 'master',
      })),
    fc
      .record(
        { params: fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 3 }), masterKeyOnly: value },
        { requiredKeys: [] },
      )
      .map((body): Draft => ({ family: 'other', method: 'PUT', path: '/config', json: body as Json })),
    fc.constantFrom<Draft>(
      { family: 'other', method: 'GET', path: '/config' },
      { family: 'other', method: 'GET', path: '/serverInfo' },
      { family: 'other', method: 'GET', path: '/health' },
      { family: 'other', method: 'POST', path: '/events/AppOpened', json: {} },
      { family: 'other', method: 'DELETE', path: '/purge/FzC' },
      { family: 'other', method: 'GET', path: '/hooks/functions' },
      { family: 'other', method: 'GET', path: '/scriptlog' },
      { family: 'other', method: 'POST', path: '/push', json: { where: {}, data: { alert: 'x' } } },
      { family: 'other', method: 'POST', path: '/jobs/none', json: {} },
      { family: 'other', method: 'GET', path: '/classes/FzA', raw: '{"where":', contentType: 'application/json' },
      {
        family: 'other',
        method: 'POST',
        path: '/classes/FzA',
        raw: '{"a":1,"a":2,"__proto__":{"polluted":"yes"}}',
        contentType: 'text/plain',
      },
      { family: 'other', method: 'POST', path: '/classes/FzA', raw: '[1,2,3]', contentType: 'application/json' },
      { family: 'other', method: 'POST', path: '/classes/FzA', raw: '"string"', contentType: 'application/json' },
      { family: 'other', method: 'POST', path: '/classes/FzA', raw: '\u0000\u0001', contentType: 'application/json' },
      {
        family: 'other',
        method: 'POST',
        path: '/classes/FzA',
        raw: `${'['.repeat(5000)}${']'.repeat(5000)}`,
        contentType: 'application/json',
      },
      {
        family: 'other',
        method: 'POST',
        path: '/classes/FzA',
        raw: `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
        contentType: 'application/json',
      },
      { family: 'other', method: 'PATCH', path: '/classes/FzA' },
      { family: 'other', method: 'OPTIONS', path: '/classes/FzA' },
      { family: 'other', method: 'GET', path: '//classes//FzA' },
      { family: 'other', method: 'GET', path: '/classes/FzA/x/y/z' },
      { family: 'other', method: 'GET', path: '/%' },
      { family: 'other', method: 'GET', path: '/classes/%E0%A4%A' },
    ),
    fc
      .record({
        path: fc.string({ maxLength: 30 }),
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        body: value,
      })
      .map(({ path, method, body }): Draft => ({ family: 'other', method, path: `/${enc(path)}`, json: body })),
    fc
      .record({
        header: fc.constantFrom(
          'X-Parse-Cloud-Context',
          'X-Parse-Installation-Id',
          'X-Parse-Request-Id',
          'X-Parse-Client-Version',
          'X-Forwarded-For',
          'Content-Type',
          'Authorization',
          'X-Parse-Revocable-Session',
        ),
        v: fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom(
            '{"__proto__":{"polluted":"yes"}}',
            '[]',
            'null',
            'Basic ' + Buffer.from('x:y').toString('base64'),
            '1.2.3.4, 127.0.0.1',
          ),
        ),
      })
      .map(({ header, v }): Draft => ({
        family: 'other',
        method: 'POST',
        path: '/functions/echo',
        json: { a: 1 },
        headers: { [header]: v },
      })),
    fc.record({ r: regex }).map(({ r }): Draft => ({
      family: 'find',
      method: 'GET',
      path: '/classes/FzA',
      query: { where: { str: { $regex: r } } },
    })),
  );
  return { files, other };
}
