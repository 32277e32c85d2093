/* winsmoke.c — a Windows program that loads arupgrade.dll the way pwsh does
 * (LoadLibrary + GetProcAddress) and drives every export once. Built with
 * mingw-w64 and run under wine by TestWineSmoke; prints "PASS" and exits 0
 * when every check holds. Usage: winsmoke.exe path\to\arupgrade.dll */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "arupgrade.h"

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failures++; } } while (0)

static aru_version_fn v; static aru_start_fn s; static aru_next_event_fn n;
static aru_cancel_fn c; static aru_close_fn cl; static aru_free_fn f;

/* Reads events until the outcome; returns the outcome JSON (caller frees with f) or NULL. */
static char *until_outcome(int64_t h) {
	for (int i = 0; i < 2000; i++) {
		char *ev = NULL;
		int32_t st = n(h, 100, &ev);
		if (st == ARU_TIMEOUT) continue;
		if (st != ARU_OK) { printf("next_event status %d\n", st); return NULL; }
		if (strstr(ev, "\"type\":\"outcome\"")) return ev;
		f(ev);
	}
	return NULL;
}

int main(int argc, char **argv) {
	HMODULE lib = LoadLibraryA(argc > 1 ? argv[1] : "arupgrade.dll");
	if (!lib) { printf("FAIL: LoadLibrary error %lu\n", GetLastError()); return 2; }
	v = (aru_version_fn)GetProcAddress(lib, "aru_version");
	s = (aru_start_fn)GetProcAddress(lib, "aru_start");
	n = (aru_next_event_fn)GetProcAddress(lib, "aru_next_event");
	c = (aru_cancel_fn)GetProcAddress(lib, "aru_cancel");
	cl = (aru_close_fn)GetProcAddress(lib, "aru_close");
	f = (aru_free_fn)GetProcAddress(lib, "aru_free");
	if (!v || !s || !n || !c || !cl || !f) { printf("FAIL: missing export\n"); return 2; }

	char *out = NULL;
	CHECK(v(&out) == ARU_OK && out && strstr(out, "\"abi\":1") && strstr(out, "\"os\":\"windows\""), "aru_version: %s", out ? out : "(null)");
	printf("version: %s\n", out ? out : "(null)");
	f(out);

	int64_t h = 0;
	CHECK(s("{\"operation\":\"version\",\"logFile\":\"-\"}", &h, NULL) == ARU_OK && h > 0, "aru_start version");
	out = until_outcome(h);
	CHECK(out && strstr(out, "\"outcome\":\"succeeded\""), "version outcome: %s", out ? out : "(null)");
	f(out);
	out = NULL;
	CHECK(n(h, 0, &out) == ARU_END && out == NULL, "ARU_END after the outcome");
	CHECK(cl(h) == ARU_OK, "aru_close");
	CHECK(cl(h) == ARU_BAD_HANDLE, "aru_close twice");
	CHECK(n(424242, 0, &out) == ARU_BAD_HANDLE, "bad handle");

	char *err = NULL;
	h = 7;
	CHECK(s("{oops", &h, &err) == ARU_BAD_REQUEST && h == 0 && err && strstr(err, "AR-REQUEST"), "bad request: %s", err ? err : "(null)");
	f(err);

	CHECK(s("{\"operation\":\"sleep\",\"params\":{\"seconds\":60},\"logFile\":\"-\"}", &h, NULL) == ARU_OK, "aru_start sleep");
	Sleep(200);
	CHECK(c(h) == ARU_OK, "aru_cancel");
	out = until_outcome(h);
	CHECK(out && strstr(out, "\"outcome\":\"cancelled\"") && strstr(out, "\"exitCode\":130"), "cancel outcome: %s", out ? out : "(null)");
	f(out);
	CHECK(cl(h) == ARU_OK, "aru_close after cancel");

	CHECK(s("{\"operation\":\"sleep\",\"params\":{\"seconds\":60},\"logFile\":\"-\"}", &h, NULL) == ARU_OK, "aru_start sleep 2");
	CHECK(cl(h) == ARU_OK, "aru_close while running");

	out = NULL;
	CHECK(v(&out) == ARU_OK && strstr(out, "\"openJobs\":0"), "open jobs left: %s", out ? out : "(null)");
	f(out);
	f(NULL);

	if (failures) { printf("%d failure(s)\n", failures); return 1; }
	printf("PASS\n");
	return 0; /* never FreeLibrary: golang/go#11100 */
}
