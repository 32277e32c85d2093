// Package abitest calls the built engine library (libarupgrade.so /
// .dylib) through its C ABI, for the tests in this directory: it dlopens the
// library once per process and wraps each aru_* export in a Go function that
// copies the returned strings and frees them with aru_free.
//
// `import "C"` is not allowed in _test.go files, so the C-calling helpers
// live in this ordinary package and abi_test.go uses them. Linux and macOS
// only (dlopen); the Windows DLL is checked by its export table.
package abitest
