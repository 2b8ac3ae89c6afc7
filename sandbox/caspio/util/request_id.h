// File: request_id.h
// X-Caspio-Request-ID values: random UUID-formatted ids from a per-thread
// generator seeded from the OS CSPRNG. Ids only need to be unique, not
// secret, and this keeps OpenSSL off the per-request hot path.
#pragma once

#include <string>

namespace cmcp::sandbox {

std::string NewRequestId();

}  // namespace cmcp::sandbox
