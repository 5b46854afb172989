/**
 * Runs WAL checkpoints on a connection of its own, in a worker thread, so copying the WAL
 * into the database file and syncing it never stalls the event loop. PASSIVE checkpoints
 * never wait for the writer; the writer restarts the WAL once everything is copied.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database((workerData as { path: string }).path);
// The database file is synced before SQLite lets the writer reuse the WAL.
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 1000');

parentPort!.on('message', (msg: string) => {
  if (msg === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    parentPort!.postMessage({ ok: true, ...r });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: String(e) });
  }
});
