#include "cli/output.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/duration.h"

namespace cmcp::cli {
namespace {

std::string Indent(const std::string& text, const std::string& prefix) {
  return absl::StrCat(prefix, absl::StrReplaceAll(text, {{"\n", absl::StrCat("\n", prefix)}}));
}

bool IsLoopback(const std::string& url) {
  for (const char* host : {"://127.", "://localhost", "://[::1]"}) {
    if (absl::StrContains(url, host)) return true;
  }
  return false;
}

}  // namespace

std::string Table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      absl::StrAppend(&out, cell);
      if (c + 1 < width.size()) out.append(width[c] - cell.size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return absl::StrCat(out, "\n");
  };
  std::string out = line(header);
  for (const auto& row : rows) absl::StrAppend(&out, line(row));
  return out;
}

std::string JoinOr(const Json& list, const std::string& when_empty) {
  std::vector<std::string> items;
  if (list.is_array()) {
    for (const Json& v : list) {
      if (v.is_string()) items.push_back(v.get<std::string>());
    }
  }
  return items.empty() ? when_empty : absl::StrJoin(items, ", ");
}

std::string ExpiryText(const Json& expires_at, absl::Time now) {
  if (!expires_at.is_string()) return "never";
  const std::string text = expires_at.get<std::string>();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return text;
  return absl::StrCat(text, " (", Relative(t, now), ")");
}

std::string ServerKey(const std::string& name) {
  std::string slug;
  for (char ch : name) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      slug.push_back(static_cast<char>(std::tolower(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
    if (slug.size() >= 40) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) return "caspio";
  return absl::StartsWith(slug, "caspio") ? slug : absl::StrCat("caspio-", slug);
}

std::string ClientSnippets(const std::string& url, const std::string& server_name, bool require_api_token) {
  const std::string key = ServerKey(server_name);
  constexpr char kToken[] = "<MCP client API token>";
  Json claude_server = {{"command", "npx"}, {"args", {"-y", "mcp-remote", url}}};
  Json cursor_server = {{"url", url}};
  if (require_api_token) {
    // mcp-remote's README: keep spaces out of args (Windows); the value comes from env.
    claude_server["args"].push_back("--header");
    claude_server["args"].push_back("Authorization:${CASPIO_MCP_AUTH}");
    claude_server["env"] = {{"CASPIO_MCP_AUTH", absl::StrCat("Bearer ", kToken)}};
    cursor_server["headers"] = {{"Authorization", absl::StrCat("Bearer ", kToken)}};
  }
  const Json claude = {{"mcpServers", {{key, claude_server}}}};
  const Json cursor = {{"mcpServers", {{key, cursor_server}}}};

  std::string out;
  absl::StrAppend(&out, "Claude Desktop (claude_desktop_config.json; Settings -> Developer -> Edit Config; needs Node.js):\n",
                  Indent(claude.dump(2), "  "), "\n\n");
  absl::StrAppend(&out, "ChatGPT (Settings -> Apps & Connectors -> Create; developer mode):\n",
                  "  Name:            Caspio (", server_name, ")\n",
                  "  MCP Server URL:  ", url, "\n",
                  "  Authentication:  No authentication\n");
  if (IsLoopback(url)) {
    absl::StrAppend(&out, "  (ChatGPT connects from OpenAI's servers: publish the edge over HTTPS first; docs/quickstart.md)\n");
  }
  if (require_api_token) {
    absl::StrAppend(&out, "  (ChatGPT sends no static API token: use a server without --require-api-token for ChatGPT)\n");
  }
  absl::StrAppend(&out, "\nCursor (~/.cursor/mcp.json):\n", Indent(cursor.dump(2), "  "), "\n\n");
  absl::StrAppend(&out, "MCP Inspector (Node.js >= 22.19):\n  npx @modelcontextprotocol/inspector --cli ", url,
                  " --method tools/list");
  if (require_api_token) absl::StrAppend(&out, " \\\n      --header \"Authorization: Bearer ", kToken, "\"");
  absl::StrAppend(&out, "\n");
  if (require_api_token) {
    absl::StrAppend(&out, "\nThis server requires an API token: mint one with\n",
                    "  caspio-mcp api-tokens create --name \"", server_name, " client\" --account <account id>\n",
                    "and put it where the snippets say ", kToken, ".\n");
  }
  return out;
}

std::string FormatApiError(const ApiError& error) {
  std::string out = absl::StrCat("error: ", error.message, "\n");
  if (!error.field.empty()) absl::StrAppend(&out, "  field: ", error.field, "\n");
  if (!error.hint.empty()) absl::StrAppend(&out, "  hint:  ", error.hint, "\n");
  absl::StrAppend(&out, "  (HTTP ", error.http_status, " ", error.code);
  if (!error.request_id.empty()) absl::StrAppend(&out, ", request ", error.request_id);
  absl::StrAppend(&out, ")\n");
  return out;
}

}  // namespace cmcp::cli
