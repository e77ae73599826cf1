import sql, { bulk, join, raw } from 'sql-template-tag';

import {
  INSTALLATION_TABLES,
  type InstallationRow,
  type InstallationStore,
  type InstallationTable,
  type InstallationTableName,
} from '../installation-records.js';
import { all, type Program, run } from './program.js';
import type { Engine } from './sql-store.js';

/** Rows in one multi-row insert (at most 17 columns: well under either database's parameter limit). */
const INSERT_CHUNK = 100;

function tableOf(name: InstallationTableName): InstallationTable {
  // Names and columns come from the one table list, never from the caller's text: safe to put in the SQL.
  const table = INSTALLATION_TABLES[name] as InstallationTable | undefined;
  if (!table) throw new TypeError(`Not an installation table: ${String(name)}`);
  return table;
}

const selectList = (table: InstallationTable) =>
  raw([...(table.hasSeq ? ['seq'] : []), ...table.columns].join(', '));

/** What an installation holds besides its events and calls, read and written once for both databases. */
export function createInstallationQueries(engine: Engine): InstallationStore {
  const d = engine.dialect;
  const read = <T>(program: Program<T>): Promise<T> => engine.read(program);
  return {
    readInstallationRows: (name, { after, limit }) => {
      const table = tableOf(name);
      const order = table.hasSeq ? 'seq' : table.key[0]!;
      const from =
        after === null
          ? raw('')
          : table.hasSeq
            ? sql`WHERE seq > ${Number(after)}`
            : sql`WHERE ${raw(order)} > ${after}`;
      return read(
        (function* () {
          const rows = yield* all<InstallationRow>(
            sql`SELECT ${selectList(table)} FROM ${raw(name)} ${from} ORDER BY ${raw(order)} LIMIT ${limit}`,
          );
          const last = rows.at(-1);
          return { rows, next: rows.length === limit && last ? String(last[order]) : null };
        })(),
      );
    },
    findInstallationRows: (name, column, values) => {
      const table = tableOf(name);
      if (!table.columns.includes(column)) throw new TypeError(`${name} has no column ${column}`);
      if (values.length === 0) return Promise.resolve([]);
      const type = typeof values[0] === 'number' ? 'bigint' : 'text';
      return read(
        all<InstallationRow>(
          sql`SELECT ${selectList(table)} FROM ${raw(name)} WHERE ${d.anyOf(column, values, type)}
            ORDER BY ${raw(table.hasSeq ? 'seq' : table.key.join(', '))}`,
        ),
      );
    },
    findInstallationRowAtOrBefore: async (name, seq) => {
      const table = tableOf(name);
      const rows = await read(
        all<InstallationRow>(
          sql`SELECT ${selectList(table)} FROM ${raw(name)} WHERE seq <= ${seq} ORDER BY seq DESC LIMIT 1`,
        ),
      );
      return rows[0] ?? null;
    },
    writeInstallationRows: async (name, rows) => {
      const table = tableOf(name);
      if (table.readOnly === true) throw new TypeError(`${name} is not written row by row`);
      if (rows.length === 0) return;
      const columns = raw(table.columns.join(', '));
      const others = table.columns.filter((column) => !table.key.includes(column));
      const conflict =
        table.key.length === 0
          ? raw('')
          : sql` ON CONFLICT (${raw(table.key.join(', '))}) DO UPDATE SET ${join(
              others.map((column) => raw(`${column} = excluded.${column}`)),
            )}`;
      await engine.write(
        'config',
        (function* () {
          for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
            const values = rows
              .slice(start, start + INSERT_CHUNK)
              .map((row) => table.columns.map((column) => row[column] ?? null));
            yield* run(sql`INSERT INTO ${raw(name)} (${columns}) VALUES ${bulk(values)}${conflict}`);
          }
        })(),
      );
    },
    countInstallationRows: async (name) => {
      tableOf(name);
      const rows = await read(all<{ n: number }>(sql`SELECT count(*) AS n FROM ${raw(name)}`));
      return Number(rows[0]?.n ?? 0);
    },
  };
}
