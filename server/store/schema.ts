/**
 * The chat database file: recognising it, creating it and migrating it. A file is ours when its
 * `application_id` says so; its `user_version` is the schema version, and {@link MIGRATIONS} step it
 * forward one version at a time. Anything else at the path (another application's database, random
 * bytes, a damaged file) is refused before a single byte is written.
 *
 * @example
 * ```ts
 * import { openDatabase } from "./schema.ts";
 * const { db, epoch } = openDatabase(":memory:"); // or a path: creates the folder and the file if missing
 * db.prepare("SELECT count(*) AS n FROM events").get(); // { n: 0 }; `epoch` prefixes this store's ids
 * db.close();
 * ```
 */
import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";

/** Marks the file as a chat database (`PRAGMA application_id`): the bytes "chat". */
export const APPLICATION_ID = 0x63686174;

/** `MIGRATIONS[v]` takes a database from schema version `v` to `v + 1`, inside one transaction. */
export const MIGRATIONS: readonly ((db: DatabaseSync) => void)[] = [
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        -- the event's other fields (from, text, door, reason, to, fromId) as a JSON object
        data TEXT NOT NULL
      ) STRICT;
    `);
    db.prepare("INSERT INTO meta (key, value) VALUES ('epoch', ?), ('pruned_through', '0'), ('closed', '1')")
      .run(newEpoch());
    db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database that could not be used as the room's log; the message is one line for the operator. */
export class DatabaseError extends Error {}

export interface OpenedDatabase {
  db: DatabaseSync;
  /** Random per database, kept across restarts, replaced after a crash: names the id space (RoomLog.epoch). */
  epoch: string;
}

/** Pragmas of the writing connection; `synchronous` is measured in bench/log_backends.ts. */
export interface Tuning {
  synchronous: "OFF" | "NORMAL" | "FULL";
}

/**
 * Opens (creating if needed) the chat database at `path`, or `:memory:`. Throws {@link DatabaseError}
 * when the path cannot be opened, holds something that is not a chat database, is damaged, comes from
 * a newer server, or is in use by another server.
 */
export function openDatabase(path: string, tuning: Tuning = { synchronous: "NORMAL" }): OpenedDatabase {
  const inMemory = path === ":memory:";
  if (!inMemory) {
    makeFolder(path);
    if (hasContent(path)) checkOurs(path);
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: 0 });
  } catch (error) {
    throw new DatabaseError(`cannot open database ${path}: ${reason(error)}`);
  }
  try {
    // One server per file: an exclusive lock, taken by the first write below and held until close,
    // keeps a second server from interleaving its ids with ours. It also spares WAL its shared memory.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    if (!inMemory) db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${tuning.synchronous}`);
    migrate(db, path);
    checkContiguous(db, path);
    return { db, epoch: claim(db, path) };
  } catch (error) {
    db.close();
    if (error instanceof DatabaseError) throw error;
    if (isBusy(error)) throw new DatabaseError(`database ${path} is in use by another process`);
    throw new DatabaseError(`cannot use database ${path}: ${reason(error)}`);
  }
}

function makeFolder(path: string): void {
  const folder = dirname(path);
  try {
    Deno.mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new DatabaseError(`cannot create the folder ${folder} for database ${path}: ${reason(error)}`);
  }
}

function hasContent(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    if (info.isDirectory) throw new DatabaseError(`cannot open database ${path}: it is a folder`);
    return info.size > 0;
  } catch (error) {
    if (error instanceof DatabaseError) throw error;
    if (error instanceof Deno.errors.NotFound) return false;
    throw new DatabaseError(`cannot open database ${path}: ${reason(error)}`);
  }
}

/**
 * Reads the file's identity through a read-only connection, so a foreign file is never touched: opened as
 * immutable, SQLite takes no lock and creates no `-wal`/`-shm` next to a file it is about to refuse.
 */
