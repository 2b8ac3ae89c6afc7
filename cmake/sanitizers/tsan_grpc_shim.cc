// Linked into every executable of a TSan build (-DCMCP_SANITIZE=thread) only,
// next to tsan_absl_shim.cc and built the same way.
//
// gRPC's completion queue contract: whatever a thread did before handing gRPC
// a tag (starting a batch of operations, asking for the next incoming call,
// watching a channel's state) happens before the thread that gets that tag
// back from the queue (Next or Pluck) carries on. Debian's gRPC core is not
// instrumented and passes the tag between its threads through lock-free
// queues, so TSan cannot see that order: gRPC's own inline C++ code (the
// CallOpSets, interceptor state and byte buffers of a call, compiled into our
// binaries from its headers) writes a call's state on one thread and reads or
// destroys it on the thread that runs the completion, and every such pair
// looked like a race. This file interposes the C API functions that take a
// tag and those that hand one back (calls from libgrpc++ and from our code
// reach libgrpc through the PLT, so -rdynamic makes these definitions win),
// forwards to the real ones found with dlsym(RTLD_NEXT), and tells TSan about
// the edge: a release on the tag before it goes in, an acquire on it when it
// comes out. Core's own grpc_cq_end_op, which puts a finished tag on a queue,
// releases too (libgrpc calls it through its PLT): the thread that finished
// the work, not only the one that started it, happens before the consumer.
// That also covers tags core makes itself, as for a callback server's incoming
// calls, which it allocates through gRPC C++'s allocator on its own thread.
//
// Slices with a destroy function of their own (grpc_slice_new_with_user_data;
// toolgen answers from its catalog's bytes that way, without a copy) follow the
// same pattern: gRPC runs the destroy function after the slice's last reference
// goes, counted in core with atomics TSan does not see, so it looked as if the
// owner were freed while another thread still read the bytes (an in-process
// channel hands the very slice to the client). Dropping a reference through the
// API (grpc_slice_unref, grpc_byte_buffer_destroy) releases on the slice's
// refcount; the destroy function is wrapped to acquire it first.
// Nothing here runs in a normal build.
#include <dlfcn.h>
#include <grpc/byte_buffer.h>
#include <grpc/grpc.h>
#include <grpc/slice.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"

// Core's internal completion entry point (src/core/lib/surface/completion_queue.h
// in gRPC 1.51); declared here with its exact signature so that it mangles to
// the name libgrpc exports.
struct grpc_cq_completion;
void grpc_cq_end_op(grpc_completion_queue* cq, void* tag, absl::Status error,
                    void (*done)(void* done_arg, grpc_cq_completion* storage), void* done_arg,
                    grpc_cq_completion* storage, bool internal);

namespace {

template <typename Fn>
Fn Real(const char* name) {
  void* f = dlsym(RTLD_NEXT, name);
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_grpc_shim: %s not found: %s\n", name, dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(f);
}

#define CMCP_STR2(x) #x
#define CMCP_STR(x) CMCP_STR2(x)

// grpc_cq_end_op's mangled name, with Abseil's inline namespace in it. A
// different gRPC or Abseil release fails loudly at the first call.
std::string EndOpName() {
  const std::string ns = CMCP_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  return "_Z14grpc_cq_end_opP21grpc_completion_queuePvN4absl" + std::to_string(ns.size()) + ns +
         "6StatusEPFvS1_P18grpc_cq_completionES1_S6_b";
}

// A destroy function and its argument, wrapped (grpc_slice_new_with_user_data).
struct UserSlice {
  void (*destroy)(void*);
  void* user_data;
  std::atomic<grpc_slice_refcount*> refcount{nullptr};  // read before the acquire
};

void DestroyUserSlice(void* arg) {
  auto* slice = static_cast<UserSlice*>(arg);
  if (grpc_slice_refcount* refcount = slice->refcount.load(std::memory_order_relaxed)) __tsan_acquire(refcount);
  slice->destroy(slice->user_data);
  delete slice;
}

void ReleaseSlice(const grpc_slice& slice) {
  if (slice.refcount != nullptr) __tsan_release(slice.refcount);
}

grpc_event Delivered(grpc_event event) {
  if (event.type == GRPC_OP_COMPLETE && event.tag != nullptr) __tsan_acquire(event.tag);
  return event;
}

}  // namespace

void grpc_cq_end_op(grpc_completion_queue* cq, void* tag, absl::Status error,
                    void (*done)(void* done_arg, grpc_cq_completion* storage), void* done_arg,
                    grpc_cq_completion* storage, bool internal) {
  using EndOp = void (*)(grpc_completion_queue*, void*, absl::Status, void (*)(void*, grpc_cq_completion*), void*,
                         grpc_cq_completion*, bool);
  static auto real = Real<EndOp>(EndOpName().c_str());
  if (tag != nullptr) __tsan_release(tag);
  real(cq, tag, std::move(error), done, done_arg, storage, internal);
}

