// ListTools throughput, in-process (issue 4: >= 50,000 calls/s). The full
// catalog is built from integrations/caspio once; each iteration then does
// exactly what the raw gRPC handler does for one call (AnswerListTools: parse
// the request bytes, snapshot the catalog in service, answer the memoized
// pre-serialized ListToolsResponse as a zero-copy ByteBuffer). For contrast:
// paging (a copied slice), GetTool, the naive path (copy the Tool messages
// into a response and serialize it per call), and a whole call through an
// in-process gRPC channel with the typed client stub (client parsing included).
//   build/bench/toolgen_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <mutex>

#include <cstdlib>
#include <iostream>

#include "services/toolgen/toolgen_service.h"

namespace cmcp::toolgen {
namespace {

namespace pb = ::caspio_mcp::toolgen::v1;

CatalogHolder& Catalogs() {
  static CatalogHolder* holder = [] {
    auto catalog = LoadCatalog(std::string(CMCP_SOURCE_DIR) + "/integrations/caspio");
    if (!catalog.ok()) {
      std::cerr << catalog.status() << "\n";
      std::abort();
    }
    return new CatalogHolder(std::shared_ptr<const ToolCatalog>(*std::move(catalog)));
  }();
  return *holder;
}

grpc::ByteBuffer Bytes(const google::protobuf::Message& message) {
  return SharedByteBuffer(std::make_shared<const std::string>(message.SerializeAsString()));
}

void ReportBytes(benchmark::State& state, size_t bytes_per_call) {
  state.counters["calls_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["response_bytes"] = static_cast<double>(bytes_per_call);
}

void RunListTools(benchmark::State& state, const pb::ListToolsRequest& request) {
  CatalogHolder& catalogs = Catalogs();
  const grpc::ByteBuffer raw = Bytes(request);
  size_t size = 0;
  for (auto _ : state) {
    absl::StatusOr<grpc::ByteBuffer> response = AnswerListTools(catalogs, raw);
    if (!response.ok()) state.SkipWithError("ListTools failed");
    size = response->Length();
    benchmark::DoNotOptimize(response);
  }
  ReportBytes(state, size);
}

void BM_ListTools_AllTools(benchmark::State& state) { RunListTools(state, {}); }
BENCHMARK(BM_ListTools_AllTools)->ThreadRange(1, 2)->UseRealTime();

void BM_ListTools_ReadFilter(benchmark::State& state) {
  pb::ListToolsRequest request;
  request.mutable_filter()->add_methods("read");
  RunListTools(state, request);
}
BENCHMARK(BM_ListTools_ReadFilter);

void BM_ListTools_MethodsAndTags(benchmark::State& state) {
  pb::ListToolsRequest request;
  request.mutable_filter()->add_methods("write");
  request.mutable_filter()->add_methods("list");
  request.mutable_filter()->add_tags("tables");
  request.mutable_filter()->add_tags("webhooks");
  RunListTools(state, request);
}
BENCHMARK(BM_ListTools_MethodsAndTags);

void BM_ListTools_Page10(benchmark::State& state) {
  pb::ListToolsRequest request;
  request.set_page_size(10);
  request.set_cursor("30");
  RunListTools(state, request);
}
BENCHMARK(BM_ListTools_Page10);

void BM_GetTool(benchmark::State& state) {
  CatalogHolder& catalogs = Catalogs();
  pb::GetToolRequest request;
  request.set_name("list_all_caspio_records");
  const grpc::ByteBuffer raw = Bytes(request);
  for (auto _ : state) {
    absl::StatusOr<grpc::ByteBuffer> response = AnswerGetTool(catalogs, raw);
    benchmark::DoNotOptimize(response);
  }
  ReportBytes(state, 0);
}
BENCHMARK(BM_GetTool);

// What a handler without pre-serialization would pay per call.
void BM_ListTools_NaiveCopyAndSerialize(benchmark::State& state) {
  const auto catalog = Catalogs().Current();
  size_t size = 0;
  for (auto _ : state) {
    auto tools = catalog->List({});
    pb::ListToolsResponse response;
    for (const Tool* t : *tools) *response.add_tools() = *t;
    response.set_catalog_version(catalog->version());
    std::string bytes = response.SerializeAsString();
    size = bytes.size();
    benchmark::DoNotOptimize(bytes);
  }
  ReportBytes(state, size);
}
BENCHMARK(BM_ListTools_NaiveCopyAndSerialize);

grpc::Server* InProcessServer() {
  static grpc::Server* server = [] {
    static ToolgenServiceImpl* service = new ToolgenServiceImpl(&Catalogs());
    grpc::ServerBuilder builder;
    builder.RegisterService(service);
    builder.SetMaxSendMessageSize(16 << 20);
    return builder.BuildAndStart().release();
  }();
  return server;
}

// One whole RPC through gRPC's in-process transport, bytes in and out (what
// the server and transport cost, without client-side parsing).
void BM_ListTools_InProcessGrpcRawClient(benchmark::State& state) {
  grpc::GenericStub stub(InProcessServer()->InProcessChannel(grpc::ChannelArguments()));
  const grpc::ByteBuffer request = Bytes(pb::ListToolsRequest());
  size_t size = 0;
  for (auto _ : state) {
    grpc::ClientContext context;
    grpc::ByteBuffer response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub.UnaryCall(&context, "/caspio_mcp.toolgen.v1.ToolgenService/ListTools", grpc::StubOptions(), &request,
                   &response, [&](grpc::Status s) {
                     std::lock_guard<std::mutex> lock(mu);
                     status = std::move(s);
                     done = true;
                     cv.notify_one();
                   });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    if (!status.ok()) state.SkipWithError("rpc failed");
    size = response.Length();
  }
  ReportBytes(state, size);
}
BENCHMARK(BM_ListTools_InProcessGrpcRawClient)->UseRealTime();

// The same through the typed stub, as edge calls it (the client parses ~70
// Tool messages per call; that dominates).
void BM_ListTools_InProcessGrpcTypedClient(benchmark::State& state) {
  auto stub = pb::ToolgenService::NewStub(InProcessServer()->InProcessChannel(grpc::ChannelArguments()));
  for (auto _ : state) {
    grpc::ClientContext context;
    pb::ListToolsResponse response;
    if (!stub->ListTools(&context, {}, &response).ok()) state.SkipWithError("rpc failed");
    benchmark::DoNotOptimize(response);
  }
  ReportBytes(state, 0);
}
BENCHMARK(BM_ListTools_InProcessGrpcTypedClient)->UseRealTime();

}  // namespace
}  // namespace cmcp::toolgen

BENCHMARK_MAIN();
