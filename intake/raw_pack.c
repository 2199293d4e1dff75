#include "raw_pack.h"

#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* Sources shorter than this are a header and a line or two: not worth a
 * frame header and a second code path when read. */
enum { PACK_MIN_BYTES = 512 };

struct raw_packer {
	ZSTD_CCtx *cctx;
};

struct raw_packer *raw_packer_new(void)
{
	struct raw_packer *pk = calloc(1, sizeof(*pk));
	if (pk == NULL)
		return NULL;
	pk->cctx = ZSTD_createCCtx();
	if (pk->cctx == NULL ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(pk->cctx, ZSTD_c_compressionLevel, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(pk->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(pk->cctx, ZSTD_c_contentSizeFlag, 1))) {
		raw_packer_free(pk);
		return NULL;
	}
	return pk;
}

void raw_packer_free(struct raw_packer *pk)
{
	if (pk == NULL)
		return;
	ZSTD_freeCCtx(pk->cctx);
	free(pk);
}

int raw_pack(struct raw_packer *pk, struct response *r)
{
	if (r->raw == NULL || r->raw_in_file || r->raw_packed != NULL || r->raw_len < PACK_MIN_BYTES)
		return 0;
	/* Worth keeping only if it saves an eighth: give zstd no more room
	 * than that, and it says so by failing. */
	size_t room = r->raw_len - r->raw_len / 8;
	unsigned char *out = malloc(room);
	if (out == NULL)
		return -1;
	size_t n = ZSTD_compress2(pk->cctx, out, room, r->raw, r->raw_len);
	if (ZSTD_isError(n)) {
		free(out);
		/* dstSize_tooSmall: it does not shrink enough; anything else
		 * (memory) leaves the source as it is too, which is safe. */
		return ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation ? -1 : 0;
	}
	unsigned char *fit = realloc(out, n); /* shrinking: on failure out is kept whole */
	if (fit != NULL)
		out = fit;
	r->raw_packed = out;
	r->raw_packed_len = n;
	free(r->raw);
	r->raw = NULL;
	return 0;
}

unsigned char *raw_unpack(const void *packed, size_t packed_len, size_t size, char *err,
			  size_t errlen)
{
	unsigned long long declared = ZSTD_getFrameContentSize(packed, packed_len);
	if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN) {
		snprintf(err, errlen, "packed raw source of %zu bytes is not a zstd frame with its size",
			 packed_len);
		return NULL;
	}
	if (declared != size) {
		snprintf(err, errlen, "packed raw source says %llu bytes, the store recorded %zu",
			 declared, size);
		return NULL;
	}
	unsigned char *out = malloc(size + 1);
	if (out == NULL) {
		snprintf(err, errlen, "out of memory unpacking a raw source of %zu bytes", size);
		return NULL;
	}
	size_t n = ZSTD_decompress(out, size, packed, packed_len);
	if (ZSTD_isError(n) || n != size) {
		snprintf(err, errlen, "packed raw source is damaged: %s",
			 ZSTD_isError(n) ? ZSTD_getErrorName(n) : "shorter than recorded");
		free(out);
		return NULL;
	}
	out[size] = 0;
	return out;
}
