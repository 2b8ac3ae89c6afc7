#include "common/http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cmcp {
namespace {

namespace fs = std::filesystem;

HttpResponse NotFound() {
  return HttpResponse::Json(404, R"({"error":{"code":"not_found","message":"no such file"}})");
}

void AddSecurityHeaders(HttpResponse& r) {
  r.headers.Add("X-Content-Type-Options", "nosniff");
  r.headers.Add("X-Frame-Options", "DENY");
  r.headers.Add("Referrer-Policy", "no-referrer");
  r.headers.Add("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

}  // namespace

std::string ContentTypeFor(absl::string_view path) {
  const size_t dot = path.rfind('.');
  const std::string ext = dot == absl::string_view::npos ? "" : absl::AsciiStrToLower(path.substr(dot + 1));
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticFiles::StaticFiles(StaticFilesSettings settings) : settings_(std::move(settings)) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(settings_.root, ec);
  canonical_root_ = ec ? settings_.root : canonical.string();
}

std::optional<HttpResponse> StaticFiles::Serve(const HttpRequest& request) const {
  absl::string_view path = request.path;
  if (!absl::ConsumePrefix(&path, settings_.url_prefix)) return std::nullopt;
  if (!path.empty() && path.front() != '/') return std::nullopt;  // "/consoleX" is not ours
  if (settings_.exact && !path.empty()) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = HttpResponse::Json(405, R"({"error":{"code":"method_not_allowed","message":"GET only"}})");
    r.headers.Add("Allow", "GET, HEAD");
    return r;
  }
  auto decoded = PercentDecode(path, false);
  if (!decoded.ok()) return NotFound();
  std::string relative = std::string(absl::StripPrefix(*decoded, "/"));
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos) return NotFound();
  for (absl::string_view segment : absl::StrSplit(relative, '/')) {
    if (segment == ".." || segment == ".") return NotFound();
  }
  if (relative.empty() || absl::EndsWith(relative, "/")) relative += settings_.index_file;
  fs::path file = fs::path(canonical_root_) / relative;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) && settings_.spa_fallback && fs::path(relative).extension().empty()) {
    file = fs::path(canonical_root_) / settings_.index_file;
  }
  // Symlinks must not lead outside the root.
  const fs::path real = fs::weakly_canonical(file, ec);
  if (ec || !absl::StartsWith(real.string(), canonical_root_ + "/") || !fs::is_regular_file(real, ec)) return NotFound();
  if (fs::file_size(real, ec) > settings_.max_file_bytes) return NotFound();
  std::ifstream in(real, std::ios::binary);
  if (!in) return NotFound();
  std::stringstream buffer;
  buffer << in.rdbuf();
  HttpResponse r;
  r.headers.Add("Content-Type", ContentTypeFor(real.string()));
  // Built assets carry content hashes in their names; index.html must not be cached.
  r.headers.Add("Cache-Control", absl::EndsWith(real.string(), ".html") ? "no-store" : "public, max-age=3600");
  AddSecurityHeaders(r);
  if (request.method == "GET") r.body = buffer.str();
  return r;
}

}  // namespace cmcp
