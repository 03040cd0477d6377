import type { Document } from 'mongodb';
import { ErrorCode, ParseError } from '../../../errors/index.js';
import { Pointer, isPlainObject } from '../../../schema/index.js';
import type { ClassSchema } from '../../../schema/index.js';
import type { UpdateOp, UpdateSpec } from '../../adapter.js';
import { encodeACL } from './acl.js';
import { AUTH_DATA_PREFIX, POINTER_PREFIX, isPointerField, storedPath, usesSplitAuthData } from './keys.js';
import { encodeInterior, encodeTopLevel, pointerString } from './values.js';

/**
 * UpdateSpec → one MongoDB update document grouped by operator (spec/mongo-layout.md §2.7): `$set`,
 * `$unset`, `$inc`, `$push`/`$addToSet` with `$each`, `$pullAll`, plus `_updated_at` and the ACL
 * arrays. Values under a dot path are encoded as interior values (dates become BSON dates; parse-server
 * keeps a dotted atom in its REST form, which it reads back the same, so both shapes interoperate).
 */

type Operator = '$set' | '$unset' | '$inc' | '$push' | '$addToSet' | '$pullAll';

class UpdateBuilder {
  readonly operators: Partial<Record<Operator, Document>> = {};

  add(operator: Operator, key: string, value: unknown): void {
    const group = (this.operators[operator] ??= {});
    group[key] = value;
  }

  build(): Document {
    return { ...this.operators };
  }
}

/** `topLevelField` is set when `key` is a whole top-level field (its value is encoded as top-level). */
function addOperation(
  builder: UpdateBuilder,
  change: { key: string; op: UpdateOp; topLevelField: string | undefined },
): void {
  const { key, op, topLevelField } = change;
  switch (op.op) {
    case 'set':
      builder.add(
        '$set',
        key,
        topLevelField === undefined ? encodeInterior(op.value) : encodeTopLevel(topLevelField, op.value),
      );
      return;
    case 'unset':
      builder.add('$unset', key, '');
      return;
    case 'increment':
      builder.add('$inc', key, op.amount);
      return;
    case 'add':
      builder.add('$push', key, {
        $each: op.objects.map((item) => encodeInterior(item)),
      });
      return;
    case 'addUnique':
      builder.add('$addToSet', key, {
        $each: op.objects.map((item) => encodeInterior(item)),
      });
      return;
    case 'remove':
      builder.add(
        '$pullAll',
        key,
        op.objects.map((item) => encodeInterior(item)),
      );
      return;
  }
}

/** `_User.authData`: each provider is its own `_auth_data_<p>` key; a null provider is unlinked. */
function addAuthData(builder: UpdateBuilder, op: UpdateOp): void {
  if (op.op !== 'set' || !isPlainObject(op.value)) {
    throw new ParseError(ErrorCode.COMMAND_UNAVAILABLE, {
      message: 'authData can only be updated per provider ({"<provider>": data or null}).',
    });
  }
  for (const [provider, data] of Object.entries(op.value)) {
    if (data === null) builder.add('$unset', AUTH_DATA_PREFIX + provider, '');
    else builder.add('$set', AUTH_DATA_PREFIX + provider, encodeInterior(data));
  }
}

/** A top-level pointer field: `_p_<field>` holds `Class$id`; the bare name only ever held the null quirk. */
function addPointer(builder: UpdateBuilder, field: string, op: UpdateOp): void {
  const key = POINTER_PREFIX + field;
  if (op.op === 'set' && (op.value instanceof Pointer || op.value === null)) {
    builder.add('$set', key, op.value === null ? null : pointerString(op.value));
    builder.add('$unset', field, '');
  } else if (op.op === 'unset') {
    builder.add('$unset', key, '');
    builder.add('$unset', field, '');
  } else {
    throw new ParseError(ErrorCode.INCORRECT_TYPE, {
      message: `${field} is a Pointer field; it can only be set or unset.`,
    });
  }
}

export function toUpdate(schema: ClassSchema, update: UpdateSpec): Document {
  const builder = new UpdateBuilder();
  for (const [path, op] of Object.entries(update.fields)) {
    const segments = path.split('.');
    const [field = path] = segments;
    if (field === 'authData' && usesSplitAuthData(schema) && segments.length === 1) {
      addAuthData(builder, op);
    } else if (
      segments.length === 1 &&
      (isPointerField(schema, field) || (op.op === 'set' && op.value instanceof Pointer))
    ) {
      addPointer(builder, field, op);
    } else {
      const key = storedPath(schema, segments);
      addOperation(builder, { key, op, topLevelField: segments.length === 1 ? field : undefined });
    }
  }
  if (update.ACL !== undefined) {
    for (const [key, value] of Object.entries(encodeACL(update.ACL))) builder.add('$set', key, value);
  }
  builder.add('$set', '_updated_at', update.updatedAt);
  return builder.build();
}
