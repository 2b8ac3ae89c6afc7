// File: sandbox_process.h
// Test support: the real caspio-sandbox binary started on port 0 (port file),
// an OAuth token fetched from it, and helpers to call its REST API with that
// token. Stops the process on destruction.
//
//   CMCP_ASSERT_OK_AND_ASSIGN(auto sandbox, SandboxProcess::Start({"--enable-faults"}));
//   auto r = sandbox->Call("GET", "/integrations/rest/v3/tables");
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "tests/testing/child_process.h"

namespace cmcp::sandbox::testing {

class SandboxProcess {
 public:
  static absl::StatusOr<std::unique_ptr<SandboxProcess>> Start(std::vector<std::string> extra_args = {});

  int port() const { return child_->port(); }
  std::string Url(const std::string& path_and_query) const;
  // POST /oauth/token with the default sandbox credentials.
  absl::StatusOr<std::string> FetchToken();
  // A call with "Authorization: Bearer <token>" (fetched once, lazily).
  absl::StatusOr<HttpClientResponse> Call(const std::string& method, const std::string& path_and_query,
                                          const std::string& body = "", Headers headers = {});
  // A call without any Authorization header.
  absl::StatusOr<HttpClientResponse> Raw(const std::string& method, const std::string& path_and_query,
                                         const std::string& body = "", Headers headers = {});
  std::string ReadLog() const { return child_->ReadLog(); }
  std::string token() const { return token_; }

 private:
  cmcp::testing::TempDir dir_;
  std::unique_ptr<cmcp::testing::ChildProcess> child_;
  CurlHttpClient http_;
  std::string token_;
};

// Percent-encodes one query value.
std::string Q(const std::string& value);
// The body parsed as JSON (discarded value when it is not JSON).
nlohmann::json Json(const HttpClientResponse& response);

}  // namespace cmcp::sandbox::testing
