// grpc_proxy_load: drives ProxyService.CallTool directly over gRPC, the way
// edge calls it, so bench/run.sh can tell the edge's share of a tool call's
// latency from the rest (the call through edge minus this).
//
//   grpc_proxy_load --proxy HOST:PORT --toolgen HOST:PORT --account ID --tool NAME
//                   --arguments JSON [--connections 64] [--pace-ms 200] [--duration 10] [--warmup 2]
//
// Each of `connections` threads sends a call, waits for its answer, pauses,
// and repeats, over one shared channel (as edge has one channel to proxy).
// Pauses are drawn uniformly from 0.5 to 1.5 times pace-ms, as in
// bench/wrk/mcp.lua, so the threads do not send in step. Prints one line: GRPC_JSON {"requests","ok","p50_us","p99_us",…}.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "caspio_mcp/proxy/v1/proxy_service.grpc.pb.h"
#include "caspio_mcp/toolgen/v1/toolgen_service.grpc.pb.h"

namespace {

struct Options {
  std::string proxy;
  std::string toolgen;
  std::string account;
  std::string tool;
  std::string arguments = "{}";
  int connections = 64;
  int pace_ms = 200;
  int duration_s = 10;
  int warmup_s = 2;
};

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    bool ok = true;
    if (flag == "--proxy") o->proxy = value;
    else if (flag == "--toolgen") o->toolgen = value;
    else if (flag == "--account") o->account = value;
    else if (flag == "--tool") o->tool = value;
    else if (flag == "--arguments") o->arguments = value;
    else if (flag == "--connections") ok = absl::SimpleAtoi(value, &o->connections);
    else if (flag == "--pace-ms") ok = absl::SimpleAtoi(value, &o->pace_ms);
    else if (flag == "--duration") ok = absl::SimpleAtoi(value, &o->duration_s);
    else if (flag == "--warmup") ok = absl::SimpleAtoi(value, &o->warmup_s);
    else ok = false;
    if (!ok) {
      std::fprintf(stderr, "grpc_proxy_load: bad flag or value: %s %s\n", flag.c_str(), value.c_str());
      return false;
    }
  }
  if (o->proxy.empty() || o->toolgen.empty() || o->account.empty() || o->tool.empty() || o->connections < 1) {
    std::fprintf(stderr, "grpc_proxy_load: --proxy, --toolgen, --account and --tool are required\n");
    return false;
  }
  return true;
}

int64_t Percentile(std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, &o)) return 2;

  auto toolgen = caspio_mcp::toolgen::v1::ToolgenService::NewStub(
      grpc::CreateChannel(o.toolgen, grpc::InsecureChannelCredentials()));
  caspio_mcp::toolgen::v1::GetToolRequest get;
  get.set_name(o.tool);
  caspio_mcp::toolgen::v1::Tool tool;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = toolgen->GetTool(&context, get, &tool);
    if (!s.ok()) {
      std::fprintf(stderr, "grpc_proxy_load: GetTool %s: %s\n", o.tool.c_str(), s.error_message().c_str());
      return 1;
    }
  }

  auto proxy = caspio_mcp::proxy::v1::ProxyService::NewStub(
      grpc::CreateChannel(o.proxy, grpc::InsecureChannelCredentials()));
  const absl::Time start = absl::Now();
  const absl::Time measure_from = start + absl::Seconds(o.warmup_s);
  const absl::Time measure_until = measure_from + absl::Seconds(o.duration_s);
  absl::Mutex mu;
  std::vector<int64_t> latencies_us;
  int64_t ok = 0;
  int64_t failed = 0;
  std::atomic<bool> announced{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      caspio_mcp::proxy::v1::CallToolRequest request;
      request.set_account_id(o.account);
      request.set_mcp_server_id("bench");
      *request.mutable_tool() = tool;
      request.set_arguments_json(o.arguments);
      std::mt19937 rng(static_cast<unsigned>(t) + 1);
      std::uniform_real_distribution<double> factor(0.5, 1.5);
      int n = 0;
      while (true) {
        const absl::Time sent = absl::Now();
        if (sent >= measure_until) break;
        if (sent >= measure_from && !announced.exchange(true)) std::printf("MEASURING\n"), std::fflush(stdout);
        request.set_request_id(absl::StrCat("bench-", t, "-", n++));
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        caspio_mcp::proxy::v1::CallToolResponse response;
        grpc::Status s = proxy->CallTool(&context, request, &response);
        const absl::Time answered = absl::Now();
        if (sent >= measure_from && answered <= measure_until) {
          absl::MutexLock lock(&mu);
          latencies_us.push_back(absl::ToInt64Microseconds(answered - sent));
          if (s.ok() && !response.is_error()) ++ok;
          else ++failed;
        }
        if (o.pace_ms > 0) absl::SleepFor(absl::Milliseconds(o.pace_ms * factor(rng)));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::printf("MEASURED\n");
  std::sort(latencies_us.begin(), latencies_us.end());
  std::printf("GRPC_JSON {\"requests\":%zu,\"duration_us\":%lld,\"ok\":%lld,\"failed\":%lld,\"p50_us\":%lld,"
              "\"p90_us\":%lld,\"p99_us\":%lld,\"max_us\":%lld}\n",
              latencies_us.size(), static_cast<long long>(o.duration_s) * 1000000, static_cast<long long>(ok),
              static_cast<long long>(failed), static_cast<long long>(Percentile(latencies_us, 0.5)),
              static_cast<long long>(Percentile(latencies_us, 0.9)),
              static_cast<long long>(Percentile(latencies_us, 0.99)),
              static_cast<long long>(latencies_us.empty() ? 0 : latencies_us.back()));
  return failed > 0 && ok == 0 ? 1 : 0;
}