function checkOurs(path: string): void {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(`file:${path.replace(/[?#%]/g, encodeURIComponent)}?mode=ro&immutable=1`, {
      readOnly: true,
      timeout: 0,
    });
  } catch (error) {
    throw new DatabaseError(`cannot open database ${path}: ${reason(error)}`);
  }
  try {
    const application = pragma(db, "application_id");
    const version = pragma(db, "user_version");
    const objects = db.prepare("SELECT count(*) AS n FROM sqlite_schema").get()!.n as number;
    if (application === 0 && version === 0 && objects === 0) return; // an empty database: ours to fill
    if (application !== APPLICATION_ID) {
      throw new DatabaseError(`${path} is not a chat database (it belongs to another application); left untouched`);
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseError(
        `${path} has schema version ${version}, newer than this server's ${SCHEMA_VERSION}; upgrade the server`,
      );
    }
    const check = db.prepare("PRAGMA quick_check").all().map((row) => Object.values(row)[0]);
    if (check.join() !== "ok") {
      throw new DatabaseError(`${path} is damaged (${String(check[0])}); left untouched`);
    }
  } catch (error) {
    if (error instanceof DatabaseError) throw error;
    const code = (error as { errcode?: number }).errcode;
    // SQLITE_NOTADB (26), SQLITE_CORRUPT (11): not an SQLite file at all, or a mangled one.
    if (code === 26 || code === 11) {
      throw new DatabaseError(`${path} is not a chat database (${reason(error)}); left untouched`);
    }
    if (code === 5) throw new DatabaseError(`database ${path} is in use by another process`);
    throw new DatabaseError(`cannot read database ${path}: ${reason(error)}`);
  } finally {
    db.close();
  }
}

function migrate(db: DatabaseSync, path: string): void {
  for (let version = pragma(db, "user_version"); version < SCHEMA_VERSION; version++) {
    inUseCheck(path, () => db.exec("BEGIN IMMEDIATE"));
    try {
      MIGRATIONS[version](db);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw new DatabaseError(`cannot migrate database ${path} to schema ${version + 1}: ${reason(error)}`);
    }
  }
}

/**
 * Marks the file as in use until {@link markClosed}, and returns the epoch. After a crash the epoch is
 * replaced: the last few ms of events may have reached readers without reaching the file, and their
 * ids are about to be issued again, so readers holding them must reset rather than resume.
 * This first write also takes the exclusive lock, so a second server fails at start.
 */
function claim(db: DatabaseSync, path: string): string {
  inUseCheck(path, () => db.exec("BEGIN IMMEDIATE"));
  try {
    const get = db.prepare("SELECT value FROM meta WHERE key = ?");
    let epoch = get.get("epoch")!.value as string;
    if (get.get("closed")!.value !== "1") {
      epoch = newEpoch();
      db.prepare("UPDATE meta SET value = ? WHERE key = 'epoch'").run(epoch);
    }
    db.exec("UPDATE meta SET value = '0' WHERE key = 'closed'");
    db.exec("COMMIT");
    return epoch;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/** Records a clean shutdown (everything queued was written), so the next start keeps the epoch. */
export function markClosed(db: DatabaseSync): void {
  db.exec("UPDATE meta SET value = '1' WHERE key = 'closed'");
}

function newEpoch(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

function inUseCheck(path: string, step: () => void): void {
  try {
    step();
  } catch (error) {
    if (isBusy(error)) {
      throw new DatabaseError(`database ${path} is in use by another process`);
    }
    throw error;
  }
}

/** Replay trusts that ids between the oldest and newest row are all there; a file with holes is damaged. */
function checkContiguous(db: DatabaseSync, path: string): void {
  const row = db.prepare("SELECT min(id) AS low, max(id) AS high, count(*) AS n FROM events").get()!;
  const { low, high, n } = row as { low: number | null; high: number | null; n: number };
  if (low !== null && high !== null && high - low + 1 !== n) {
    throw new DatabaseError(`${path} is damaged (events ${low}..${high} hold only ${n} rows); left untouched`);
  }
}

/** SQLITE_BUSY: another server holds the file's exclusive lock (`exec` errors carry only the message). */
function isBusy(error: unknown): boolean {
  return (error as { errcode?: number }).errcode === 5 || /database is locked/.test(reason(error));
}

function pragma(db: DatabaseSync, name: string): number {
  return Object.values(db.prepare(`PRAGMA ${name}`).get()!)[0] as number;
}

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
