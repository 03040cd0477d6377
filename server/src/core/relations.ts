import type { StorageAdapter } from '../storage/index.js';
import type { Pointer } from '../schema/index.js';
import { isRelationWrite } from './write-input.js';
import type { WriteInput } from './write-input.js';

/** Applies a write's AddRelation / RemoveRelation / Batch operations to the join tables. */
export async function writeRelations(options: {
  storage: StorageAdapter;
  ownerClass: string;
  owningId: string;
  input: WriteInput;
}): Promise<void> {
  const { storage, ownerClass, owningId, input } = options;
  for (const [field, write] of Object.entries(input.fields)) {
    if (!isRelationWrite(write)) continue;
    const add: readonly Pointer[] =
      write.op === 'addRelation' ? write.objects : write.op === 'relationBatch' ? write.add : [];
    const remove: readonly Pointer[] =
      write.op === 'removeRelation' ? write.objects : write.op === 'relationBatch' ? write.remove : [];
    for (const pointer of add) await storage.addRelation({ ownerClass, field, owningId, relatedId: pointer.objectId });
    for (const pointer of remove) {
      await storage.removeRelation({ ownerClass, field, owningId, relatedId: pointer.objectId });
    }
  }
}
