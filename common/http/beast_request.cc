#include "common/http/beast_request.h"

#include <string>
#include <utility>

namespace cmcp {

HttpRequest FromBeastRequest(boost::beast::http::request<boost::beast::http::string_body>&& req) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  const size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) request.query = request.target.substr(q + 1);
  for (const auto& field : req) {
    request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(req.body());
  return request;
}

}  // namespace cmcp
