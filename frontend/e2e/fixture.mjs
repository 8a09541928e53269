// Fixtures shared by the UX specs: an OpenAI-compatible provider that can
// be told to rate-limit, a YouTube Studio export, and channels whose
// names, niches and audiences are as long as the rules allow.
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { callApi } from './harness.mjs';

/** An OpenAI-compatible server. mode 'ok' answers; 'ratelimit' answers
 *  chat requests with OpenAI's 429 and Retry-After (seconds), as Groq does
 *  when its per-minute limit is used up; health checks (GET /models) pass. */
export function fakeProvider({ mode = 'ok', retryAfter = 3600 } = {}) {
  const state = { mode, calls: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'llama-e2e', object: 'model', owned_by: 'e2e' }] }));
        return;
      }
      state.calls++;
      if (state.mode === 'ratelimit') {
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter) });
        res.end(JSON.stringify({ error: { message: 'Rate limit reached for model `llama-e2e` in organization `org_e2e` on requests per minute (RPM): Limit 30, Used 30, Requested 1.', type: 'requests', code: 'rate_limit_exceeded' } }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        id: 'chatcmpl-e2e', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: 'llama-e2e',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Title one\nTitle two\nTitle three' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
      }));
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, state, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

/** A loopback address where nothing listens: every request to it is refused. */
export async function deadURL() {
  const srv = createNetServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return `http://127.0.0.1:${port}/v1`;
}

/** Switches Groq on against url with a key. */
export async function useGroq(app, url) {
  const groq = (await callApi(app.url, 'ListProviders')).providers.find((p) => p.name === 'groq');
  await callApi(app.url, 'SaveProvider', { name: 'groq', enabled: true, model: groq.model, base_url: url, rpm: 0, daily_quota: 14400 });
  await callApi(app.url, 'SetProviderKey', 'groq', 'gsk_e2e_ux_key_00000000wxyz');
}

/** A YouTube Studio "Table data.csv" of n videos, one every three days. */
export function studioCSV(n, seed = 7) {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = ['orçamento', 'dívidas', 'poupança', 'investir', 'cartão', 'salário', 'aluguel', 'reserva'];
  const lines = ['\ufeffContent,Video title,Video publish time,Duration,Views,Watch time (hours)', 'Total,,,,0,0'];
  const fmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
  for (let i = 0; i < n; i++) {
    const age = 3 * i + 2;
    const num = rnd() < 0.5;
    const title = `${num ? `${3 + Math.floor(rnd() * 9)} ` : ''}erros de ${words[Math.floor(rnd() * words.length)]} que custam caro`;
    const vpd = num ? 200 + Math.floor(rnd() * 80) : 30 + Math.floor(rnd() * 20);
    lines.push(`vid${String(i).padStart(4, '0')},"${title}","${fmt.format(new Date(Date.now() - age * 86400000))}",${i % 4 === 0 ? 50 : 620},${vpd * age},1.5`);
  }
  return lines.join('\n') + '\n';
}

/** Three channels, one named, described and aimed as long as the rules
 *  allow, one in Portuguese with accents. */
export const CHANNELS = [
  {
    name: 'Finanças do Zé', niche: 'finanças pessoais para iniciantes', language: 'pt-BR',
    audience: 'jovens adultos que querem sair das dívidas', format: 'long-form', cadence: 2, youtube_id: '', autopilot: false,
  },
  {
    name: 'Night Bus Stories: Urban Legends and Late-Night Folklore From Around the World, Retold',
    niche: 'urban legends, ghost stories and unexplained local mysteries told on the last night bus home',
    language: 'en',
    audience: 'night owls, commuters and insomniacs who like a slow-burning scare, a bit of local history and a story short enough to finish before their stop; mostly 18–34, listening on a phone with one earbud in, often in the small hours',
    format: 'shorts', cadence: 5, youtube_id: '', autopilot: false,
  },
  {
    name: 'Crumb Club', niche: 'home baking', language: 'en', audience: 'busy parents', format: 'long-form', cadence: 3, youtube_id: '', autopilot: false,
  },
];

/** Creates the channels; returns them as stored. */
export async function seedChannels(app, list = CHANNELS) {
  const out = [];
  for (const c of list) out.push(await callApi(app.url, 'CreateChannel', c));
  return out;
}

/** Polls check until it returns something truthy. */
export async function until(check, ms = 30000, every = 200) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met within ' + ms + ' ms');
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Generates a package in Studio's pipeline and waits until it is done. */
export async function generatePackage(app, channelID, topic, withVoice = true) {
  const p = await callApi(app.url, 'StudioCreate', channelID, topic, withVoice);
  await until(async () => !(await callApi(app.url, 'StudioRunning')).includes(p.id), 180000, 500);
  return callApi(app.url, 'GetPackage', p.id);
}
