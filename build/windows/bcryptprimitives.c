/* Test-only stand-in for bcryptprimitives.dll, which Wine 8.0 lacks and
 * every Go >= 1.22 Windows exe loads for ProcessPrng. scripts/test-windows.sh
 * builds it with mingw into the private Wine prefix it tests in; it is never
 * shipped. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	return RtlGenRandom(data, (ULONG)len);
}
