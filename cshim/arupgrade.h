/*
 * arupgrade.h — the C ABI of the ActiveRolesUpgrade engine (ABI version 1).
 *
 * Library: libarupgrade.so (Linux), libarupgrade.dylib (macOS), arupgrade.dll
 * (Windows), built from cshim/ with `go build -buildmode=c-shared`.
 *
 * Model. A request (UTF-8 JSON) starts a job, identified by an int64 handle.
 * The caller pulls the job's events (UTF-8 JSON, one object per call) with
 * aru_next_event until the "outcome" event, which is always the last one,
 * then calls aru_close. aru_cancel asks a running job to stop; its outcome
 * is then "cancelled" (unless it had already finished).
 *
 * Request JSON:
 *   {"operation":"inspect","params":{...},"logFile":"optional path","logLevel":"info"}
 *   logFile: "" or absent = the default log under the user's local
 *   application-data folder; "-" = no log file. logLevel: debug|info|warn.
 *
 * Event JSON (one object; fields of other types are absent; "time" is UTC RFC 3339):
 *   {"type":"progress","time":"…","activity":"…","step":"…","percent":42.5,"rows":12000,
 *    "total":50000,"rowsPerSecond":210000,"etaSeconds":3.2,"completed":true,"exitCode":0}
 *   {"type":"log","time":"…","level":"info","message":"…","fields":{...},"exitCode":0}
 *   {"type":"warning","time":"…","code":"AR-W001","message":"…","exitCode":0}
 *   {"type":"result","time":"…","resultType":"DatabaseInfo","data":{...},"exitCode":0}
 *   {"type":"outcome","time":"…","outcome":"succeeded|failed|cancelled",
 *    "error":{"code":"AR-E002","category":"InvalidData","message":"…","remedy":"…"},
 *    "exitCode":0,"logPath":"…"}
 *   "exitCode" is present on every event but meaningful only on the outcome.
 *   "category" is a PowerShell ErrorCategory name. Exit codes: 0 succeeded,
 *   1 failed, 2 invalid input, 3 preflight refused, 4 not found / cannot
 *   connect, 5 data integrity, 6 not implemented, 130 cancelled.
 *   Diagnostic operations always available: "version" (result VersionInfo)
 *   and "sleep" {"seconds":n} (progress every ~100 ms; cancellable).
 *
 * Strings. Every char* in or out is NUL-terminated UTF-8. Strings the library
 * returns are allocated by the library and must be released with aru_free
 * (never with the caller's free(), CoTaskMemFree, Marshal.FreeHGlobal, …;
 * on Windows the allocators differ). Strings passed in are only read during
 * the call; the caller keeps ownership.
 *
 * Threads. Every function may be called from any thread, concurrently,
 * including on the same handle (e.g. aru_cancel from a Ctrl+C handler while
 * another thread waits in aru_next_event). Each event is delivered once, to
 * one caller.
 *
 * Loading. Load the library once per process and never unload it: a Go
 * runtime cannot be unloaded (golang/go#11100) — FreeLibrary/dlclose may
 * crash the process. In PowerShell, load it by absolute path once per session.
 * Unix hosts with their own signal handlers: when the Go runtime starts (during
 * the load, finished by the first call returns) it adds SA_ONSTACK to every
 * handler it does not take over; .NET's thread-activation handler does not
 * survive that, so module/Interop.cs saves that sigaction before the load and
 * restores it after the first call (aru_version).
 *
 * Handles. Positive, never reused within a process. 0, negative, unknown and
 * closed handles are rejected with ARU_BAD_HANDLE, never a crash. Every
 * handle returned by aru_start must be released with aru_close, or the job
 * (and, while it runs, its goroutine) stays in memory; aru_version's
 * "openJobs" counts the handles not yet closed. A job whose events nobody
 * reads waits at its next non-progress event until they are read or the
 * handle is closed.
 *
 * Secrets. Passwords travel only inside the request's params. The library
 * zeroes its copy of the request after aru_start parses it; the caller should
 * zero its own buffer. Events never contain secrets.
 */
#ifndef ARUPGRADE_H
#define ARUPGRADE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by every function except aru_free. */
#define ARU_OK             0  /* success; for aru_next_event: *out_event_json holds one event */
#define ARU_TIMEOUT        1  /* aru_next_event: no event within timeout_ms; call again */
#define ARU_END            2  /* aru_next_event: the outcome was already delivered; no more events */
#define ARU_BAD_HANDLE    (-1) /* the handle is 0, unknown or already closed */
#define ARU_BAD_REQUEST   (-2) /* aru_start: not JSON or unknown operation; no job was started */
#define ARU_INTERNAL      (-3) /* a panic was recovered inside the library (a bug); see aru_version's "lastPanic" */
#define ARU_NULL_ARGUMENT (-4) /* a required pointer argument was NULL */

