// File: status_macros.h
// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr.
// Abseil gained these only in 2026; Debian 12 ships 20220623, so this is the
// small shim examples-to-follow.md recommends.
//
//   absl::StatusOr<Account> Load(...) {
//     CMCP_RETURN_IF_ERROR(Validate(req));
//     CMCP_ASSIGN_OR_RETURN(std::string raw, store_->Get(key));
//     ...
//   }
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CMCP_STATUS_CONCAT_INNER_(a, b) a##b
#define CMCP_STATUS_CONCAT_(a, b) CMCP_STATUS_CONCAT_INNER_(a, b)

#define CMCP_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::absl::Status cmcp_status_ = (expr);          \
    if (!cmcp_status_.ok()) return cmcp_status_;   \
  } while (false)

#define CMCP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()

#define CMCP_ASSIGN_OR_RETURN(lhs, expr) \
  CMCP_ASSIGN_OR_RETURN_IMPL_(CMCP_STATUS_CONCAT_(cmcp_statusor_, __LINE__), lhs, expr)
