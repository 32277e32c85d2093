// Command cshim is the C ABI of the ActiveRolesUpgrade engine, built with
// -buildmode=c-shared into libarupgrade.so / arupgrade.dll. The contract is
// arupgrade.h; this file only converts between C and Go and calls
// cshim/internal/bridge, where the behaviour lives and is tested.
package main

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"unsafe"

	_ "github.com/activeroles/arupgrade/core/ops" // registers every operation
	"github.com/activeroles/arupgrade/cshim/internal/bridge"
)

// cstring returns a C copy of b, to be freed with aru_free.
func cstring(b []byte) *C.char { return (*C.char)(C.CBytes(append(b, 0))) }

func setOut(out **C.char, b []byte) {
	if out != nil && b != nil {
		*out = cstring(b)
	}
}

func clearOut(out **C.char) {
	if out != nil {
		*out = nil
	}
}

//export aru_version
func aru_version(out_json **C.char) C.int32_t {
	clearOut(out_json)
	return C.int32_t(bridge.Guard(func() bridge.Status {
		if out_json == nil {
			return bridge.NullArgument
		}
		setOut(out_json, bridge.Default.Version())
		return bridge.OK
	}))
}

//export aru_start
func aru_start(request_json *C.char, out_handle *C.int64_t, out_event_json **C.char) C.int32_t {
	// out_event_json is written only for ARU_BAD_REQUEST (see arupgrade.h).
	if out_handle != nil {
		*out_handle = 0
	}
	return C.int32_t(bridge.Guard(func() bridge.Status {
		if request_json == nil || out_handle == nil {
			return bridge.NullArgument
		}
		req := C.GoBytes(unsafe.Pointer(request_json), C.int(C.strlen(request_json)))
		defer clear(req) // it may hold passwords; the engine keeps its own parsed copy
		h, errJSON, st := bridge.Default.Start(req)
		if st != bridge.OK {
			setOut(out_event_json, errJSON)
			return st
		}
		*out_handle = C.int64_t(h)
		return bridge.OK
	}))
}

//export aru_next_event
func aru_next_event(handle C.int64_t, timeout_ms C.int32_t, out_event_json **C.char) C.int32_t {
	clearOut(out_event_json)
	return C.int32_t(bridge.Guard(func() bridge.Status {
		if out_event_json == nil {
			return bridge.NullArgument
		}
		b, st := bridge.Default.Next(int64(handle), int32(timeout_ms))
		if st == bridge.OK {
			setOut(out_event_json, b)
		}
		return st
	}))
}

//export aru_cancel
func aru_cancel(handle C.int64_t) C.int32_t {
	return C.int32_t(bridge.Guard(func() bridge.Status { return bridge.Default.Cancel(int64(handle)) }))
}

//export aru_close
func aru_close(handle C.int64_t) C.int32_t {
	return C.int32_t(bridge.Guard(func() bridge.Status { return bridge.Default.Close(int64(handle)) }))
}

//export aru_free
func aru_free(p *C.char) {
	defer func() { _ = recover() }()
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

func main() {}