#define ARU_ABI_VERSION 1

/*
 * aru_version — describe the library.
 *   out_json (required): receives a library-owned string, free with aru_free:
 *     {"version":"x.y.z","abi":1,"goVersion":"go1.26.8","os":"linux","arch":"amd64",
 *      "openJobs":0,"lastPanic":"…only after an ARU_INTERNAL"}
 *     openJobs = handles started and not yet closed (for leak checks: a
 *     closed handle's job has stopped and its memory is released).
 * Returns ARU_OK, ARU_NULL_ARGUMENT (out_json NULL) or ARU_INTERNAL.
 * On any status but ARU_OK, *out_json is NULL.
 */
int32_t aru_version(char **out_json);

/*
 * aru_start — parse a request and start its job; returns at once.
 *   request_json (required): the request; read during the call only.
 *   out_handle (required): receives the job's handle (> 0) on ARU_OK, 0 otherwise.
 *   out_event_json (optional, may be NULL): written only when the status is
 *     ARU_BAD_REQUEST, with a library-owned string (free with aru_free)
 *     shaped like a failed outcome event:
 *       {"type":"outcome","outcome":"failed","error":{"code":"AR-REQUEST",
 *        "category":"InvalidArgument","message":"…","remedy":"…"},"exitCode":2}
 *     For every other status it is left unchanged: initialise it to NULL.
 * Returns ARU_OK, ARU_BAD_REQUEST (not JSON / unknown operation: no job, no
 * handle), ARU_NULL_ARGUMENT (request_json or out_handle NULL) or ARU_INTERNAL.
 * Invalid params of a known operation are not a bad request: the job starts
 * and ends with a "failed" outcome (usually exit code 2, category InvalidArgument).
 */
int32_t aru_start(const char *request_json, int64_t *out_handle, char **out_event_json);

/*
 * aru_next_event — take the job's next event.
 *   handle: from aru_start.
 *   timeout_ms: 0 = do not wait (an event already queued is still returned);
 *     > 0 = wait at most that long; < 0 = wait until an event arrives
 *     (prefer a finite timeout, e.g. 200, so the caller stays responsive).
 *   out_event_json (required): on ARU_OK receives one event, a library-owned
 *     string to free with aru_free; NULL on every other status.
 * Returns ARU_OK (one event), ARU_TIMEOUT (none yet; the job runs),
 * ARU_END (the outcome event was already returned: stop and call aru_close),
 * ARU_BAD_HANDLE, ARU_NULL_ARGUMENT or ARU_INTERNAL.
 * The last ARU_OK event of every job is its single "outcome" event.
 * Progress events may be dropped when the caller reads slowly; all other
 * events are kept (the job waits for the caller).
 */
int32_t aru_next_event(int64_t handle, int32_t timeout_ms, char **out_event_json);

/*
 * aru_cancel — ask the job to stop after its current step; returns at once.
 * Keep reading events: the outcome will be "cancelled" (exit code 130), or
 * whatever the job ended with if it had already finished. Cancelling twice
 * or after the end is harmless.
 * Returns ARU_OK, ARU_BAD_HANDLE or ARU_INTERNAL.
 */
int32_t aru_cancel(int64_t handle);

/*
 * aru_close — release the handle: cancels the job if it still runs, waits
 * for it to stop (operations stop at a point where nothing is half-written),
 * discards undelivered events and frees the job. The handle is invalid
 * afterwards; strings already returned stay valid until aru_free.
 * Another thread blocked in aru_next_event on this handle may still get
 * some of the queued events, then ARU_END; later calls with the handle get
 * ARU_BAD_HANDLE.
 * Returns ARU_OK, ARU_BAD_HANDLE (unknown or already closed) or ARU_INTERNAL.
 */
int32_t aru_close(int64_t handle);

/*
 * aru_free — free a string returned by this library. NULL is ignored.
 * Freeing anything else, or twice, is undefined behaviour.
 */
void aru_free(char *p);

/* Function-pointer types for callers that load the library dynamically. */
typedef int32_t (*aru_version_fn)(char **out_json);
typedef int32_t (*aru_start_fn)(const char *request_json, int64_t *out_handle, char **out_event_json);
typedef int32_t (*aru_next_event_fn)(int64_t handle, int32_t timeout_ms, char **out_event_json);
typedef int32_t (*aru_cancel_fn)(int64_t handle);
typedef int32_t (*aru_close_fn)(int64_t handle);
typedef void (*aru_free_fn)(char *p);

#ifdef __cplusplus
}
#endif

#endif /* ARUPGRADE_H */
