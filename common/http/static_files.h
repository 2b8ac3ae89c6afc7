// File: static_files.h
// Serves files below one root directory (the operator console's build, the
// OpenAPI document): GET/HEAD only, no path may leave the root (".." segments,
// encoded slashes, NUL and symlinks pointing outside are refused), content
// types by extension, an index.html fallback for single-page-app routes,
// and security headers (CSP, nosniff, no framing).
//
//   StaticFiles console({.root = "console/dist", .url_prefix = "/console", .spa_fallback = true});
//   if (auto r = console.Serve(request)) responder->Respond(*std::move(r));
#pragma once

#include <optional>
#include <string>

#include "common/http/http_types.h"

namespace cmcp {

struct StaticFilesSettings {
  std::string root;
  // Requests under this prefix are served ("/console" serves /console and /console/...).
  std::string url_prefix;
  // Unknown paths without an extension get root/index.html (client-side routes).
  bool spa_fallback = false;
  // The file served for the prefix itself and for directory paths.
  std::string index_file = "index.html";
  // Serve only the prefix path itself (one file, e.g. /openapi.json).
  bool exact = false;
  // Largest file served.
  size_t max_file_bytes = 16 * 1024 * 1024;
};

class StaticFiles {
 public:
  explicit StaticFiles(StaticFilesSettings settings);

  // nullopt when the request is not under url_prefix; otherwise the response
  // (404 for missing files, 405 for other methods).
  std::optional<HttpResponse> Serve(const HttpRequest& request) const;

 private:
  StaticFilesSettings settings_;
  std::string canonical_root_;
};

std::string ContentTypeFor(absl::string_view path);

}  // namespace cmcp
