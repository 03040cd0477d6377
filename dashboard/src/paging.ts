/**
 * Cursor paging for the data browser. Counting or skipping through a million rows on every page is what
 * freezes other dashboards; here the next page continues after the last loaded row (`objectId > last`,
 * or `(createdAt, objectId) > last` for date sorts), so every page costs one index range scan. Sorting by
 * any other field falls back to `skip`, which is fine near the top.
 */
export interface Sort {
  readonly field: string;
  readonly desc: boolean;
}

export interface PageQuery {
  readonly where: Record<string, unknown>;
  readonly order: string;
  readonly limit: number;
  readonly skip?: number;
}

const KEYSET_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt']);

export function pageQuery(options: {
  filter: Record<string, unknown>;
  sort: Sort | undefined;
  /** The last row loaded so far; undefined for the first page. */
  last: Record<string, unknown> | undefined;
  loaded: number;
  pageSize: number;
}): PageQuery {
  const { filter, sort, last, pageSize } = options;
  const sortField = sort?.field ?? 'objectId';
  const desc = sort?.desc ?? false;
  const dir = desc ? '-' : '';
  if (!KEYSET_FIELDS.has(sortField)) {
    return {
      where: filter,
      order: `${dir}${sortField},${dir}objectId`,
      limit: pageSize,
      ...(options.loaded > 0 ? { skip: options.loaded } : {}),
    };
  }
  const order = sortField === 'objectId' ? `${dir}objectId` : `${dir}${sortField},${dir}objectId`;
  if (last === undefined) return { where: filter, order, limit: pageSize };
  const op = desc ? '$lt' : '$gt';
  const lastId = last['objectId'];
  let after: Record<string, unknown>;
  if (sortField === 'objectId') after = { objectId: { [op]: lastId } };
  else {
    const raw = last[sortField];
    const value = typeof raw === 'string' ? { __type: 'Date', iso: raw } : raw;
    after = { $or: [{ [sortField]: { [op]: value } }, { [sortField]: value, objectId: { [op]: lastId } }] };
  }
  const where = Object.keys(filter).length === 0 ? after : { $and: [filter, after] };
  return { where, order, limit: pageSize };
}
