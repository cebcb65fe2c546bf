// sdk-header.mjs connects to skillgate with the official TypeScript SDK's
// streamable HTTP transport and a static Authorization header (an API key
// as the bearer token, no OAuth), lists the tools and calls list_skills.
//
// Environment:
//   SKILLGATE_URL   base URL of skillgate
//   SKILLGATE_KEY   API key sent as "Authorization: Bearer <key>"
//
// The last line of stdout is one JSON object with the results.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

function requireEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`environment variable ${name} is required`);
  }
  return v;
}

const results = {};

async function main() {
  const base = requireEnv('SKILLGATE_URL').replace(/\/+$/, '');
  const key = requireEnv('SKILLGATE_KEY');
  const transport = new StreamableHTTPClientTransport(new URL(base + '/mcp'), {
    requestInit: { headers: { Authorization: 'Bearer ' + key } },
  });
  const client = new Client({ name: 'skillgate-interop-sdk-header', version: '1.0.0' });
  await client.connect(transport);
  results.server = client.getServerVersion()?.name ?? null;
  results.session = transport.sessionId ?? null;
  const listed = await client.listTools();
  results.tools = listed.tools.map((t) => t.name).sort();
  const skills = await client.callTool({ name: 'list_skills', arguments: {} });
  results.list_skills_is_error = Boolean(skills.isError);
  results.list_skills_text = (skills.content?.[0]?.text ?? '').slice(0, 200);
  await client.close();
}

try {
  await main();
  process.stdout.write(JSON.stringify(results) + '\n');
} catch (err) {
  process.stderr.write(`FAILED: ${err?.stack || err}\n`);
  process.stdout.write(JSON.stringify({ ...results, error: String(err?.message || err) }) + '\n');
  process.exitCode = 1;
}
// A keep-alive socket left open must not keep node running.
process.exit();
