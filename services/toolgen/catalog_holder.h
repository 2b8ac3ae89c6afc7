// File: catalog_holder.h
// The catalog currently in service, swappable at run time. Requests take a
// snapshot (a shared_ptr) and finish on it, so a reload never drops or mixes
// a request; Reload() builds the new catalog off to the side and swaps it in
// only when it is complete and valid. A refused reload keeps the last good
// catalog and remembers why (naming the file and field) for DescribeIntegration.
//
//   CatalogHolder holder(std::move(catalog));
//   std::shared_ptr<const ToolCatalog> catalog = holder.Current();   // per request
//   absl::Status s = holder.Reload("integrations/caspio");            // on SIGHUP
#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/toolgen/tool_catalog.h"

namespace cmcp::toolgen {

// Loads and builds the catalog of one integration directory.
absl::StatusOr<std::unique_ptr<ToolCatalog>> LoadCatalog(const std::string& dir);

class CatalogHolder {
 public:
  explicit CatalogHolder(std::shared_ptr<const ToolCatalog> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const ToolCatalog> Current() const {
    absl::ReaderMutexLock lock(&mu_);
    return current_;
  }

  // Loads `dir`; on success swaps the new catalog in, otherwise keeps the
  // current one and returns (and remembers) the error.
  absl::Status Reload(const std::string& dir);

  // Why the last Reload() was refused; empty after a successful one.
  std::string last_reload_error() const {
    absl::ReaderMutexLock lock(&mu_);
    return last_reload_error_;
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const ToolCatalog> current_ ABSL_GUARDED_BY(mu_);
  std::string last_reload_error_ ABSL_GUARDED_BY(mu_);
  absl::Mutex reload_mu_;  // one reload at a time
};

}  // namespace cmcp::toolgen
