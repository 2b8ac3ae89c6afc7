// Ready-to-paste client settings for a freshly minted MCP URL: Claude Desktop
// (through mcp-remote), ChatGPT's connector form, Cursor and the MCP
// Inspector. With require_api_token_auth the clients must also send
// "Authorization: Bearer <API token>".

export interface Snippet {
  id: 'claude' | 'chatgpt' | 'cursor' | 'inspector';
  title: string;
  where: string;
  text: string;
  notes: string[];
}

export interface SnippetOptions {
  serverName: string;
  requireApiToken: boolean;
  // The mcp_client API token when one was just minted; a placeholder otherwise.
  apiToken?: string;
}

export const TOKEN_PLACEHOLDER = '<MCP client API token>';

// A config key clients accept: "caspio" or "caspio-<name>".
export function serverKey(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  if (!slug) return 'caspio';
  return slug.startsWith('caspio') ? slug : `caspio-${slug}`;
}

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function clientSnippets(url: string, options: SnippetOptions): Snippet[] {
  const key = serverKey(options.serverName);
  const token = options.apiToken || TOKEN_PLACEHOLDER;
  const auth = options.requireApiToken;

  const claudeServer: Record<string, unknown> = { command: 'npx', args: ['-y', 'mcp-remote', url] };
  if (auth) {
    // mcp-remote's README: no spaces inside args (Windows), so the header value comes from env.
    (claudeServer.args as string[]).push('--header', 'Authorization:${CASPIO_MCP_AUTH}');
    claudeServer.env = { CASPIO_MCP_AUTH: `Bearer ${token}` };
  }
  const cursorServer: Record<string, unknown> = { url };
  if (auth) cursorServer.headers = { Authorization: `Bearer ${token}` };

  const chatgptNotes = ['Needs ChatGPT developer mode (Settings → Apps & Connectors → Advanced settings).'];
  if (isLoopbackUrl(url)) {
    chatgptNotes.push('ChatGPT connects from OpenAI\'s servers: publish the edge over HTTPS first and use that URL (docs/quickstart.md).');
  }
  if (auth) {
    chatgptNotes.push('ChatGPT connectors offer OAuth or no authentication, not a static API token: use a server without "require API token" for ChatGPT.');
  }

  const inspectorHeader = auth ? ` \\\n    --header "Authorization: Bearer ${token}"` : '';
  return [
    {
      id: 'claude',
      title: 'Claude Desktop',
      where: 'claude_desktop_config.json (Settings → Developer → Edit Config), then restart Claude Desktop',
      text: json({ mcpServers: { [key]: claudeServer } }),
      notes: ['mcp-remote needs Node.js 18 or later on the machine running Claude Desktop.'],
    },
    {
      id: 'chatgpt',
      title: 'ChatGPT',
      where: 'Settings → Apps & Connectors → Create (custom connector)',
      text: [`Name:            Caspio (${options.serverName})`, `MCP Server URL:  ${url}`, `Authentication:  No authentication`].join('\n'),
      notes: chatgptNotes,
    },
    {
      id: 'cursor',
      title: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      text: json({ mcpServers: { [key]: cursorServer } }),
      notes: [],
    },
    {
      id: 'inspector',
      title: 'MCP Inspector',
      where: 'a terminal with Node.js 22.19 or later',
      text: `npx @modelcontextprotocol/inspector --cli ${url} \\\n    --method tools/list${inspectorHeader}`,
      notes: ['Without --cli the Inspector opens its web UI: choose "Streamable HTTP" and paste the URL.'],
    },
  ];
}
