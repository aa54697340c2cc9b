/* ytext.c - the text's bytes checked in one pass (ytext.h). */
#include "ytext.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util.h"

/* Bytes at 0x80 in each byte of x (< 0x80 each) that is zero: exact, no
 * carry from one byte to the next. */
static inline uint64_t
zero_bytes(uint64_t x)
{
	return ~(((x & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | x) & 0x8080808080808080ULL;
}

#define BYTES(c) (0x0101010101010101ULL * (c))

#ifdef __SSE2__
/* Sixteen bytes at once: true when all are ASCII and none is a control but
 * tab, LF and CR, nor DEL (a byte from 0x80 up is below 0x20 as a signed
 * one, and its own top bit shows it too). */
static inline bool
plain16(const unsigned char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ctl = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
	__m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
				  _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));

	return _mm_movemask_epi8(_mm_or_si128(v, _mm_andnot_si128(ok, ctl))) == 0;
}
#endif

/* Eight ASCII bytes: does one of them end the UTF-8 check (a NUL) or does
 * libyaml's reader refuse one (C0 but tab, LF and CR; DEL)? */
static inline uint64_t
ascii_controls(uint64_t w)
{
	uint64_t c0 = zero_bytes(w & BYTES(0x60));	/* below 0x20 */

	if (!c0 && !zero_bytes(w ^ BYTES(0x7F)))
		return 0;
	return (c0 & ~(zero_bytes(w ^ BYTES('\t')) | zero_bytes(w ^ BYTES('\n')) | zero_bytes(w ^ BYTES('\r')))) |
	       zero_bytes(w ^ BYTES(0x7F));
}

size_t
ytext_scan(const char *s, size_t len, bool *refused)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

#ifdef __SSE2__
		if (i + 16 <= len && plain16(p + i)) {
			i += 16;
			continue;
		}
#endif
		if (i + 8 <= len) {	/* eight ASCII bytes but tab, LF, CR at once */
			uint64_t w;

			memcpy(&w, p + i, 8);
			if (!(w & 0x8080808080808080ULL) && !ascii_controls(w)) {
				i += 8;
				continue;
			}
		}
		if (!(n = utf8_char(p + i, len - i, &cp)))
			return i;
		*refused |= (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F ||
			    (cp >= 0x80 && cp <= 0x9F && cp != 0x85) || cp == 0xFFFE || cp == 0xFFFF;
		i += n;
	}
	return len;
}
