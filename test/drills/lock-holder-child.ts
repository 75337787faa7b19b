// Child process of the lock drill: another process holding SQLite's write lock (as `papers import`
// of a big file does) while the bot is asked for something. It takes the lock, sends the bot a
// reaction (whose bookmark must wait for the lock) and then `/papers help`, and lets go of the lock
// once the help answer arrived, or after 3 s without one. Prints `locked`, `answered` or
// `no answer`, then `released`: the order is the result, not the time.
import BetterSqlite3 from 'better-sqlite3';
import { signedHeaders } from '../fakes/slack';

const [file, eventsUrl, secret, reactionJson, commandForm] = process.argv.slice(2) as [string, string, string, string, string];

const db = new BetterSqlite3(file);
db.exec('BEGIN IMMEDIATE');
db.prepare("insert into meta (key, value) values ('lock-drill', 'held')").run();
process.stdout.write('locked\n');

const post = (body: string, contentType: string, signal?: AbortSignal) =>
  fetch(eventsUrl, { method: 'POST', headers: signedHeaders(secret, body, { contentType }), body, signal });

await post(reactionJson, 'application/json', AbortSignal.timeout(3_000)).catch(() => {});
const answer = await post(commandForm, 'application/x-www-form-urlencoded', AbortSignal.timeout(3_000)).then(
  async (res) => (res.ok && (await res.text()).includes('/papers') ? 'answered' : `bad answer ${res.status}`),
  () => 'no answer',
);
process.stdout.write(`${answer}\n`);
db.exec('ROLLBACK');
db.close();
process.stdout.write('released\n');
