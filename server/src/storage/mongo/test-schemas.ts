/** Class schemas shared by the MongoDB adapter's tests (imported by `*.test.ts` only). */
import type { ClassSchema, FieldDefinition } from '../../schema/index.js';

const DEFAULTS: Record<string, FieldDefinition> = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
};

export function classSchema(className: string, fields: Record<string, FieldDefinition>): ClassSchema {
  return { className, fields: { ...DEFAULTS, ...fields } };
}

/** A class with one field of every type, named as in spec/mongo-layout.md §6. */
export const GAME_SCORE = classSchema('GameScore', {
  score: { type: 'Number' },
  big: { type: 'Number' },
  playerName: { type: 'String' },
  cheatMode: { type: 'Boolean' },
  owner: { type: 'Pointer', targetClass: '_User' },
  tags: { type: 'Array' },
  meta: { type: 'Object' },
  when: { type: 'Date' },
  loc: { type: 'GeoPoint' },
  area: { type: 'Polygon' },
  pic: { type: 'File' },
  data: { type: 'Bytes' },
  likes: { type: 'Relation', targetClass: '_User' },
  expiresAt: { type: 'String' },
});

export const USER = classSchema('_User', {
  username: { type: 'String' },
  email: { type: 'String' },
  emailVerified: { type: 'Boolean' },
  authData: { type: 'Object' },
});

export const ROLE = classSchema('_Role', {
  name: { type: 'String' },
  users: { type: 'Relation', targetClass: '_User' },
  roles: { type: 'Relation', targetClass: '_Role' },
});

export const SESSION = classSchema('_Session', {
  user: { type: 'Pointer', targetClass: '_User' },
  installationId: { type: 'String' },
  sessionToken: { type: 'String' },
  expiresAt: { type: 'Date' },
  createdWith: { type: 'Object' },
});
