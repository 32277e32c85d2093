/* bcryptprimitives.c — a stand-in for Windows' bcryptprimitives.dll, which
 * wine 8 lacks and the Go runtime (1.24+) needs for ProcessPrng. Test-only:
 * TestWineSmoke puts it in the wine prefix's system32; never ship it. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}
