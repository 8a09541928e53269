// A Supabase stand-in for the browser tests that sync.
import { spawn } from 'node:child_process';
import { root } from './harness.mjs';

// A Supabase stand-in: a throwaway PostgreSQL 15 with the shipped schema
// behind the PostgREST/GoTrue test gateway (sync/internal/devstack).
// DEVSTACK_BIN names a prebuilt binary; otherwise `go run` builds it.
export function startSupabase() {
  const bin = process.env.DEVSTACK_BIN;
  const child = bin
    ? spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('go', ['run', './sync/internal/devstack'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let info = null;
  const waiting = []; // resolvers of sql() answers, in order
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('devstack did not start in 120 s:\n' + err)), 120000);
    child.stderr.on('data', (b) => (err += b.toString()));
    child.stdout.on('data', (b) => {
      out += b.toString();
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (info) {
          waiting.shift()?.(line);
          continue;
        }
        clearTimeout(timer);
        info = JSON.parse(line);
        ok({
          ...info,
          // Runs SQL as the project's database superuser.
          sql: (statement) => new Promise((r) => { waiting.push(r); child.stdin.write(statement + '\n'); }),
          stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }),
        });
      }
    });
    child.on('exit', (code) => { if (!info) fail(new Error(`devstack exited with ${code}:\n${err}`)); });
  });
}