extern "C" {

grpc_call_error grpc_call_start_batch(grpc_call* call, const grpc_op* ops, size_t nops, void* tag,
                                      void* reserved) {
  static auto real = Real<grpc_call_error (*)(grpc_call*, const grpc_op*, size_t, void*, void*)>(
      "grpc_call_start_batch");
  if (tag != nullptr) __tsan_release(tag);
  return real(call, ops, nops, tag, reserved);
}

grpc_call_error grpc_server_request_call(grpc_server* server, grpc_call** call, grpc_call_details* details,
                                         grpc_metadata_array* request_metadata,
                                         grpc_completion_queue* cq_bound_to_call,
                                         grpc_completion_queue* cq_for_notification, void* tag_new) {
  static auto real =
      Real<grpc_call_error (*)(grpc_server*, grpc_call**, grpc_call_details*, grpc_metadata_array*,
                               grpc_completion_queue*, grpc_completion_queue*, void*)>("grpc_server_request_call");
  if (tag_new != nullptr) __tsan_release(tag_new);
  return real(server, call, details, request_metadata, cq_bound_to_call, cq_for_notification, tag_new);
}

grpc_call_error grpc_server_request_registered_call(grpc_server* server, void* registered_method, grpc_call** call,
                                                    gpr_timespec* deadline, grpc_metadata_array* request_metadata,
                                                    grpc_byte_buffer** optional_payload,
                                                    grpc_completion_queue* cq_bound_to_call,
                                                    grpc_completion_queue* cq_for_notification, void* tag_new) {
  static auto real = Real<grpc_call_error (*)(grpc_server*, void*, grpc_call**, gpr_timespec*, grpc_metadata_array*,
                                              grpc_byte_buffer**, grpc_completion_queue*, grpc_completion_queue*,
                                              void*)>("grpc_server_request_registered_call");
  if (tag_new != nullptr) __tsan_release(tag_new);
  return real(server, registered_method, call, deadline, request_metadata, optional_payload, cq_bound_to_call,
              cq_for_notification, tag_new);
}

void grpc_channel_watch_connectivity_state(grpc_channel* channel, grpc_connectivity_state last_observed_state,
                                           gpr_timespec deadline, grpc_completion_queue* cq, void* tag) {
  static auto real =
      Real<void (*)(grpc_channel*, grpc_connectivity_state, gpr_timespec, grpc_completion_queue*, void*)>(
          "grpc_channel_watch_connectivity_state");
  if (tag != nullptr) __tsan_release(tag);
  real(channel, last_observed_state, deadline, cq, tag);
}

void grpc_server_shutdown_and_notify(grpc_server* server, grpc_completion_queue* cq, void* tag) {
  static auto real =
      Real<void (*)(grpc_server*, grpc_completion_queue*, void*)>("grpc_server_shutdown_and_notify");
  if (tag != nullptr) __tsan_release(tag);
  real(server, cq, tag);
}

grpc_slice grpc_slice_new_with_user_data(void* p, size_t len, void (*destroy)(void*), void* user_data) {
  static auto real =
      Real<grpc_slice (*)(void*, size_t, void (*)(void*), void*)>("grpc_slice_new_with_user_data");
  auto* wrapped = new UserSlice{destroy, user_data};
  grpc_slice slice = real(p, len, &DestroyUserSlice, wrapped);
  wrapped->refcount.store(slice.refcount, std::memory_order_relaxed);
  ReleaseSlice(slice);  // what this thread did to the bytes and to `wrapped`
  return slice;
}

void grpc_slice_unref(grpc_slice slice) {
  static auto real = Real<void (*)(grpc_slice)>("grpc_slice_unref");
  ReleaseSlice(slice);
  real(slice);
}

void grpc_byte_buffer_destroy(grpc_byte_buffer* buffer) {
  static auto real = Real<void (*)(grpc_byte_buffer*)>("grpc_byte_buffer_destroy");
  if (buffer != nullptr && buffer->type == GRPC_BB_RAW) {
    const grpc_slice_buffer& slices = buffer->data.raw.slice_buffer;
    for (size_t i = 0; i < slices.count; ++i) ReleaseSlice(slices.slices[i]);
  }
  real(buffer);
}

grpc_event grpc_completion_queue_next(grpc_completion_queue* cq, gpr_timespec deadline, void* reserved) {
  static auto real =
      Real<grpc_event (*)(grpc_completion_queue*, gpr_timespec, void*)>("grpc_completion_queue_next");
  return Delivered(real(cq, deadline, reserved));
}

grpc_event grpc_completion_queue_pluck(grpc_completion_queue* cq, void* tag, gpr_timespec deadline,
                                       void* reserved) {
  static auto real =
      Real<grpc_event (*)(grpc_completion_queue*, void*, gpr_timespec, void*)>("grpc_completion_queue_pluck");
  return Delivered(real(cq, tag, deadline, reserved));
}

}  // extern "C"
