// File: beast_request.h
// The one conversion from a request Beast parsed to our HttpRequest (method,
// target split into path and query, headers, body). HttpServer uses it for
// every request; fuzz/fuzz_edge_http.cc uses it so the fuzzer feeds the edge
// exactly what the server would.
#pragma once

#include <boost/beast/http.hpp>

#include "common/http/http_types.h"

namespace cmcp {

// Moves the body out of `req`; remote_address is left for the caller.
HttpRequest FromBeastRequest(boost::beast::http::request<boost::beast::http::string_body>&& req);

}  // namespace cmcp
