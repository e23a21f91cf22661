// Clang thread-safety analysis attributes (-Wthread-safety); no-ops for
// other compilers. See https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
#pragma once

#if defined(__clang__)
#define NQ_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define NQ_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) NQ_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY NQ_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) NQ_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) NQ_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRE(...) NQ_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) NQ_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) NQ_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define REQUIRES(...) NQ_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) NQ_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS NQ_THREAD_ANNOTATION(no_thread_safety_analysis)
