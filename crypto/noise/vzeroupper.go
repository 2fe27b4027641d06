package noise

// circl's AVX2 code (ML-KEM polynomial arithmetic, the 4-way Keccak) returns
// without VZEROUPPER, leaving the upper halves of the YMM registers dirty.
// Every later legacy-SSE instruction then pays an AVX-SSE transition
// penalty (Intel optimization manual, "Mixing AVX code with SSE code"), and
// Go's SHA-NI SHA-256 and AES-NI code is SSE: measured here, one Noise HKDF
// right after a decapsulation took ~150 µs instead of ~5 µs. So every call
// into circl's KEM is followed by clearUpperVectorState, a single
// VZEROUPPER where the CPU has AVX, nothing elsewhere.
