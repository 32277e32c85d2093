//go:build linux || darwin

package abitest

/*
#cgo CFLAGS: -I${SRCDIR}/..
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include "arupgrade.h"

static void *lib;
static aru_version_fn p_version;
static aru_start_fn p_start;
static aru_next_event_fn p_next;
static aru_cancel_fn p_cancel;
static aru_close_fn p_close;
static aru_free_fn p_free;

// aru_load opens the library and resolves every export; it returns NULL or
// the name of what failed (a static or dlerror() string).
static const char *aru_load(const char *path) {
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) return dlerror();
	if (!(p_version = (aru_version_fn)dlsym(lib, "aru_version"))) return "aru_version";
	if (!(p_start = (aru_start_fn)dlsym(lib, "aru_start"))) return "aru_start";
	if (!(p_next = (aru_next_event_fn)dlsym(lib, "aru_next_event"))) return "aru_next_event";
	if (!(p_cancel = (aru_cancel_fn)dlsym(lib, "aru_cancel"))) return "aru_cancel";
	if (!(p_close = (aru_close_fn)dlsym(lib, "aru_close"))) return "aru_close";
	if (!(p_free = (aru_free_fn)dlsym(lib, "aru_free"))) return "aru_free";
	return NULL;
}

static int32_t call_version(char **out) { return p_version(out); }
static int32_t call_start(const char *req, int64_t *h, char **out) { return p_start(req, h, out); }
static int32_t call_next(int64_t h, int32_t t, char **out) { return p_next(h, t, out); }
static int32_t call_cancel(int64_t h) { return p_cancel(h); }
static int32_t call_close(int64_t h) { return p_close(h); }
static void call_free(char *p) { p_free(p); }

// A pointer the library must leave alone or overwrite, to see which it did.
static char *sentinel(void) { return (char *)"untouched"; }
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"
)

// Status codes of arupgrade.h.
const (
	OK           = int32(C.ARU_OK)
	Timeout      = int32(C.ARU_TIMEOUT)
	End          = int32(C.ARU_END)
	BadHandle    = int32(C.ARU_BAD_HANDLE)
	BadRequest   = int32(C.ARU_BAD_REQUEST)
	Internal     = int32(C.ARU_INTERNAL)
	NullArgument = int32(C.ARU_NULL_ARGUMENT)
)

var (
	loadOnce sync.Once
	loadErr  error
)

// Load dlopens the library at path once per process; later calls return the
// first call's result whatever their path (a Go library cannot be unloaded,
// golang/go#11100).
func Load(path string) error {
	loadOnce.Do(func() {
		cp := C.CString(path)
		defer C.free(unsafe.Pointer(cp))
		if msg := C.aru_load(cp); msg != nil {
			loadErr = fmt.Errorf("load %s: %s", path, C.GoString(msg))
		}
	})
	return loadErr
}

// take copies a library string into Go and frees it with aru_free.
func take(p *C.char) string {
	if p == nil {
		return ""
	}
	s := C.GoString(p)
	C.call_free(p)
	return s
}

// Version calls aru_version.
func Version() (string, int32) {
	var out *C.char
	st := int32(C.call_version(&out))
	return take(out), st
}

// VersionNullOut calls aru_version(NULL).
func VersionNullOut() int32 { return int32(C.call_version(nil)) }

// Start calls aru_start; errJSON is the out_event_json of a bad request.
func Start(request string) (handle int64, errJSON string, st int32) {
	cr := C.CString(request)
	defer C.free(unsafe.Pointer(cr))
	var h C.int64_t = -99 // must be overwritten
	var out *C.char
	st = int32(C.call_start(cr, &h, &out))
	return int64(h), take(out), st
}

// StartNoDetails calls aru_start with out_event_json NULL.
func StartNoDetails(request string) (int64, int32) {
	cr := C.CString(request)
	defer C.free(unsafe.Pointer(cr))
	var h C.int64_t
	st := int32(C.call_start(cr, &h, nil))
	return int64(h), st
}

// StartLeavesOutAlone calls aru_start with out_event_json preset to a
// sentinel and reports whether the library left it unchanged.
func StartLeavesOutAlone(request string) (handle int64, untouched bool, st int32) {
	cr := C.CString(request)
	defer C.free(unsafe.Pointer(cr))
	var h C.int64_t
	out := C.sentinel()
	st = int32(C.call_start(cr, &h, &out))
	untouched = out == C.sentinel()
	if !untouched {
		take(out)
	}
	return int64(h), untouched, st
}

// StartNullRequest calls aru_start(NULL, &h, &out).
func StartNullRequest() int32 {
	var h C.int64_t
	var out *C.char
	st := int32(C.call_start(nil, &h, &out))
	take(out)
	return st
}

// StartNullHandle calls aru_start(request, NULL, &out).
func StartNullHandle(request string) int32 {
	cr := C.CString(request)
	defer C.free(unsafe.Pointer(cr))
	var out *C.char
	st := int32(C.call_start(cr, nil, &out))
	take(out)
	return st
}

// Next calls aru_next_event; it reports whether the out pointer was left
// non-NULL on a status other than OK (a contract violation).
func Next(handle int64, timeoutMs int32) (event string, st int32, strayOut bool) {
	out := C.sentinel()
	st = int32(C.call_next(C.int64_t(handle), C.int32_t(timeoutMs), &out))
	if st != OK {
		return "", st, out != nil
	}
	return take(out), st, false
}

// NextNullOut calls aru_next_event(handle, 0, NULL).
func NextNullOut(handle int64) int32 { return int32(C.call_next(C.int64_t(handle), 0, nil)) }

// Cancel calls aru_cancel.
func Cancel(handle int64) int32 { return int32(C.call_cancel(C.int64_t(handle))) }

// Close calls aru_close.
func Close(handle int64) int32 { return int32(C.call_close(C.int64_t(handle))) }

// FreeNull calls aru_free(NULL), which must do nothing.
func FreeNull() { C.call_free(nil) }
