// Linked into every executable of a TSan build (-DCMCP_SANITIZE=thread) only.
//
// Debian's Abseil is not built with -fsanitize=thread, so ThreadSanitizer
// cannot see that absl::Mutex, absl::CondVar and absl::Notification order
// memory: every access guarded by them would be reported as a race. This
// file interposes the out-of-line entry points of those classes (the
// executable's definitions win over libabsl_synchronization.so's; the build
// exports them with -rdynamic so Abseil's and gRPC's own calls land here too),
// forwards to the real ones found with dlsym(RTLD_NEXT), and tells TSan about
// the happens-before edges they create: a release before giving a mutex up,
// an acquire after getting it, and the same for Notify / WaitForNotification.
// It does not model mutual exclusion itself, which TSan does not need to
// find races. Nothing here runs in a normal build.
//
// A Condition (Await, LockWhen, ...) is evaluated inside Abseil with the
// mutex held, but not only where the shim sees the mutex as held: the
// waiting thread evaluates it after the shim has announced the release that
// Await implies, and an unlocking thread evaluates the conditions of the
// queued waiters inside Unlock, after the shim's release. So every Condition
// handed to Abseil is wrapped (UnderLock below): its evaluation is an acquire
// of the mutex before and a release after, which is what holding the lock
// for that moment means to TSan.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

#define CMCP_STR2(x) #x
#define CMCP_STR(x) CMCP_STR2(x)

// The real function `rest` of Abseil's inline namespace, by mangled name:
// _ZN[K]4absl<len><namespace><rest>, e.g. _ZN4absl7debian35Mutex4LockEv.
// A different Abseil release fails loudly at the first call, not silently.
template <typename Fn>
Fn Real(bool is_const, const char* rest) {
  const std::string ns = CMCP_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string mangled =
      std::string(is_const ? "_ZNK" : "_ZN") + "4absl" + std::to_string(ns.size()) + ns + rest;
  void* f = dlsym(RTLD_NEXT, mangled.c_str());
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_absl_shim: %s not found: %s\n", mangled.c_str(), dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(f);
}

// The address TSan syncs on for a Notification: its notified_yet_ flag,
// which the inline HasBeenNotified() reads with an (instrumented) acquire.
void* NotifiedFlag(const absl::Notification* n) {
  static_assert(sizeof(absl::Notification) == sizeof(absl::Mutex) + sizeof(std::atomic<bool>) + 7,
                "absl::Notification layout changed: update tsan_absl_shim.cc");
  return const_cast<char*>(reinterpret_cast<const char*>(n) + sizeof(absl::Mutex));
}

// A caller's Condition, evaluated as if the mutex were taken for it.
// Abseil keeps the Condition only for the call it was passed to (the waiter
// stays in that call until it returns), so one on the stack of the shim's
// entry point lives long enough.
class UnderLock {
 public:
  UnderLock(absl::Mutex* mu, const absl::Condition& cond) : mu_(mu), cond_(&cond) {}
  absl::Condition condition() { return absl::Condition(&UnderLock::Eval, this); }

 private:
  static bool Eval(UnderLock* self) {
    __tsan_acquire(self->mu_);
    const bool result = self->cond_->Eval();
    __tsan_release(self->mu_);
    return result;
  }

  absl::Mutex* mu_;
  const absl::Condition* cond_;
};

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::Unlock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

bool Mutex::TryLock() {
  static auto real = Real<bool (*)(Mutex*)>(false, "5Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::ReaderLock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderUnlock() {
  static auto real = Real<void (*)(Mutex*)>(false, "5Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}

bool Mutex::ReaderTryLock() {
  static auto real = Real<bool (*)(Mutex*)>(false, "5Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::LockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(false, "5Mutex8LockWhenERKNS0_9ConditionE");
  UnderLock under(this, cond);
  real(this, under.condition());
  __tsan_acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(false, "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  UnderLock under(this, cond);
  real(this, under.condition());
  __tsan_acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      false, "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  UnderLock under(this, cond);
  const bool r = real(this, under.condition(), timeout);
  __tsan_acquire(this);  // held either way
  return r;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      false, "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  UnderLock under(this, cond);
  const bool r = real(this, under.condition(), deadline);
  __tsan_acquire(this);
  return r;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      false, "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  UnderLock under(this, cond);
  const bool r = real(this, under.condition(), timeout);
  __tsan_acquire(this);
  return r;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      false, "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  UnderLock under(this, cond);
  const bool r = real(this, under.condition(), deadline);
  __tsan_acquire(this);
  return r;
}

void Mutex::Await(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(false, "5Mutex5AwaitERKNS0_9ConditionE");
  UnderLock under(this, cond);
  __tsan_release(this);
  real(this, under.condition());
  __tsan_acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      false, "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  UnderLock under(this, cond);
  __tsan_release(this);
  const bool r = real(this, under.condition(), timeout);
  __tsan_acquire(this);
  return r;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      false, "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  UnderLock under(this, cond);
  __tsan_release(this);
  const bool r = real(this, under.condition(), deadline);
  __tsan_acquire(this);
  return r;
}

void CondVar::Wait(Mutex* mu) {
  static auto real = Real<void (*)(CondVar*, Mutex*)>(false, "7CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      false, "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool r = real(this, mu, timeout);
  __tsan_acquire(mu);
  return r;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static auto real = Real<bool (*)(CondVar*, Mutex*, absl::Time)>(
      false, "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool r = real(this, mu, deadline);
  __tsan_acquire(mu);
  return r;
}

void Notification::Notify() {
  static auto real = Real<void (*)(Notification*)>(false, "12Notification6NotifyEv");
  __tsan_release(NotifiedFlag(this));
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real =
      Real<void (*)(const Notification*)>(true, "12Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(NotifiedFlag(this));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  static auto real = Real<bool (*)(const Notification*, absl::Duration)>(
      true, "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool r = real(this, timeout);
  if (r) __tsan_acquire(NotifiedFlag(this));
  return r;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  static auto real = Real<bool (*)(const Notification*, absl::Time)>(
      true, "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool r = real(this, deadline);
  if (r) __tsan_acquire(NotifiedFlag(this));
  return r;
}

ABSL_NAMESPACE_END
}  // namespace absl
